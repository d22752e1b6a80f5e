"""Chapter 5's figures and explorer: a library searched by attention, softly or hard."""

from __future__ import annotations

import numpy as np

from attention_course.catalog import KEYS, SHORT_TITLES, TOPICS, VALUES, VOCABULARY
from attention_course.explorer import explore, slider, temperature_slider
from attention_course.figures import draw_bars, draw_heatmap, new_figure


def catalog_figure(keys=KEYS, values=VALUES, titles=SHORT_TITLES, vocabulary=VOCABULARY,
                   topics=TOPICS):
    """The card catalog as the key matrix (books x words) beside the values (books x topics)."""
    figure = new_figure(11, 4.4)
    key_ax, value_ax = figure.subplots(1, 2, width_ratios=[len(vocabulary), len(topics) + 2])
    draw_heatmap(
        key_ax, keys, row_labels=titles, column_labels=vocabulary,
        title=f"keys: word counts on each card {np.shape(keys)}",
        xlabel="vocabulary word", ylabel="book", cmap="viridis", annotate=False,
    )
    key_ax.tick_params(axis="x", labelrotation=90)
    for (i, j), count in np.ndenumerate(np.asarray(keys)):
        if count:
            key_ax.text(j, i, f"{count:g}", ha="center", va="center", fontsize=8,
                        color="black" if count > 1 else "white")
    draw_heatmap(
        value_ax, values, row_labels=["" for _ in titles], column_labels=topics,
        title=f"values: topic mix {np.shape(values)}", xlabel="topic", ylabel="",
        cmap="cividis", vmin=0, vmax=1, annotate=False,
    )
    for (i, j), share in np.ndenumerate(np.asarray(values)):
        if share:
            value_ax.text(j, i, f"{share:.1f}", ha="center", va="center", fontsize=8,
                          color="black" if share > 0.5 else "white")
    return figure


def library_explorer(encode, library_search, best_match=None, *, query="machine learning",
                     keys=KEYS, values=VALUES, titles=SHORT_TITLES, vocabulary=VOCABULARY,
                     topics=TOPICS):
    """Type a query and move the temperature; your functions search the library.

    ``encode`` turns the query into a vector, ``library_search`` weighs the books and blends
    their topic mixes, and ``best_match`` (if given and written) marks the hard lookup's book.
    """
    text = slider("Text", "query", value=query, continuous_update=False, width="420px")

    def draw(figure, query, temperature):
        vector = np.asarray(encode(query, vocabulary), dtype=float)
        weights, result = library_search(vector, keys, values, temperature=temperature)
        best = _best_or_none(best_match, vector, keys)
        books_ax, topics_ax = figure.subplots(1, 2, width_ratios=[2.2, 1])
        draw_bars(
            books_ax, titles, weights, highlight=best,
            title=f"weights of the books for '{query}' at T = {temperature:.3g}",
            xlabel="book" + ("   (highlighted: your best_match, the hard lookup)" if best is not None else ""),
            ylabel="attention weight",
        )
        for x, w in enumerate(np.asarray(weights, dtype=float)):
            books_ax.text(x, w + 0.02, f"{w:.2f}", ha="center", fontsize=8)
        found = [word for word, count in zip(vocabulary, vector) if count]
        if not found:
            books_ax.text(0.5, 0.75, "none of the query's words is in the vocabulary:\n"
                          "every score is 0, so every book weighs the same",
                          transform=books_ax.transAxes, ha="center", fontsize=10)
        draw_bars(
            topics_ax, topics, result,
            title="what you carry home: result", xlabel="topic", ylabel="share of the result",
        )
        topics_ax.text(0.5, 0.97, "query words: " + (", ".join(found) if found else "none"),
                       transform=topics_ax.transAxes, ha="center", va="top", fontsize=9)

    return explore(
        draw,
        {"query": text, "temperature": temperature_slider(1.0, 0.01, 20.0)},
        figsize=(11, 4.4),
        title="Search the library with your own functions",
    )


def _best_or_none(best_match, vector, keys):
    """The learner's best match, or None when there is no best_match or it is not written."""
    if best_match is None:
        return None
    try:
        best = best_match(vector, keys)
    except NotImplementedError:
        return None
    return int(best)
