"""Chapter 4: why an output lies among the values, and where it goes with the temperature."""

CHAPTER = "04_weighted_sum"

ANSWERS = {
    "understanding_1": [
        [  # each component is a weighted average
            "Every component of the output is a weighted average of that component of the value "
            "vectors, because the weights are non-negative and sum to 1.",
            "The output row is sum_j w_j v_j with weights that are positive and add up to one, so "
            "it is an average.",
            "Since softmax weights are at least 0 and sum to 1, o_c is a convex combination of the "
            "v_jc.",
            "Attention output = weights times V, and each row of weights is a probability "
            "distribution, so the result is a mean of the values.",
        ],
        [  # an average cannot leave the range
            "An average like that can never be bigger than the largest number or smaller than the "
            "smallest one.",
            "If you replace every value by the maximum you get exactly the maximum, so the average "
            "is at most that.",
            "A weighted mean always stays between the min and the max of what is averaged.",
            "Geometrically the output is inside the convex hull of the value points.",
        ],
        [  # low temperature: the best key's value
            "As the temperature goes to 0, all the weight goes to the key with the highest score and "
            "the output becomes its value vector.",
            "With T close to 0 the softmax becomes an argmax, so the output jumps to the value of "
            "the best matching key.",
            "At very low temperature the output is the value of the top key, or the mean of the "
            "tied ones if several share the top score.",
            "Cold attention picks a single value: the one belonging to the highest score.",
        ],
        [  # high temperature: the mean of all values
            "As the temperature grows, all weights approach 1/n_k and the output tends to the plain "
            "mean of the values, the same for every query.",
            "For a very large T the scores stop mattering and every query gets the average of all "
            "value vectors.",
            "Hot attention spreads the weight evenly, so the output goes to the centre of the value "
            "cloud.",
            "At high temperature the output converges to the uniform average of V.",
        ],
    ],
}
