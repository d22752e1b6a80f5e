"""Chapter 3: why subtracting the maximum changes nothing and a temperature does."""

CHAPTER = "03_softmax_and_temperature"

ANSWERS = {
    "understanding_1": [
        [  # softmax depends only on differences
            "Softmax only depends on the differences between the scores, because the ratio of two "
            "weights is e to the power of their difference.",
            "w_i / w_j equals exp(x_i - x_j), so only differences of scores matter.",
            "Adding or subtracting a constant cancels between the numerator and the denominator of "
            "the softmax.",
            "The factor exp(-m) appears in every term on the top and on the bottom, so it cancels out.",
        ],
        [  # subtracting the max keeps differences, avoids overflow
            "Subtracting the maximum keeps every difference the same, so the weights do not change; "
            "it only stops exp from overflowing.",
            "Taking away the largest score is just a shift, which leaves the weights as they were "
            "but keeps the exponentials small.",
            "The max subtraction is there for numerical stability, the result is mathematically "
            "identical.",
            "After subtracting the max the biggest exponent is 0, so nothing overflows, and the "
            "weights are the same.",
        ],
        [  # dividing by T scales the differences
            "Dividing by T multiplies every difference by 1/T, so the ratios change: small T is "
            "sharper and large T flatter.",
            "A temperature rescales the gaps between scores, and that changes the weights.",
            "With T below 1 the differences grow and the distribution gets peaked, with T above 1 "
            "they shrink and it gets flat.",
            "Division is not a shift, it stretches or squeezes the differences, which is why the "
            "temperature has an effect.",
        ],
        [  # the limits for [3, 3, 1]
            "For [3, 3, 1], as T goes to 0 the weights go to [1/2, 1/2, 0], and as T goes to "
            "infinity they become [1/3, 1/3, 1/3].",
            "When T approaches 0 the two tied scores split the weight equally and the third gets "
            "nothing; when T is huge all three get a third.",
            "In the low temperature limit we get 0.5, 0.5 and 0, in the high temperature limit the "
            "uniform distribution.",
            "The limits are half and half on the two 3s for tiny T, and equal weights of one third "
            "for very large T.",
        ],
    ],
}
