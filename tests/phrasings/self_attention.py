"""Chapter 6: why distance does not matter, and what shuffling the words does."""

CHAPTER = "06_self_attention"

ANSWERS = {
    "understanding_1": [
        [  # the score depends only on the two vectors
            "The score of word i with word j is q_i dot k_j, which depends only on the two vectors "
            "and not on where the words are.",
            "In softmax(q_i K^T / sqrt(d_k)) V nothing refers to the positions, only to the vectors "
            "of the words.",
            "Each output row compares the query with every key directly, and the dot product does "
            "not know how far apart the words are.",
            "The formula uses only the embeddings of the two words, so a word far away is scored "
            "like a neighbour.",
        ],
        [  # every pair is compared in one step
            "All pairs are compared in one step, nothing is passed through the words in between, so "
            "ten words back is as easy as the next word.",
            "Unlike an RNN there is no chain of steps between distant words; every pair is one dot "
            "product away.",
            "There is no path length: the distance between any two words is a single step of "
            "attention.",
            "Long-range dependencies are as easy as short ones because every word looks at every "
            "other word directly.",
        ],
        [  # shuffling only shuffles the rows
            "If we shuffle the words, the outputs are shuffled the same way: each word gets exactly "
            "the same vector as before.",
            "Shuffling only permutes the rows of the output, self-attention is permutation "
            "equivariant.",
            "Dog bites man and man bites dog would give the same outputs, just in another order.",
            "Permuting the input permutes the output in the same way, so the layer cannot tell the "
            "word order.",
        ],
        [  # so positions are added
            "That is why transformers add a positional encoding to the embeddings, so that the order "
            "changes the queries and keys.",
            "Real models therefore add position information, otherwise word order would be "
            "invisible.",
            "To fix this, a position vector is added to each embedding before attention.",
            "Transformers need positional embeddings because attention on its own ignores order.",
        ],
    ],
}
