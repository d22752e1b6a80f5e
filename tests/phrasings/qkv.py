"""Chapter 1: what attention loses without the three linear layers."""

CHAPTER = "01_queries_keys_values"

ANSWERS = {
    "understanding_1": [
        [  # the score is only the similarity of the embeddings
            "If q, k and v are all the embedding x, the score between two words is just how similar "
            "their embeddings are.",
            "Without the layers every score is the dot product of two embeddings, so a word mostly "
            "matches itself and words that look like it.",
            "Using x for everything means a word can only attend to words whose embedding resembles its "
            "own, and the biggest score is usually with itself.",
            "Then q times k is x_i times x_j, which only measures how alike the two words are.",
            "The attention score would become plain embedding similarity, so each token would focus "
            "on itself or on near synonyms.",
        ],
        [  # a word cannot look for something other than what it is
            "A word could not search for something different from what it is, for example a verb "
            "looking for its subject.",
            "The query is supposed to say what the word is looking for, and that is often not the "
            "same as what the word is.",
            "So a pronoun could never go looking for a noun, because what it asks for and what it "
            "offers would be the same vector.",
            "It loses the ability to ask a question that differs from its own identity, like an "
            "adjective searching for the noun it describes.",
        ],
        [  # the value hands over the raw embedding
            "The value passed on would be the raw embedding instead of only the useful part of it.",
            "Also the information that gets mixed into the output is the whole embedding, with no "
            "way to pick out what matters to the asking word.",
            "The values could not be chosen separately, so the output would just average raw "
            "embeddings.",
            "And what is handed over would be the word itself rather than a learned summary meant "
            "for the words that attend to it.",
        ],
        [  # separate learned matrices let each role and size be learned
            "Three separate learned matrices let the model learn each role on its own, and let d_k "
            "and d_v differ from d_model.",
            "With W_q, W_k and W_v the roles of asking, matching and giving are trained "
            "independently.",
            "The linear layers give the model freedom to learn what to seek, what to advertise and "
            "what to send, and to pick their sizes.",
            "Learned projections make the three roles independent and also let us choose smaller "
            "key and value widths.",
        ],
    ],
}
