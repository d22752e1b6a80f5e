"""Chapter 11: layer norm over the tokens instead of over each token's features."""

CHAPTER = "11_transformer_block"

ANSWERS = {
    "understanding_1": [
        [  # the statistics over the tokens include later tokens
            "The mean and variance over the tokens include the later tokens, so token i's vector "
            "would depend on the words after it.",
            "Normalising over axis 0 mixes information from every position, including the future "
            "ones, into each token.",
            "If each feature is normalised over the n tokens, every position sees statistics of the "
            "whole text, later words too.",
            "Axis 0 statistics are computed from all tokens, so what comes later leaks into earlier "
            "positions.",
        ],
        [  # the causal mask no longer protects the future
            "Then the causal mask would not stop position i from seeing what comes next, and the "
            "model could cheat when it predicts the next token.",
            "That breaks causality: the mask only blocks attention, but the future would come in "
            "through the normalisation.",
            "A model trained this way could read the next word from the statistics instead of "
            "learning to predict it.",
            "The next-token loss would be misleading, because the answer is partly visible through "
            "the layer norm.",
        ],
        [  # the KV cache would go stale
            "With a KV cache every new token changes the mean and variance, so all earlier keys and "
            "values would change and the cache would be stale.",
            "During generation the statistics change at each step, so the cached keys and values "
            "would be wrong and everything would have to be recomputed.",
            "The KV cache assumes that old tokens never change, but here each new token shifts the "
            "normalisation of all the old ones.",
            "Caching stops working: the stored keys and values were computed with old statistics.",
        ],
        [  # one token has zero variance; per-token normalisation is local
            "With a single token at the first step, the variance over the tokens is 0, so the "
            "normalisation is undefined.",
            "Normalising each token over its own features depends on that token alone, so it works "
            "for one token or a thousand.",
            "Per-token layer norm is local to each position, which is exactly what causal generation "
            "needs.",
            "At the start of generation there is only one token, and a variance over one token is "
            "zero, which gives nonsense.",
        ],
    ],
}
