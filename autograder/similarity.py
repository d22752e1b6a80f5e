"""Which submissions of a chapter are alike: every pair of students compared on their own work.

A student's own work is what grading takes from a submission (rebuild.py): the answer cells,
the code ones (the graded functions) and the markdown ones ("check your understanding").
:func:`compare` takes the chapter's release notebook and each student's notebook, and:

1. reads each answer by its grade id; a notebook that cannot be read, or an answer that is
   missing, becomes a note, never an error;
2. fingerprints it. Code is compared as a program: parsed with ``ast``, docstrings, imports,
   comments, blank lines and layout are gone; every name the cell binds (variables,
   parameters, helper functions) becomes one placeholder, the text of string literals
   another, numbers are their value; the tokens of each top-level function are cut into
   overlapping runs of :data:`CODE_GRAM` tokens, each function apart, so that the order of
   helper functions does not matter. Code that does not parse is compared as text: its
   tokens, names kept, comments dropped. A written answer is compared as text: pairs of
   words (:data:`TEXT_GRAM`), lower-cased, punctuation and markup dropped;
3. takes away what the release gave: every run that occurs in the release's code (stubs,
   given cells, lesson) or text (questions, lesson) is dropped;
4. weighs each remaining run by how rare it is in the class (:func:`rarity`): 1 when only
   two students have it, 0 when everyone does. What any solution must contain weighs
   nothing, what most students write alike little, a paragraph or a function only the two
   wrote fully. Two students' answers are compared by the weight of the runs they share
   over the mean weight of their own runs;
5. scores each pair by its answers, each answer weighing in the score by what agreement on
   it can say: its distinctive work (its runs' weight, up to :data:`ANSWER_CAP`, so that no
   answer decides alone), less when many students wrote nearly the same as either of the two
   (the answers most students write alike), and less when many pairs of this class answered
   it nearly the same (:func:`surprise`: a short exercise that most solve one way says little,
   a paragraph says much). The score is the weight of what the pair shares over the weight
   of what it could share (at least :data:`MIN_WORK`, so that a pair whose work says little
   cannot score high; and so much that one function alone gives at most
   :data:`ONE_FUNCTION` of the score): 1 when all of it is the same. A pair is flagged from ``threshold``
   (:data:`DEFAULT_THRESHOLD`). Each answer is also scored alone: those at
   :data:`ANSWER_MATCH` or more are the pair's ``matched`` answers, and
   :meth:`Comparison.side_by_side` marks the parts of each that match.

Nothing here reads a file or leaves the process: notebooks in, records out
(similarity_report.py writes them).
"""

from __future__ import annotations

import ast
import io
import math
import re
import time
import tokenize
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from autograder.common import one_line
from autograder.notebook_model import grade_id, is_answer, source_text
from autograder.rebuild import answers_of

#: The score from which a pair is flagged, chosen from bench/similarity.py's figures (README,
#: "Similar submissions"): in classes of 200, no pair of students who did their own work
#: scored it (of 477,024), and 430 of 432 copies made the ways students copy did.
DEFAULT_THRESHOLD = 0.5
#: Tokens per fingerprint of code, words per fingerprint of text.
CODE_GRAM = 8
TEXT_GRAM = 2
#: The least weight a pair's score is divided by: a third of what one answer can weigh.
MIN_WORK = 6.0
#: Two answers are "nearly the same" when this share of their fingerprints is common.
NEAR = 0.7
#: How steeply an answer's weight falls with the share of pairs that agree on it (:func:`surprise`).
SURPRISE_POWER = 2.0
#: The most of a pair's score that one function alone can give.
ONE_FUNCTION = 0.4
#: The most weight one answer has in a pair's score: twenty pairs of words, or a few lines of
#: code, that nobody else wrote.
ANSWER_CAP = 20.0
#: An answer alone: its least weight of own work, and the score from which it is "matched".
MIN_ANSWER_WORK = 6.0
ANSWER_MATCH = 0.5
#: How steeply a fingerprint's weight falls with the number of students who have it (:func:`rarity`).
RARITY_POWER = 2.0
#: A matching part that weighs at least this is marked as strong evidence (shared by few).
STRONG = 0.5
#: Longer answers are cut here (a notebook may carry megabytes in a cell).
MAX_CHARS = 100_000

CODE, TEXT, CODE_AS_TEXT = "code", "text", "code as text"


@dataclass(frozen=True)
class Mark:
    """A matching part of an answer's source: characters [start, end), ``strong`` when few
    others in the class share it."""

    start: int
    end: int
    strong: bool


@dataclass(frozen=True)
class AnswerMatch:
    """One answer two students share: its grade id, how it was compared (:data:`CODE`,
    :data:`TEXT`, or :data:`CODE_AS_TEXT` when one of the two does not parse) and its score
    alone."""

    answer: str
    kind: str
    score: float


@dataclass(frozen=True)
class Pair:
    assignment: str
    student_a: str
    student_b: str
    score: float
    flagged: bool
    matched: tuple[AnswerMatch, ...]


@dataclass(frozen=True)
class SideBySide:
    """A matched answer of a pair, ready to show: both sources and their matching parts."""

    answer: str
    kind: str
    score: float
    source_a: str
    source_b: str
    marks_a: tuple[Mark, ...]
    marks_b: tuple[Mark, ...]


@dataclass
class _Print:
    """The fingerprints of one answer of one student: hash -> the places in the source it
    came from: (first, last) lines of code, or (start, end) characters of a word."""

    kind: str
    where: dict[int, list[tuple[int, int]]]


@dataclass
class Comparison:
    """A chapter's class compared: every pair, each student's answers (to show them), and
    what could not be compared."""

    assignment: str
    threshold: float
    students: list[str]
    pairs: list[Pair]
    #: (student, grade id) -> the answer's source, as the student wrote it.
    answers: dict[tuple[str, str], str]
    #: student -> what could not be read or compared (one line each).
    notes: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    #: (grade id, kind) -> student -> fingerprints, and the weight of each fingerprint.
    _prints: dict = field(default_factory=dict, repr=False)
    _weights: dict = field(default_factory=dict, repr=False)

    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.flagged]

    def side_by_side(self, pair: Pair) -> list[SideBySide]:
        """The matched answers of ``pair``, with the parts of each source that match."""
        shown = []
        for match in pair.matched:
            key = (match.answer, match.kind)
            first = self._prints[key][pair.student_a]
            second = self._prints[key][pair.student_b]
            common = first.where.keys() & second.where.keys()
            source_a = self.answers[(pair.student_a, match.answer)]
            source_b = self.answers[(pair.student_b, match.answer)]
            weights = self._weights[key]
            shown.append(SideBySide(match.answer, match.kind, match.score, source_a, source_b,
                                    _marks(first, common, weights, source_a),
                                    _marks(second, common, weights, source_b)))
        return shown


# --- Fingerprints --------------------------------------------------------------------------

def compare(assignment: str, release, notebooks: Mapping[str, object],
            threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """Compare every pair of ``notebooks`` (student id -> the student's notebook, as
    submitted or as rebuilt; anything else, None included, is noted as unreadable) on the
    answer cells of ``release``, the chapter's release notebook."""
    started = time.perf_counter()
    units = [(grade_id(c), c.get("cell_type", "")) for c in release.get("cells", []) if is_answer(c) and grade_id(c)]
    given = _Given.of(release)
    students = sorted(notebooks)
    notes: dict[str, list[str]] = defaultdict(list)
    answers: dict[tuple[str, str], str] = {}
    prints: dict[tuple[str, str], dict[str, _Print]] = {}
    for unit, cell_type in units:
        prints[(unit, CODE if cell_type == "code" else TEXT)] = {}
    for student in students:
        try:
            taken = answers_of(_readable(notebooks[student]))
        except Exception as error:  # noqa: BLE001 - whatever a notebook holds, the class is compared
            notes[student].append(f"not compared: the notebook cannot be read ({one_line(error, 160)})")
            continue
        missing = []
        for unit, cell_type in units:
            source = taken.get((unit, cell_type))
            if source is None:
                missing.append(unit)
                continue
            if len(source) > MAX_CHARS:
                notes[student].append(f"{unit}: only its first {MAX_CHARS:,} characters compared")
                source = source[:MAX_CHARS]
            answers[(student, unit)] = source
            if cell_type == "code":
                try:
                    prints[(unit, CODE)][student] = _fingerprint(unit, CODE, _program_blocks(source, unit),
                                                                 CODE_GRAM, given.code)
                except _Unparsable as error:
                    notes[student].append(f"{unit}: {error}; compared as text")
            else:
                prints[(unit, TEXT)][student] = _fingerprint(unit, TEXT, [_words(source)], TEXT_GRAM, given.text)
        if missing:
            notes[student].append(f"no answer cell {', '.join(missing)} in the notebook (compared as unanswered)")
    for unit, cell_type in units:  # code that does not parse: the whole answer compared as text too
        written = [s for s in students if (s, unit) in answers]
        if cell_type == "code" and any(s not in prints[(unit, CODE)] for s in written):
            prints[(unit, CODE_AS_TEXT)] = {
                s: _fingerprint(unit, CODE_AS_TEXT, [_lexical_tokens(answers[(s, unit)])], CODE_GRAM, given.lexical)
                for s in written}
    comparison = Comparison(assignment, threshold, students, [], answers, dict(notes), _prints=prints)
    comparison.pairs = _score_pairs(comparison, units)
    comparison.seconds = time.perf_counter() - started
    return comparison


def _readable(notebook):
    """The notebook with only its cells that are cells (a mangled file may hold anything)."""
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        return {"cells": []} if isinstance(notebook, dict) else notebook
    return {"cells": [cell for cell in cells if isinstance(cell, dict)]}


@dataclass
class _Given:
    """What the release gave, as runs of tokens: its code as a program and as text, its
    Markdown as text."""

    code: set
    lexical: set
    text: set

    @classmethod
    def of(cls, release) -> _Given:
        code, lexical, text = set(), set(), set()
        for cell in release.get("cells", []):
            source = source_text(cell)
            if cell.get("cell_type") == "code":
                try:
                    for block in _program_blocks(source, main=grade_id(cell)):
                        code.update(_grams([token for token, _ in block], CODE_GRAM))
                except _Unparsable:
                    pass
                lexical.update(_grams([token for token, _ in _lexical_tokens(source)], CODE_GRAM))
            elif cell.get("cell_type") == "markdown":
                text.update(_grams([word for word, _ in _words(source)], TEXT_GRAM))
        return cls(code, lexical, text)


def _grams(tokens: list, n: int) -> list[tuple]:
    """The runs of ``n`` tokens; a shorter sequence is one run."""
    if not tokens:
        return []
    if len(tokens) <= n:
        return [tuple(tokens)]
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def _fingerprint(unit: str, kind: str, located: list[list[tuple[str, tuple[int, int]]]], n: int,
                 given: set) -> _Print:
    """Hash every run of ``n`` tokens of each block (a block is a list of (token, place)),
    except the runs the release gave."""
    where: dict[int, list[tuple[int, int]]] = {}
    for block in located:
        tokens = [token for token, _ in block]
        for start, gram in enumerate(_grams(tokens, n)):
            if gram in given:
                continue
            places = where.setdefault(hash((unit, kind, gram)), [])
            places.extend(place for _, place in block[start:start + n])
    return _Print(kind, where)


class _Unparsable(Exception):
    pass


# --- Code as a program ---------------------------------------------------------------------

_MAGIC = re.compile(r"^([ \t]*)([%!].*)$", re.M)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LABELS: dict[type, str] = {}


def _program_blocks(source: str, main: str) -> list[list[tuple[str, tuple[int, int]]]]:
    """The normalised tokens of each top-level block of ``source``, each with the (first,
    last) line it came from: one block per function or class, one for the other statements,
    so that the order of functions does not matter. The tokens follow the tree: node kinds,
    with names, attributes, keywords and numbers; docstrings, imports and string literals'
    text are left out. Every name the cell binds becomes ``V`` (a function's, ``F``), but
    ``main``, the answer's own function; names it only reads (``np``, ``math``, the given
    functions) stay."""
    try:
        tree = ast.parse(_MAGIC.sub(r"\1pass  # \2", source))
    except SyntaxError as error:
        raise _Unparsable(f"does not parse (line {error.lineno}: {error.msg})") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise _Unparsable(f"does not parse ({one_line(error, 160)})") from None
    tokens: list[list] = []
    names: list[tuple[int, str, bool]] = []  # (token index, name, a definition's)
    bound: set[str] = set()
    functions: set[str] = set()
    imported: set[str] = set()

    def walk(node, line):
        kind = type(node)
        if hasattr(node, "lineno"):  # a statement's token is its first line; an expression's, all of it
            last = node.end_lineno or node.lineno if isinstance(node, ast.expr) else node.lineno
            line = (node.lineno, last)
        if kind is ast.Name:
            if type(node.ctx) is not ast.Load:
                bound.add(node.id)
            names.append((len(tokens), node.id, False))
            tokens.append([node.id, line])
        elif kind is ast.Constant:
            tokens.append([_constant(node.value), line])
        elif kind is ast.Attribute:
            walk(node.value, line)
            tokens.append(["." + node.attr, (line[1], line[1])])
        elif kind is ast.arg:
            bound.add(node.arg)
            tokens.append(["V", line])
            if node.annotation is not None:
                walk(node.annotation, line)
        elif kind in _DEFINITIONS:
            functions.add(node.name)
            names.append((len(tokens), node.name, True))
            tokens.append([node.name, (line[0], line[0])])
            children = [*node.decorator_list, *node.bases, *node.keywords] if kind is ast.ClassDef else [
                *node.decorator_list, node.args]
            for child in [*children, *node.body]:
                walk(child, line)
        elif kind is ast.keyword:
            tokens.append([f"{node.arg or '**'}=", line])
            walk(node.value, line)
        elif kind is ast.JoinedStr:
            tokens.append(["S", line])  # a message's words are reworded freely; what it shows stays
            for part in node.values:
                if type(part) is ast.FormattedValue:
                    walk(part.value, line)
        elif kind is ast.Import or kind is ast.ImportFrom:
            imported.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif kind is ast.Expr and type(node.value) is ast.Constant and isinstance(node.value.value, str):
            pass  # a docstring, or a bare string: a comment in effect
        elif not isinstance(node, ast.expr_context):
            if kind is ast.ExceptHandler and node.name:
                bound.add(node.name)
            label = _LABELS.get(kind)
            if label is None:
                label = _LABELS[kind] = kind.__name__
            tokens.append([label, line])
            for child in ast.iter_child_nodes(node):
                walk(child, line)

    starts = []
    try:
        for statement in tree.body:
            starts.append((len(tokens), isinstance(statement, _DEFINITIONS)))
            walk(statement, (statement.lineno, statement.lineno))
    except RecursionError:
        raise _Unparsable("does not parse (nested too deep)") from None
    local = (bound | functions) - imported
    for index, name, definition in names:
        if name != main and name in local:
            name = "F" if name in functions else "V"
        tokens[index][0] = "def " + name if definition else name
    blocks, loose = [], []
    for number, (start, definition) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(tokens)
        piece = [(token, line) for token, line in tokens[start:end]]
        (blocks.append(piece) if definition else loose.extend(piece))
    return [block for block in [*blocks, loose] if block]


def _constant(value) -> str:
    if isinstance(value, (str, bytes)):
        return "S"  # messages are reworded freely
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))  # 1 and 1.0 are the same number
    return repr(value)


# --- Code as text, and written answers -----------------------------------------------------

_LEXICAL = re.compile(r"[A-Za-z_]\w*|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+|==|!=|<=|>=|\*\*|//|->|\S")


def _lexical_tokens(source: str) -> list[tuple[str, tuple[int, int]]]:
    """Python's tokens of ``source``, comments and layout left out, strings as one token;
    where Python's tokenizer gives up (an unclosed bracket), the rest as plain words and
    symbols."""
    found: list[tuple[str, tuple[int, int]]] = []
    skipped = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
               tokenize.ENDMARKER, tokenize.ENCODING}
    line_starts = [0]
    for line in source.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    offset = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in skipped:
                continue
            found.append(("S" if token.type == tokenize.STRING else token.string, (token.start[0], token.end[0])))
            offset = line_starts[min(token.end[0], len(line_starts)) - 1] + token.end[1]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        rest = re.sub(r"#[^\n]*", "", source[offset:])
        first = source.count("\n", 0, offset) + 1
        for match in _LEXICAL.finditer(rest):
            line = first + rest.count("\n", 0, match.start())
            found.append((match.group(), (line, line)))
    return found


_WORD = re.compile(r"[^\W_]+", re.U)


def _words(source: str) -> list[tuple[str, tuple[int, int]]]:
    """The words of a written answer, lower-cased, each with its (start, end) characters."""
    return [(m.group().lower(), (m.start(), m.end())) for m in _WORD.finditer(source)]


# --- Pairs ---------------------------------------------------------------------------------

def rarity(holders: int, students: int) -> float:
    """What a fingerprint that ``holders`` of ``students`` have says about a pair who share
    it: 1 when only the two have it, 0 when everyone does, and in between
    (log(students / holders) / log(students / 2)) ** :data:`RARITY_POWER`."""
    if students <= 2 or holders <= 2:
        return 1.0
    return max(0.0, math.log(students / holders) / math.log(students / 2)) ** RARITY_POWER


def _space(students: list[str], prints: dict[str, _Print]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """One answer's fingerprints over the class, compared one way: the weight the two
    students of each pair share (n x n), each one's own weight (n), how many students wrote
    nearly the same as each (n), and each fingerprint's weight."""
    index = {s: i for i, s in enumerate(students)}
    n = len(students)
    holders: dict[int, list[int]] = defaultdict(list)
    for student, found in prints.items():
        row = index[student]
        for fingerprint in found.where:
            holders[fingerprint].append(row)
    weights = {f: rarity(len(who), n) for f, who in holders.items()}
    own = np.zeros(n)
    count = np.zeros(n)
    for student, found in prints.items():
        own[index[student]] = sum(weights[f] for f in found.where)
        count[index[student]] = len(found.where)
    # Fingerprints held by the same students add up: one column per group of holders.
    groups: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for fingerprint, who in holders.items():
        if len(who) >= 2:
            group = groups[tuple(who)]
            group[0] += weights[fingerprint]
            group[1] += 1
    weighted = np.zeros((n, max(1, len(groups))))
    plain = np.zeros_like(weighted)
    for column, (who, (weight, number)) in enumerate(groups.items()):
        weighted[list(who), column] = math.sqrt(weight)
        plain[list(who), column] = math.sqrt(number)
    same = plain @ plain.T  # fingerprints in common, however common they are
    near = 2 * same >= NEAR * (count[:, None] + count[None, :])
    near &= (count[:, None] > 0) & (count[None, :] > 0)
    crowd = near.sum(axis=1) - near.diagonal()
    return weighted @ weighted.T, own, crowd, weights


def _score_pairs(comparison: Comparison, units) -> list[Pair]:
    students = comparison.students
    n = len(students)
    if n < 2:
        return []
    shared_total = np.zeros((n, n))
    counted_total = np.zeros((n, n))
    heaviest_code = np.zeros((n, n))
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    matches: dict[tuple[int, int], list[AnswerMatch]] = defaultdict(list)
    for unit, cell_type in units:
        kind = CODE if cell_type == "code" else TEXT
        shared, own_each, crowd, weights = _space(students, comparison._prints[(unit, kind)])
        comparison._weights[(unit, kind)] = weights
        answered = own_each > 0
        own = (own_each[:, None] + own_each[None, :]) / 2
        kinds = np.full((n, n), kind, dtype=object)
        if (unit, CODE_AS_TEXT) in comparison._prints:  # pairs of which one answer does not parse
            parsed = np.array([s in comparison._prints[(unit, CODE)] for s in students])
            written = np.array([(s, unit) in comparison.answers for s in students])
            as_text = ~(parsed[:, None] & parsed[None, :]) & written[:, None] & written[None, :]
            text_shared, text_own, text_crowd, text_weights = _space(students, comparison._prints[(unit, CODE_AS_TEXT)])
            comparison._weights[(unit, CODE_AS_TEXT)] = text_weights
            shared = np.where(as_text, text_shared, shared)
            own = np.where(as_text, (text_own[:, None] + text_own[None, :]) / 2, own)
            crowd = np.where(parsed, crowd, text_crowd)
            answered = answered | (text_own > 0)
            kinds[as_text] = CODE_AS_TEXT
        alone = np.minimum(shared / np.maximum(own, MIN_ANSWER_WORK), 1.0)
        crowds = 1 + np.maximum(crowd[:, None], crowd[None, :])
        counted = np.minimum(own, ANSWER_CAP) * _rarities(crowds, n) * surprise(alone, answered)
        shared_total += counted * np.minimum(shared / np.maximum(own, 1e-9), 1.0)
        counted_total += counted
        if cell_type == "code":
            heaviest_code = np.maximum(heaviest_code, counted)
        for a, b in zip(*np.nonzero(upper & (alone >= ANSWER_MATCH))):
            matches[(int(a), int(b))].append(AnswerMatch(unit, kinds[a, b], round(float(alone[a, b]), 3)))
    # What the pair shares of what it could share: at least MIN_WORK, so that a pair whose work
    # says little cannot score high; and enough that one function alone gives at most
    # ONE_FUNCTION of the score (students who take the same approach write much the same code;
    # a paragraph written alike says more).
    could = np.maximum(np.maximum(counted_total, MIN_WORK), heaviest_code / ONE_FUNCTION)
    scores = np.minimum(shared_total / could, 1.0).round(3).tolist()
    pairs = []
    threshold = comparison.threshold
    for a in range(n):
        row = scores[a]
        for b in range(a + 1, n):
            matched = tuple(sorted(matches.get((a, b), ()), key=lambda m: -m.score))
            pairs.append(Pair(comparison.assignment, students[a], students[b], row[b], row[b] >= threshold, matched))
    return pairs


def _rarities(holders: np.ndarray, students: int) -> np.ndarray:
    """:func:`rarity` of every entry of ``holders``."""
    if students <= 2:
        return np.ones_like(holders, dtype=float)
    scaled = np.log(students / np.maximum(holders, 1)) / math.log(students / 2)
    return np.where(holders <= 2, 1.0, np.clip(scaled, 0.0, None) ** RARITY_POWER)


def surprise(alone: np.ndarray, answered: np.ndarray) -> float:
    """What two answers that are nearly the same (``alone``, the pairs' scores on this
    answer) say, from how many pairs of the class (both of whom ``answered``) are:
    (log(pairs / such pairs) / log(pairs)) ** :data:`SURPRISE_POWER`; 1 when at most one
    pair is, or the class is too small to tell."""
    both = np.triu(answered[:, None] & answered[None, :], k=1)
    pairs = int(both.sum())
    if pairs < 10:
        return 1.0
    agreeing = int((both & (alone >= NEAR)).sum())
    return (math.log(pairs / max(agreeing, 1)) / math.log(pairs)) ** SURPRISE_POWER


def _marks(found: _Print, common, weights: dict[int, float], source: str) -> tuple[Mark, ...]:
    """The parts of ``source`` the fingerprints ``common`` came from: whole lines of code
    (from their first non-blank character), words of text; strong where one of them weighs
    :data:`STRONG` or more; neighbours of one strength joined."""
    strength: dict[tuple[int, int], bool] = {}
    for fingerprint in common:
        weight = weights.get(fingerprint, 0.0)
        if weight <= 0:
            continue
        for place in found.where[fingerprint]:
            strength[place] = strength.get(place, False) or weight >= STRONG
    if found.kind == TEXT:
        spans = sorted((start, end, strong) for (start, end), strong in strength.items())
    else:
        starts = [0]
        for line in source.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        lines: dict[int, bool] = {}
        for (first, last), strong in strength.items():
            for line in range(first, last + 1):
                lines[line] = lines.get(line, False) or strong
        spans = []
        for line, strong in sorted(lines.items()):
            if 1 <= line < len(starts):
                text = source[starts[line - 1]:starts[line]].rstrip("\r\n")
                stripped = text.lstrip()
                if stripped:
                    at = starts[line - 1] + len(text) - len(stripped)
                    spans.append((at, at + len(stripped.rstrip()), strong))
    # A strong part wins where the two overlap; then each strength's neighbours are joined.
    strong_spans = _joined([(s, e) for s, e, strong in spans if strong], source)
    weak_spans = _joined(_minus([(s, e) for s, e, strong in spans if not strong], strong_spans), source)
    marks = [Mark(s, e, True) for s, e in strong_spans] + [Mark(s, e, False) for s, e in weak_spans]
    return tuple(sorted(marks, key=lambda m: m.start))


_BETWEEN = " \t.,;:'\"()$"


def _joined(spans: list[tuple[int, int]], source: str) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and (start <= joined[-1][1] or not source[joined[-1][1]:start].strip(_BETWEEN)):
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _minus(spans: list[tuple[int, int]], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    left = []
    for start, end in spans:
        pieces = [(start, end)]
        for t_start, t_end in taken:
            pieces = [piece for s, e in pieces
                      for piece in ((s, min(e, t_start)), (max(s, t_end), e)) if piece[1] > piece[0]]
        left.extend(pieces)
    return left
