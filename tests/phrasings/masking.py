"""Chapter 7: masking after the softmax, and several heads against one wide head."""

CHAPTER = "07_masking_and_multi_head"

ANSWERS = {
    "understanding_1": [
        [  # without division the rows sum to less than 1
            "Without the division the weight that softmax gave to the masked keys is just lost, so "
            "the rows sum to less than 1.",
            "Multiplying by the mask after the softmax leaves rows that do not add up to one, and "
            "the output shrinks towards 0.",
            "The allowed weights come from a softmax over all keys, so they are too small and the "
            "output is not an average any more.",
            "softmax(scores) * mask throws away part of the probability mass, so the weighted sum "
            "is scaled down.",
        ],
        [  # with division it is right in exact arithmetic
            "Dividing by the row sum gives the right weights in exact arithmetic, since the common "
            "factor cancels.",
            "Mathematically renormalising is the same as a softmax over the allowed keys only.",
            "On paper the division fixes it: e^s_j over the sum of the allowed e^s_k is the same "
            "either way.",
            "With real numbers the renormalised version equals masking before the softmax.",
        ],
        [  # the NaN case
            "But if a masked key scores far above the allowed ones, say 2000 against 0, the allowed "
            "weights underflow to 0 and the division is 0/0 = NaN.",
            "In floating point, when the blocked score is huge the exponentials of the allowed "
            "scores become exactly 0, the row sum is 0 and we get NaN.",
            "A case that breaks it: scores [0, 1000] where only the first key is allowed; softmax "
            "gives [0, 1], masking gives [0, 0] and dividing gives NaN.",
            "Underflow is the problem: e^-2000 is 0 in float64, so after masking there is nothing "
            "left to normalise.",
        ],
        [  # minus infinity before the softmax is right
            "Setting the masked scores to minus infinity before the softmax removes them before the "
            "max is taken, so the allowed keys keep finite correct weights.",
            "Masking the scores with -inf first means the max is taken over the allowed keys only, "
            "and no underflow happens.",
            "With -inf before the softmax the blocked keys get exactly 0 and the others a proper "
            "softmax.",
            "The right order is mask first, then softmax, so the big blocked score never enters the "
            "computation.",
        ],
    ],
    "understanding_2": [
        [  # one head gives one average
            "A single head has one softmax per word, so it can only produce one weighted average of "
            "the values.",
            "One head means one set of weights per query and therefore one blend of values.",
            "With one head, it gets a single distribution over the words, so a single mixture.",
            "Each head can only take one look: one softmax, one average.",
        ],
        [  # it needs two things
            "The word it needs two things: the previous word and and the noun dog it refers to.",
            "For it, one head can look at and while another looks at dog.",
            "With three heads, head 0 can attend almost fully to and and head 1 almost fully to dog.",
            "it wants both its neighbour and its antecedent, and separate heads can each take one.",
        ],
        [  # W_o combines them
            "W_o then combines the findings of the heads in the output.",
            "The output projection mixes what the heads found, so both pieces of information arrive.",
            "After the merge, W_o can use both values at full strength.",
            "The heads' outputs are concatenated and W_o puts them together.",
        ],
        [  # no weights can make one softmax do two sharp looks
            "No weights can fix the single head, because one softmax must share a total of 1 between "
            "and and dog and returns a blend.",
            "Whatever its weights, the wide head still has one softmax, so it averages the two "
            "values instead of keeping both.",
            "Two sharp looks at once need two softmaxes, and that is exactly what several heads "
            "are.",
            "The single head's score is just the sum of the small heads' scores, and one "
            "distribution cannot point at two words fully.",
        ],
    ],
}
