"""Chapter 9: why blocks can be fast, and why the KV cache works."""

CHAPTER = "09_attention_at_scale"

ANSWERS = {
    "understanding_1": [
        [  # time goes to moving data
            "Counting multiply-adds misses the real cost, which is moving data between memory and "
            "the processor.",
            "The naive version builds several n by n arrays that do not fit in the cache, so every "
            "pass reads slow main memory.",
            "Time is dominated by memory traffic, not by arithmetic, for large n.",
            "The big score matrix is megabytes and has to be streamed through main memory again and "
            "again.",
        ],
        [  # blocks stay in the cache
            "A block of scores is small enough to stay in the cache while it is exponentiated, summed "
            "and multiplied by V.",
            "Medium blocks fit in the cache, so the same arithmetic is done with much less data "
            "movement.",
            "With a middle block size the working set fits in the fast cache, which is why blockwise "
            "can win.",
            "Blocks keep the data close to the processor, so the blockwise loop moves less memory.",
        ],
        [  # tiny blocks pay the Python overhead
            "With very small blocks the Python loop runs many times, and each trip has the fixed "
            "overhead of several NumPy calls.",
            "Tiny blocks mean many iterations and small matrix products that use the hardware "
            "badly, so the overhead dominates.",
            "For the smallest block sizes the per-block cost of Python and NumPy is larger than the "
            "work itself.",
            "The loop overhead grows with n_k / block_size, so small blocks are slow.",
        ],
        [  # FlashAttention
            "FlashAttention does the same on a GPU: it keeps each tile in the on-chip memory and "
            "never writes the n by n matrix.",
            "On a GPU memory is much slower than arithmetic, so FlashAttention's tiling saves most "
            "of the time.",
            "FlashAttention reads Q, K and V once, writes only the output, and runs the whole loop "
            "in one kernel.",
            "The GPU version fuses the blocks into one kernel in fast shared memory, so it has no "
            "per-block overhead like Python.",
        ],
    ],
    "understanding_2": [
        [  # keys and values depend on their own token only
            "k_j = x_j W_k and v_j = x_j W_v depend only on token j's embedding, which does not "
            "change later.",
            "A key or a value is computed from its own token alone, so new tokens never change it.",
            "Keys and values are fixed once their token is known, so they can be computed once and "
            "reused.",
            "Since the projections only look at one token, old keys and values stay valid.",
        ],
        [  # old queries and outputs are final with a causal mask
            "An old query is only used for that token's own output, and with the causal mask that "
            "output is final as soon as it is computed.",
            "With causal attention earlier outputs never change, so their queries are not needed "
            "again.",
            "Causality means a token only sees the past, so past outputs stay the same and we can "
            "forget their queries.",
            "We never need old queries: each output depends on tokens up to itself, which are "
            "already there.",
        ],
        [  # without the mask every output changes
            "Without the causal mask every earlier token could attend to the new one, so all earlier "
            "outputs would change at every step.",
            "If attention were not causal, adding a token would change every previous output and "
            "all queries would be needed again.",
            "Non-causal attention means recomputing all t outputs at each step, about t squared "
            "work.",
            "Then the cache would only save the projections, because all the attention would have "
            "to be redone.",
        ],
    ],
}
