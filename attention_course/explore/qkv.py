"""Chapter 1's toy data, figures and explorer: embeddings and their queries, keys and values."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from attention_course.explorer import explore, text_beside
from attention_course.figures import draw_heatmap, message_figure, new_figure
from attention_course.messages import not_written_figure_text

#: A tiny vocabulary. Its four embedding dimensions are hand-made so that a person can read
#: them: how much a word is an animal, an action, a place, and how much it is a function word.
VOCABULARY = ["the", "cat", "dog", "sat", "ran", "on", "mat", "park"]
FEATURES = ["animal", "action", "place", "function word"]
EMBEDDINGS = np.array(
    [
        [0.0, 0.0, 0.0, 1.0],  # the
        [1.0, 0.1, 0.0, 0.0],  # cat
        [0.9, 0.2, 0.0, 0.0],  # dog
        [0.1, 1.0, 0.2, 0.0],  # sat
        [0.2, 0.9, 0.0, 0.0],  # ran
        [0.0, 0.1, 0.5, 0.8],  # on
        [0.0, 0.0, 1.0, 0.1],  # mat
        [0.0, 0.1, 0.9, 0.0],  # park
    ]
)


#: The example sentence of the chapter and its matrix X, written out row by row from the
#: table above, so that the lesson's cells run before the learner's `embed` does.
SENTENCE = ["the", "cat", "sat", "on", "the", "mat"]
SENTENCE_X = np.array(
    [
        [0.0, 0.0, 0.0, 1.0],
        [1.0, 0.1, 0.0, 0.0],
        [0.1, 1.0, 0.2, 0.0],
        [0.0, 0.1, 0.5, 0.8],
        [0.0, 0.0, 0.0, 1.0],
        [0.0, 0.0, 1.0, 0.1],
    ]
)


def projection_weights(d_model: int = 4, d_k: int = 3, d_v: int = 5, seed: int = 0):
    """Three fixed random projection matrices W_q, W_k (d_model, d_k) and W_v (d_model, d_v).

    In a trained transformer they are learned; here they are random but fixed by the seed,
    so every run of the notebook shows the same numbers.
    """
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(d_model)
    W_q = rng.normal(scale=scale, size=(d_model, d_k)).round(2)
    W_k = rng.normal(scale=scale, size=(d_model, d_k)).round(2)
    W_v = rng.normal(scale=scale, size=(d_model, d_v)).round(2)
    return W_q, W_k, W_v


def embedding_table_figure(vocabulary=VOCABULARY, E=EMBEDDINGS, features=FEATURES):
    """The embedding table E as a heatmap: one row per word, one column per dimension."""
    figure = new_figure(6, 3.8)
    ax = figure.subplots()
    draw_heatmap(
        ax,
        E,
        row_labels=vocabulary,
        column_labels=features,
        title="The embedding table E: one row per word",
        xlabel=f"embedding dimension (d_model = {E.shape[1]})",
        ylabel="word in the vocabulary",
        cmap="cividis",
        colorbar_label="value",
    )
    return figure


def sentence_matrix_figure(embed, tokens=SENTENCE, vocabulary=VOCABULARY, E=EMBEDDINGS,
                           features=FEATURES):
    """The matrix X = embed(tokens) that the learner's function makes of a sentence."""
    try:
        X = embed(tokens, vocabulary, E)
    except NotImplementedError:
        return message_figure(not_written_figure_text("embed"))
    figure = new_figure(6, 1.2 + 0.45 * len(tokens))
    ax = figure.subplots()
    draw_heatmap(
        ax,
        X,
        row_labels=tokens,
        column_labels=features,
        title=f"X = embed(sentence): shape {tuple(np.shape(X))}",
        xlabel="embedding dimension",
        ylabel="position in the sentence",
        cmap="cividis",
    )
    return figure


def qkv_explorer(embed, qkv_projections, vocabulary=VOCABULARY, E=EMBEDDINGS, weights=None):
    """Pick a word: see its embedding and the query, key and value your functions make of it."""
    W_q, W_k, W_v = weights if weights is not None else projection_weights(E.shape[1])
    word = widgets.Dropdown(
        options=list(vocabulary),
        value=vocabulary[1],
        description="word",
        style={"description_width": "initial"},
    )
    labels = ["embedding x", "query q = x W_q", "key k = x W_k", "value v = x W_v"]

    def vectors(word) -> list[np.ndarray]:
        x = embed([word], vocabulary, E)
        q, k, v = qkv_projections(x, W_q, W_k, W_v)
        return [np.asarray(row, dtype=float).reshape(1, -1) for row in (x, q, k, v)]

    def lengths(values) -> tuple:
        # The vectors' lengths decide the axes (their ticks and labels). They are the same
        # for every word, unless a function is not right yet: then each gets its figure.
        return tuple(row.shape[1] for row in vectors(values["word"]))

    def build(figure, word):
        rows = vectors(word)
        widest = max(row.shape[1] for row in rows)
        axes = figure.subplots(len(rows), 1)
        cells, numbers = [], []
        for ax, label, row in zip(axes, labels, rows):
            length = row.shape[1]
            # The cells of a heatmap (as in draw_heatmap), drawn as a mesh: a mesh of a few
            # cells draws ten times faster than an image, and this one is drawn on every move.
            cells.append(ax.pcolormesh(np.arange(length + 1) - 0.5, [-0.5, 0.5], row,
                                       cmap="cividis", vmin=-1, vmax=1))
            numbers.append([ax.text(j, 0, "", ha="center", va="center", fontsize=8)
                            for j in range(length)])
            # Every component gets the same width, so the vectors' lengths can be compared.
            ax.set_xlim(-0.5, widest - 0.5)
            ax.set_ylim(0.5, -0.5)
            ax.set_xticks(range(length), [str(i) for i in range(length)])
            ax.set_yticks([0], [""])
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.set_ylabel(f"{label}\nlength {length}", rotation=0, ha="right", va="center")
        # The title reads "'cat': its embedding, and what ...". Only the word changes, and
        # a long title takes as long to draw as all the numbers: the rest is drawn once.
        top = axes[0]
        top.set_title("its embedding, and what the three projections make of it")
        named = text_beside(top.title, side="left")
        axes[-1].set_xlabel("component")

        def update(word):
            rows = vectors(word)
            # One colour scale for the four vectors, symmetric about 0, fitted to this word.
            limit = max(float(np.max(np.abs(row))) for row in rows) or 1.0
            for mesh, texts, row in zip(cells, numbers, rows):
                mesh.set_array(row)
                mesh.set_clim(-limit, limit)
                for text, value in zip(texts, row[0]):
                    text.set_text(f"{value:.2f}")
                    text.set_color("black" if value > 0 else "white")
            named.set_text(f"'{word}': ")
            return [*cells, *(text for texts in numbers for text in texts), named]

        return update

    return explore(build=build, controls={"word": word}, structure=lengths, figsize=(8, 3.6),
                   title="Queries, keys and values of one word")
