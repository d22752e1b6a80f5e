"""Chapter 2: attention with d_k = 256 and no division by the square root of d_k."""

CHAPTER = "02_dot_product_similarity"

ANSWERS = {
    "understanding_1": [
        [  # the scores' spread grows like the square root of d_k
            "Each score is a sum of 256 random products, so its standard deviation is about "
            "sqrt(256) = 16.",
            "With d_k = 256 the dot products have a variance of about 256, so scores in a row are "
            "tens apart.",
            "The spread of a dot product grows with the square root of the dimension, here around 16, "
            "which makes the scores large.",
            "Summing 256 terms of random sign gives numbers of size 16 or so, much bigger than 1.",
            "Because the variance adds up over the 256 dimensions, the raw scores differ by a lot "
            "between keys.",
        ],
        [  # the weights are almost one-hot
            "The softmax then puts nearly all the weight on the largest score, so each row is "
            "almost one-hot.",
            "A typical row of weights looks like one value close to 1 and all the others close to 0.",
            "Since softmax turns a difference into an exponential ratio, one random key takes "
            "almost all of the attention.",
            "The attention weights become very peaked: the key that happens to score highest wins "
            "everything.",
        ],
        [  # saturation makes the gradients tiny
            "In this saturated regime the softmax gradient is almost zero, so W_q and W_k get "
            "tiny updates and learning is slow.",
            "When the weights are one-hot, small changes to the scores barely change them, so the "
            "gradients vanish.",
            "The derivative of a saturated softmax is close to 0, which means the error signal "
            "hardly reaches the query and key matrices.",
            "Gradients through a softmax that is already at 0 or 1 are very small, so training "
            "takes many more steps.",
        ],
        [  # dividing by the square root brings the spread back to 1
            "Dividing by sqrt(d_k) brings the scores back to a spread of about 1.",
            "The scaling keeps the variance of the scores near 1, whatever d_k is.",
            "That is why we divide by the square root of d_k: the weights stay spread out and the "
            "gradients useful.",
            "With the division the softmax starts in its sensitive range and the model can learn.",
        ],
    ],
}
