"""Chapter 8: a position number as encoding, and rotary scores."""

CHAPTER = "08_positional_encoding"

ANSWERS = {
    "understanding_1": [
        [  # the numbers grow without bound
            "Adding p grows without limit: at position 500 the encoding is 500 in every dimension "
            "and drowns the embedding.",
            "The position number gets huge for long sentences, far bigger than the embedding "
            "entries of about 1.",
            "Large positions would dominate the word embeddings, and a model trained on short "
            "sentences never saw such values.",
            "The values are unbounded, so late words would be mostly position and hardly word.",
        ],
        [  # all positions point in one direction
            "All of (p, p, ..., p) points in one direction, so positions differ only in length.",
            "Every position vector is a multiple of the all-ones vector, which gives the model very "
            "little to tell them apart.",
            "The encoding is one dimensional in disguise: the same direction scaled by p.",
            "Since every entry is the same, the encoding only uses one direction of the space.",
        ],
        [  # the dot product depends on absolute positions
            "The dot product of two such encodings is d p r, which depends on the absolute "
            "positions and not on their distance.",
            "PE(p) . PE(r) = d * p * r, so nearby words far into the text look very different from "
            "nearby words at the start.",
            "Relative position is not visible in the product of two encodings, only the absolute "
            "ones.",
            "The score between positions grows with p times r instead of depending on the offset.",
        ],
        [  # sinusoids: bounded, many frequencies, offset only
            "The sinusoidal table stays between -1 and 1 and gives every position its own pattern "
            "over many frequencies.",
            "Sines and cosines are bounded, and PE(p) . PE(p+k) depends only on the offset k.",
            "With sinusoids, shifting by k rotates every pair by a fixed angle, so relative "
            "positions are easy to use.",
            "The sinusoidal encoding has fast frequencies for close positions and slow ones for far "
            "positions, all bounded.",
        ],
    ],
    "understanding_2": [
        [  # rotations keep lengths and angles
            "A rotation keeps lengths and angles, so rotating q by a and k by b changes the angle "
            "between them by b - a only.",
            "R_a transposed times R_b is R_(b-a), because the transpose of a rotation undoes it.",
            "Rotations preserve the dot product, so only the difference of the two rotation angles "
            "matters.",
            "Turning both vectors changes their relative angle by the difference of the angles.",
        ],
        [  # so the score depends on the offset
            "With a = p theta and b = r theta the score depends on (r - p) theta, the offset alone.",
            "Each pair contributes according to (r - p) times its frequency, so only the offset "
            "counts.",
            "Because the angles are proportional to the positions, their difference is proportional "
            "to r - p.",
            "That is why rotary scores are the same for any two words the same distance apart.",
        ],
        [  # the wrong sign gives the sum
            "If the query turned clockwise instead, the score would depend on p + r, where the words "
            "are, not how far apart.",
            "With opposite directions the angles add up, so the score becomes a function of p + r.",
            "Rotating the query the other way gives R_(p+r) in the middle, which depends on absolute "
            "positions.",
            "A clockwise query rotation makes the score depend on the sum of the positions.",
        ],
        [  # the shift test would show it
            "The shift test would then print differences of order 1 instead of about 1e-15.",
            "Shifting both positions by s would change every angle by 2 s theta, and the test would "
            "show large changes.",
            "In section 4 the scores would no longer be equal after a shift, the printed difference "
            "would be big.",
            "The shift test would fail visibly: the difference would not be rounding error any more.",
        ],
    ],
}
