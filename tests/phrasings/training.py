"""Chapter 10: the rows of softmax_backward, and saturation in training."""

CHAPTER = "10_training_attention"

ANSWERS = {
    "understanding_1": [
        [  # the algebra
            "Summing over a row gives sum_j w_j g_j minus (sum_j w_j) times sum_i w_i g_i, which is "
            "0 because the weights sum to 1.",
            "The row sum is sum w_j g_j - sum w_j g_j = 0, using that the weights add up to one.",
            "If you add the entries of a row, the second term is the weighted mean times 1, and it "
            "cancels the first.",
            "Row sum = <w, g> - (sum of w) <w, g> = 0 since sum of w = 1.",
        ],
        [  # softmax ignores a constant shift
            "It had to be so because adding the same number to every score of a row does not change "
            "the softmax.",
            "Softmax is invariant to shifting all scores by a constant, so moving them together does "
            "not change the loss.",
            "A constant added to all scores cancels in the softmax, so the weights, and the loss, "
            "stay the same.",
            "The weights do not move when all the scores go up together.",
        ],
        [  # the rate of change along that direction is the row sum
            "The rate of change in that direction is exactly the sum of the row's gradient, so it "
            "must be zero.",
            "The derivative along the all-ones direction is the sum of the gradient entries, and it "
            "is 0.",
            "So the gradient has no component along (1, 1, ..., 1), that is, its entries sum to 0.",
            "Shifting every score by c changes the loss by c times the row sum, which has to be 0.",
        ],
    ],
    "understanding_2": [
        [  # the Jacobian entries
            "The Jacobian's entries are w_i (delta_ij - w_j), which are all close to 0 when one "
            "weight is almost 1.",
            "If the weights are one-hot, w_j (1 - w_j) on the diagonal and w_i w_j off it are both "
            "about 0.",
            "For an almost one-hot row every entry of the softmax Jacobian nearly vanishes.",
            "The Jacobian is diag(w) - w w^T, and for a one-hot w that matrix is almost zero.",
        ],
        [  # so the gradients vanish
            "So the gradients of the scores, and of W_q and W_k, nearly vanish whatever the loss "
            "says.",
            "The softmax is saturated, so a request sitting on the wrong book gets almost no push "
            "away from it.",
            "Backpropagation multiplies by this tiny Jacobian, so the query and key weights hardly "
            "move.",
            "Gradient descent sees almost no gradient and stays stuck for hundreds of steps.",
        ],
        [  # the unscaled scores start saturated
            "Without the scaling at d_k = 64 the starting scores have a standard deviation of about "
            "8, so many requests start saturated.",
            "Unscaled scores are 8 times too spread out at the start, which pushes the softmax into "
            "saturation.",
            "With d_k = 64 and no division, the initial scores are large and the weights are already "
            "one-hot.",
            "The unscaled run starts with scores of size about 8, large enough to saturate.",
        ],
        [  # a smaller initialisation would help
            "Initialising W_q and W_k with smaller entries, about 2.8 times smaller, would make the "
            "scores 8 times smaller and avoid saturation.",
            "A smaller initialisation of the query and key weights would keep the starting scores "
            "small, like the scaled run.",
            "Scaling down the initial weights by the fourth root of 64 gives the same starting "
            "point as dividing by sqrt(d_k).",
            "One could also use a higher softmax temperature during training, which flattens the "
            "weights and keeps the gradients alive.",
        ],
    ],
}
