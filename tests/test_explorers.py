"""The slider explorers, in this process: every position draws what a whole redraw draws.

An explorer built with ``build`` redraws by blitting: it pastes back a background rendered
once and draws only the artists that ``update`` returned. If ``update`` changed anything
else (a limit, a label, an artist it did not return), the blitted frame would show stale
pixels. So for every control of every explorer of every solution notebook, each position is
rendered both ways and the two images must agree: the first two steps from where it starts
(stale pixels show on the first frames after the background) and a position ``MOVES`` steps
away (a far move changes the most).
"""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest

from tests.notebooks import ALL_CHAPTERS, cell_results, control_moves, solution_path

MOVES = 6
#: Pixels that may differ by more than a faint shade: where two lines cross, the blitted
#: frame draws the changing one on top, a whole redraw draws them in the order they were made.
DIFFERENT_SHARE = 0.0005
SHADE = 40


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def _differing_share(fast: bytes, whole: bytes) -> float:
    a, b = _pixels(fast), _pixels(whole)
    assert a.shape == b.shape, f"the frames differ in size: {a.shape} and {b.shape}"
    return float((np.abs(a - b).max(axis=2) > SHADE).mean())


@pytest.fixture(scope="module", params=ALL_CHAPTERS)
def chapter_cells(request):
    """A solution notebook run in this process, once for the tests below: what its cells show."""
    return request.param, cell_results(solution_path(request.param))


@pytest.fixture
def chapter_explorers(chapter_cells):
    from attention_course.explorer import Explorer

    chapter, cells = chapter_cells
    return chapter, [(index, source, value) for index, source, value in cells if isinstance(value, Explorer)]


def test_every_chapter_has_an_explorer(chapter_explorers):
    chapter, explorers = chapter_explorers
    assert explorers, f"{chapter}: no cell ends with an explorer"


def test_blitted_frames_match_whole_redraws(chapter_explorers):
    chapter, explorers = chapter_explorers
    problems = []
    for index, _source, explorer in explorers:
        if explorer.build is None:
            problems.append(f"cell {index}: redraws the whole figure on every move (no build/update)")
            continue
        explorer.render()
        for name, control in explorer.controls.items():
            start = control.value
            moves = control_moves(control, MOVES)
            for value in moves[:2] + moves[-1:]:
                control.value = value
                explorer._frames.clear()
                fast = explorer.render()
                share = _differing_share(fast, explorer.render_whole())
                if share > DIFFERENT_SHARE:
                    problems.append(f"cell {index}: {name} = {value!r}: {share:.3%} of the pixels differ")
            control.value = start
    assert not problems, f"{chapter}:\n" + "\n".join(problems)


def test_a_function_not_written_yet_shows_a_message_then_the_figure():
    from attention_course.explore.softmax import temperature_explorer

    written = False

    def softmax_with_temperature(x, temperature):
        if not written:
            raise NotImplementedError
        z = np.asarray(x, dtype=float) / temperature
        e = np.exp(z - z.max())
        return e / e.sum()

    explorer = temperature_explorer(softmax_with_temperature)
    message = _pixels(explorer.render())
    written = True
    explorer._frames.clear()
    figure = explorer.render()
    assert _differing_share(explorer.render_whole(), figure) <= DIFFERENT_SHARE
    assert (np.abs(message - _pixels(figure)).max(axis=2) > SHADE).mean() > 0.05, "the message stayed up"


def test_a_changed_background_artist_is_drawn_again():
    """``update`` may change an artist it does not return (a line that changes only now and
    then): the frame must show the change, as a whole redraw does."""
    import ipywidgets as widgets

    from attention_course.explorer import explore

    def build(figure, level):
        ax = figure.subplots()
        ax.set(xlim=(0, 1), ylim=(0, 10), title="a test", xlabel="x", ylabel="level")
        (bar,) = ax.plot([0.2, 0.2], [0, level], linewidth=8)
        note = ax.text(0.5, 8, "", fontsize=20, ha="center")  # changed, never returned

        def update(level):
            bar.set_ydata([0, level])
            note.set_text("high" if level > 5 else "low")
            return [bar]

        return update

    explorer = explore(build=build, controls={"level": widgets.IntSlider(value=2, min=0, max=10)})
    explorer.render()
    explorer.controls["level"].value = 3  # blitted over the background drawn at level 2
    explorer.controls["level"].value = 8  # "low" becomes "high"
    blitted = explorer.render()  # the frame drawn on the move
    share = _differing_share(blitted, explorer.render_whole())
    assert share <= DIFFERENT_SHARE, f"{share:.3%} of the pixels differ: the old note is still shown"


@pytest.mark.parametrize("background_alpha", [1.0, 0.0])
def test_the_png_holds_exactly_the_drawn_pixels(background_alpha):
    from attention_course.figures import encode_png, new_figure

    figure = new_figure(4, 2)
    figure.patch.set_alpha(background_alpha)
    ax = figure.subplots()
    ax.plot([0, 1], [0, 1], color="#d55e00")
    ax.set(title="a figure", xlabel="x", ylabel="y")
    figure.canvas.draw()
    drawn = np.asarray(figure.canvas.buffer_rgba())
    image = PIL.Image.open(io.BytesIO(encode_png(figure.canvas)))
    assert image.mode == ("RGB" if background_alpha == 1 else "RGBA")
    assert np.array_equal(np.asarray(image), drawn[..., : len(image.mode)])


#: Colour maps that read the same for every kind of colour vision, and in grey.
SAFE_COLOUR_MAPS = {"viridis", "cividis"}


def _figure_problems(figure) -> list[str]:
    """What a learner could not read: an untitled figure, an axes without labels, a colour map
    that is not colour-blind safe."""
    from matplotlib.cm import ScalarMappable

    problems = []
    shown = [ax for ax in figure.axes if ax.get_visible() and ax.axison and not hasattr(ax, "_colorbar")]
    titled = bool(figure._suptitle and figure._suptitle.get_text()) or any(ax.get_title() for ax in shown)
    if shown and not titled:
        problems.append("no title")
    for number, ax in enumerate(shown, start=1):
        if not (ax.get_xlabel() or ax.get_ylabel()):
            problems.append(f"axes {number} has no axis label")
    for ax in figure.axes:
        for artist in [*ax.images, *ax.collections]:
            if isinstance(artist, ScalarMappable) and artist.get_array() is not None:
                if artist.get_cmap().name not in SAFE_COLOUR_MAPS:
                    problems.append(f"colour map {artist.get_cmap().name!r} is not one of {sorted(SAFE_COLOUR_MAPS)}")
    return problems


def test_every_figure_is_titled_labelled_and_colour_blind_safe(chapter_cells):
    from matplotlib.figure import Figure

    from attention_course.explorer import Explorer

    chapter, cells = chapter_cells
    problems, seen = [], 0
    for index, _source, value in cells:
        if isinstance(value, Explorer):
            value.render()
            figures = [scene.figure for scene in value._scenes.values()] or [value.figure]
        elif isinstance(value, Figure):
            figures = [value]
        else:
            continue
        for figure in figures:
            seen += 1
            problems += [f"cell {index}: {problem}" for problem in _figure_problems(figure)]
    assert seen, f"{chapter}: no figure found"
    assert not problems, f"{chapter}:\n" + "\n".join(problems)


def _not_written(*args, **kwargs):
    raise NotImplementedError()


def _texts(figure) -> str:
    return " ".join(t.get_text() for t in [*figure.texts, *(t for ax in figure.axes for t in ax.texts)])


def test_a_figure_of_a_function_not_written_yet_says_so():
    from attention_course.explore.attention_diagram import draw_self_attention_diagram
    from attention_course.explore.loop_timing import plot_loop_vs_vectorized
    from attention_course.explore.self_attention import plot_attention_lines, plot_in_context, plot_long_range
    from attention_course.messages import NOT_WRITTEN
    from attention_course.sentences import W_K, W_Q, W_V, toy_embeddings

    _, X = toy_embeddings("the hungry cat")
    figures = {
        "plot_attention_lines": plot_attention_lines(_not_written),
        "plot_in_context": plot_in_context(_not_written),
        "plot_long_range": plot_long_range(_not_written),
        "draw_self_attention_diagram": draw_self_attention_diagram(_not_written, X, W_Q, W_K, W_V),
        "plot_loop_vs_vectorized": plot_loop_vs_vectorized(_not_written, _not_written, _not_written),
    }
    silent = [name for name, figure in figures.items() if NOT_WRITTEN not in _texts(figure)]
    assert not silent, f"these do not say that the function is not written yet: {silent}"


def test_a_check_of_a_function_not_written_yet_shows_its_message_alone():
    """IPython shows an exception by its ``_render_traceback_`` when it has one: the learner
    sees the friendly message, not the checking machinery's frames."""
    from attention_course.checking import Case, check
    from attention_course.messages import NOT_WRITTEN

    with pytest.raises(AssertionError) as caught:
        check("softmax", _not_written, [Case("a row", (np.zeros(3),), expected=np.full(3, 1 / 3))])
    shown = caught.value._render_traceback_()
    assert len(shown) == 1 and NOT_WRITTEN in shown[0] and NOT_WRITTEN in str(caught.value)


def test_a_real_error_keeps_its_traceback():
    from attention_course.checking import Case, check

    def broken(x):
        return x.nonexistent

    with pytest.raises(AssertionError) as caught:
        check("softmax", broken, [Case("a row", (np.zeros(3),), expected=np.full(3, 1 / 3))])
    assert not hasattr(caught.value, "_render_traceback_")
    assert isinstance(caught.value.__cause__, AttributeError), "the learner's own error must stay attached"


def test_toy_data_modules_import_numpy_only():
    import subprocess
    import sys

    code = ("import sys; import attention_course.sentences, attention_course.catalog; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]", f"a toy-data module pulls in {loaded}"
