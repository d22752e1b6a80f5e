"""Chapter 6's toy language: words with hand-set features, and the weights of one attention layer.

Everything here is set by hand, so that what the figures show really follows from the
numbers: a trained model learns its own embeddings and weights, and they are not readable
like these. Each word's embedding says what kind of word it is (:data:`FEATURES`); the
projections say what each kind of word looks for (W_Q), what it offers to be found by (W_K)
and what it hands on when found (W_V):

- a verb looks for its doer and its object (a person or animal, and a thing);
- an adjective looks for the kind of noun it describes (hungry: a person or animal; red: a thing);
- a noun looks for the verb and for the adjectives that describe its kind;
- a pronoun (he, she) looks for a person;
- a small function word (the, a, on) looks, weakly, for any noun.

Data only: this module imports NumPy and nothing else.
"""

from __future__ import annotations

import numpy as np

#: What each of the eight embedding dimensions means (d_model = 8).
FEATURES = ["person", "animal", "thing", "action", "pronoun", "describes animate",
            "describes thing", "function word"]

_KINDS = {
    "function": {"function word": 1.0},
    "person": {"person": 1.0},
    "animal": {"animal": 1.0},
    "thing": {"thing": 1.0},
    "action": {"action": 1.0},
    "pronoun": {"pronoun": 1.0},
    "animate adjective": {"describes animate": 1.0},
    "thing adjective": {"describes thing": 1.0},
}

_WORDS = {
    "function": ["the", "a", "and", "on", "to"],
    "person": ["maria", "tom", "girl"],
    "animal": ["cat", "dog", "mouse"],
    "thing": ["ball", "mat", "bread", "fish", "market", "morning"],
    "action": ["sat", "chased", "ate", "fed", "walked", "bought", "smiled"],
    "pronoun": ["she", "he"],
    "animate adjective": ["hungry", "tired"],
    "thing adjective": ["red", "fresh", "rainy"],
}

#: The words the toy model knows, and their embeddings E, shape (len(VOCABULARY), 8).
VOCABULARY = [word for words in _WORDS.values() for word in words]
EMBEDDINGS = np.array(
    [[_KINDS[kind].get(name, 0.0) for name in FEATURES] for kind, words in _WORDS.items() for _ in words]
)

#: The six query/key dimensions (d_k = 6): what a query looks for, what a key offers.
KEY_DIMENSIONS = ["a person", "an animal", "a thing", "an action", "animate-describer", "thing-describer"]
#: The four value dimensions (d_v = 4): the content a word hands on.
VALUE_DIMENSIONS = ["person", "animal", "thing", "action"]


def _projection(rows: dict[str, list[float]], width: int) -> np.ndarray:
    matrix = np.zeros((len(FEATURES), width))
    for feature, row in rows.items():
        matrix[FEATURES.index(feature)] = row
    return matrix


#                        person animal thing action anim-adj thing-adj
W_Q = _projection(
    {
        "person":            [0.0, 0.0, 0.0, 3.0, 3.0, 0.0],
        "animal":            [0.0, 0.0, 0.0, 3.0, 3.0, 0.0],
        "thing":             [0.0, 0.0, 0.0, 3.0, 0.0, 3.0],
        "action":            [3.0, 3.0, 3.0, 0.0, 0.0, 0.0],
        "pronoun":           [5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "describes animate": [4.0, 4.0, 0.0, 0.0, 0.0, 0.0],
        "describes thing":   [0.0, 0.0, 4.0, 0.0, 0.0, 0.0],
        "function word":     [1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
    },
    6,
)
W_K = _projection(
    {
        "person":            [2.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "animal":            [0.0, 2.0, 0.0, 0.0, 0.0, 0.0],
        "thing":             [0.0, 0.0, 2.0, 0.0, 0.0, 0.0],
        "action":            [0.0, 0.0, 0.0, 2.0, 0.0, 0.0],
        "describes animate": [0.0, 0.0, 0.0, 0.0, 2.0, 0.0],
        "describes thing":   [0.0, 0.0, 0.0, 0.0, 0.0, 2.0],
    },
    6,
)
#                        person animal thing action
W_V = _projection(
    {
        "person":            [1.0, 0.0, 0.0, 0.0],
        "animal":            [0.0, 1.0, 0.0, 0.0],
        "thing":             [0.0, 0.0, 1.0, 0.0],
        "action":            [0.0, 0.0, 0.0, 1.0],
    },
    4,
)

SHORT_SENTENCE = "the hungry cat chased the red ball"
LONG_SENTENCE = "maria walked to the market on a rainy morning and she bought fresh bread"
PRONOUN_SENTENCE = "tom fed the hungry dog and he smiled"
SENTENCES = [SHORT_SENTENCE, PRONOUN_SENTENCE, LONG_SENTENCE]
#: Two sentences that share a word (:data:`SHARED_WORD`) in different company.
CONTEXT_SENTENCES = ("the hungry cat ate the fish", "the hungry girl ate the bread")
SHARED_WORD = "ate"


def toy_embeddings(sentence: str) -> tuple[list[str], np.ndarray]:
    """The sentence's tokens and their embeddings X, shape (number of words, 8)."""
    tokens = sentence.split()
    return tokens, EMBEDDINGS[[VOCABULARY.index(t) for t in tokens]]
