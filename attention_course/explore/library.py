"""Chapter 5's figures and explorer: a library searched by attention, softly or hard."""

from __future__ import annotations

import numpy as np

from attention_course.catalog import KEYS, SHORT_TITLES, TOPICS, VALUES, VOCABULARY
from attention_course.explorer import explore, slider, temperature_slider, text_beside
from attention_course.figures import draw_bars, draw_heatmap, new_figure, set_bars

#: Characters of the query's words that the explorer shows.
WORDS_SHOWN = 60


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
    # The search follows the typing, as a library's search box would: the browser sends
    # only the newest text once the kernel has drawn the last one.
    text = slider("Text", "query", value=query, continuous_update=True, width="420px",
                  placeholder="words such as: jazz, history, neural networks, bread")
    n_books, n_topics = len(titles), len(topics)

    def build(figure, query, temperature):
        # Whether best_match marks a book does not change with the query: decide the
        # label once (a learner who writes best_match later runs this cell again).
        marks = _best_or_none(best_match, _encode(encode, query, vocabulary), keys) is not None
        books_ax, topics_ax = figure.subplots(1, 2, width_ratios=[2.2, 1])
        books = draw_bars(
            books_ax, titles, np.zeros(n_books), title="attention weights of the books at",
            xlabel="book" + ("   (highlighted: your best_match, the hard lookup)" if marks else ""),
            ylabel="attention weight",
        )
        temperature_text = text_beside(books_ax.title, room=" T = 0.0724")
        books_ax.set_ylim(0, 1.15)  # room for the query line, and the number over a bar of weight 1
        # Text is what takes longest to draw on a move (about 1 ms a label, 8 ms the line of
        # words found): the texts that change with T are short, a number is only written
        # over a bar that shows, and the line of words found is not returned by update. It
        # stays in the background, which is drawn again only when those words change.
        shares = [books_ax.text(x, 0.02, "", ha="center", fontsize=8) for x in range(n_books)]
        searched = books_ax.text(0.01, 0.98, "", transform=books_ax.transAxes, va="top", fontsize=10)
        nothing_found = books_ax.text(
            0.5, 0.7, "none of the query's words is in the vocabulary:\n"
            "every score is 0, so every book weighs the same",
            transform=books_ax.transAxes, ha="center", fontsize=10, visible=False,
        )
        result_bars = draw_bars(
            topics_ax, topics, np.zeros(n_topics),
            title="what you carry home: result", xlabel="topic", ylabel="share of the result",
        )
        topics_ax.set_ylim(0, 1.05)

        def update(query, temperature):
            vector = _encode(encode, query, vocabulary)
            weights, result = library_search(vector.copy(), keys, values, temperature=temperature)
            weights = _row(weights, n_books, "weights")
            result = _row(result, n_topics, "result")
            set_bars(books, weights, highlight=_best_or_none(best_match, vector.copy(), keys))
            for x, (label, w) in enumerate(zip(shares, weights)):
                label.set_position((x, w + 0.02))
                label.set_text(f"{w:.2f}")
                label.set_visible(w >= 0.005)  # a row of "0.00" says nothing the bars do not
            found = [word for word, count in zip(vocabulary, vector) if count]
            searched.set_text("words of the query in the catalog: " + _shortened(", ".join(found) or "none"))
            nothing_found.set_visible(not found)
            temperature_text.set_text(f" T = {temperature:.3g}")
            set_bars(result_bars, result)
            return [*books, *shares, temperature_text, *result_bars]

        return update

    return explore(
        build=build,
        controls={"query": text, "temperature": temperature_slider(1.0, 0.01, 20.0)},
        figsize=(10, 4),
        title="Search the library with your own functions",
    )


def _shortened(words: str) -> str:
    """The words, cut short if they would run out of their panel."""
    return words if len(words) <= WORDS_SHOWN else words[: WORDS_SHOWN - 1].rstrip() + "\u2026"


def _encode(encode, query: str, vocabulary) -> np.ndarray:
    return np.asarray(encode(query, vocabulary), dtype=float)


def _row(numbers, length: int, name: str) -> np.ndarray:
    """The learner's numbers as a flat row of ``length``, or a clear error."""
    row = np.asarray(numbers, dtype=float).ravel()
    if row.shape != (length,):
        raise ValueError(f"library_search's {name} have {row.size} numbers, expected {length}")
    return row


def _best_or_none(best_match, vector, keys):
    """The learner's best match, or None when there is no best_match or it is not written."""
    if best_match is None:
        return None
    try:
        best = best_match(vector, keys)
    except NotImplementedError:
        return None
    return int(best)
