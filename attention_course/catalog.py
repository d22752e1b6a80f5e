"""Chapter 5's toy library: ten books, the words on their catalog cards, and their topics.

A card is a book's title followed by its keywords. The key of a book counts how often each
word of :data:`VOCABULARY` appears on its card; the counts are written out below as data
(the notebook's ``encode`` exercise computes the same numbers from the card's text). The
value of a book is what you carry home: how much of each topic in :data:`TOPICS` it holds.
"""

from __future__ import annotations

import numpy as np

#: The words the card catalog knows about; any other word of a query is ignored.
VOCABULARY = [
    "machine", "learning", "deep", "neural", "networks",
    "statistics", "probability", "data", "python", "programming",
    "language", "history", "war", "rome", "cooking",
    "bread", "music", "jazz", "garden", "poetry",
]

#: What a book's value vector is made of.
TOPICS = ["computing", "mathematics", "history", "food", "arts"]

#: (title, keywords, word counts on the card, topic mix) for each book.
_BOOKS = [
    ("Machine Learning: A Gentle Start", "machine learning, statistics, data",
     {"machine": 2, "learning": 2, "statistics": 1, "data": 1},
     {"computing": 0.6, "mathematics": 0.4}),
    ("Deep Learning with Neural Networks", "deep learning, neural networks",
     {"deep": 2, "learning": 2, "neural": 2, "networks": 2},
     {"computing": 0.8, "mathematics": 0.2}),
    ("Statistics and Probability", "statistics, probability, data",
     {"statistics": 2, "probability": 2, "data": 1},
     {"mathematics": 1.0}),
    ("Python Programming for Data", "python, programming, data",
     {"python": 2, "programming": 2, "data": 2},
     {"computing": 0.9, "mathematics": 0.1}),
    ("Language Models and Transformers", "language, neural networks, machine learning",
     {"language": 2, "neural": 1, "networks": 1, "machine": 1, "learning": 1},
     {"computing": 0.7, "mathematics": 0.1, "arts": 0.2}),
    ("Learning to Bake Bread", "cooking, bread",
     {"learning": 1, "bread": 2, "cooking": 1},
     {"food": 1.0}),
    ("Learning Jazz by Ear", "music, jazz",
     {"learning": 1, "jazz": 2, "music": 1},
     {"arts": 1.0}),
    ("The Machine Age: A History", "history, machine, war",
     {"machine": 2, "history": 2, "war": 1},
     {"computing": 0.3, "history": 0.7}),
    ("Rome at War", "history, rome, war",
     {"rome": 2, "war": 2, "history": 1},
     {"history": 1.0}),
    ("Poetry of the Garden", "poetry, garden",
     {"poetry": 2, "garden": 2},
     {"food": 0.3, "arts": 0.7}),
]

TITLES = [title for title, _, _, _ in _BOOKS]

#: The text of each catalog card: the title, then the keywords.
CARDS = [f"{title}. Keywords: {keywords}" for title, keywords, _, _ in _BOOKS]

#: The keys: row i counts the vocabulary words on card i, shape (n_books, len(VOCABULARY)).
KEYS = np.array(
    [[counts.get(word, 0) for word in VOCABULARY] for _, _, counts, _ in _BOOKS], dtype=float
)

#: The values: row i is book i's topic mix, shape (n_books, len(TOPICS)); each row sums to 1.
VALUES = np.array([[mix.get(topic, 0.0) for topic in TOPICS] for _, _, _, mix in _BOOKS])

#: Short titles for tick labels.
SHORT_TITLES = [
    "ML: Gentle Start", "Deep Learning", "Stats & Probability", "Python for Data",
    "Language Models", "Bake Bread", "Jazz by Ear", "The Machine Age", "Rome at War",
    "Garden Poetry",
]
