"""A real-looking class of one chapter: students who wrote their own answers, and copies.

For the similarity step's tests (tests/test_similarity.py) and its benchmark
(bench/similarity.py). Every student is a notebook: the chapter's release with the answer
cells filled in.

**Own work.** Each code answer is one of the chapter's independently written
implementations of that function: the model answer in solutions/, or a correct (RIGHT) or
wrong (WRONG) one from tests/mistakes/ (an answer left unwritten now and then), put in the
release's cell under its docstring. Students differ further by their habits, a few of
:data:`HABITS` each, applied to all their code: ``np.array`` where others write
``np.asarray``, ``np.max(x)`` or ``x.max()``, ``np.matmul`` for ``@``, ``** 0.5`` for a
square root, a named result before ``return``, the checks or the conversion to floats put
in a helper function, ... (each leaves the program's meaning as it was), and by their
layout: indentation, blank lines, comments. Each written answer makes some of the points a
good answer makes (tests/phrasings/), each in one of several independently written
phrasings, in the student's own words now and then (:func:`reword`, lightly).

**Copies**, made the ways students copy (:data:`COPY_KINDS`) from another student's
notebook: local names renamed, comments edited (removed, added, blank lines moved), helper
functions reordered, the code reformatted (re-laid out and re-indented), the written
answers reworded slightly (words changed, sentences swapped), or all of these at once. Two
kinds copy only part: the code alone (own written answers) or the written answers alone
(own code); the benchmark reports them, the tests do not require them.
"""

from __future__ import annotations

import ast
import copy
import importlib
import io
import pkgutil
import random
import re
import tokenize
from dataclasses import dataclass, field

import nbformat

import tests.mistakes
import tests.phrasings
from autograder.notebook_model import Role, grade_id, role, source_text
from tests.mistakes import source_of
from tests.notebooks import read, release_path, solution_answers

OWN = "own work"
RENAMED, COMMENTS, REORDERED, REFORMATTED, REWORDED, EVERYTHING = (
    "renamed variables", "edited comments", "reordered helpers", "reformatted code",
    "written answers reworded", "all of these")
CODE_ONLY, TEXT_ONLY = "code only (own written answers)", "written answers only (own code)"
#: The copies the step must flag, each with its partner.
COPY_KINDS = [RENAMED, COMMENTS, REORDERED, REFORMATTED, REWORDED, EVERYTHING]
#: Partial copies: measured and reported, not required.
PARTIAL_KINDS = [CODE_ONLY, TEXT_ONLY]

#: How often an answer is the model answer, another correct one, a wrong one, or unwritten.
CHOICE = {"model": 0.3, "right": 0.32, "wrong": 0.32, "unwritten": 0.06}
#: The share of the words with a synonym that a student puts their own way.
PERSONAL_WORDING = 0.8
#: The share of words after which a student adds one of their own.
PERSONAL_INSERTS = 0.12
#: How often a student has each habit.
HABIT_SHARE = 0.4


@dataclass
class Student:
    student_id: str
    #: Whose work it is: the student's own id, or the id of the student whose work was copied.
    origin: str
    kind: str
    answers: dict[str, str] = field(default_factory=dict)
    #: What each code answer started from (the variant's label), for reading a result.
    drawn: dict[str, str] = field(default_factory=dict)


def same_work(a: Student, b: Student) -> bool:
    return a.origin == b.origin


# --- What a chapter offers ---------------------------------------------------------------

def _modules(package) -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found[module.CHAPTER] = module
    return found


def code_variants(chapter: str) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """function -> {"model"|"right"|"wrong": [(label, source)]}."""
    mistakes = _modules(tests.mistakes).get(chapter)
    variants = {}
    for function, source in solution_answers(chapter).items():
        found = {"model": [("model answer", source)], "right": [], "wrong": []}
        if mistakes is not None:
            found["right"] = [(label, source_of(e)) for label, e in mistakes.RIGHT.get(function, {}).items()]
            found["wrong"] = [(label, source_of(e)) for label, e in mistakes.WRONG.get(function, {}).items()]
        variants[function] = found
    return variants


def written_points(chapter: str) -> dict[str, list[list[str]]]:
    """grade id -> points -> phrasings; every written answer of the chapter must have some."""
    module = _modules(tests.phrasings).get(chapter)
    release = read(release_path(chapter))
    wanted = [grade_id(c) for c in release.cells if role(c) is Role.WRITTEN]
    answers = getattr(module, "ANSWERS", {})
    missing = [g for g in wanted if g not in answers]
    if missing:
        raise LookupError(f"{chapter}: no phrasings for {', '.join(missing)} in tests/phrasings/: "
                          "add the points a good answer makes, each in several phrasings")
    return {g: answers[g] for g in wanted}


# --- Habits: how one student writes code differently from another, meaning the same -------

REDUCTIONS = {"sum", "max", "min", "mean"}
MODULES = {"np", "math"}


def _np(attr: str) -> ast.Attribute:
    return ast.Attribute(ast.Name("np", ast.Load()), attr, ast.Load())


def _is_np_call(node, *names) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "np")


class ArrayNotAsarray(ast.NodeTransformer):
    def visit_Call(self, node):
        self.generic_visit(node)
        if _is_np_call(node, "asarray"):
            node.func = _np("array")
        return node


class FunctionsNotMethods(ast.NodeTransformer):
    """``x.max(axis=a)`` -> ``np.max(x, axis=a)``."""

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in REDUCTIONS
                and not (isinstance(func.value, ast.Name) and func.value.id in MODULES)):
            return ast.Call(_np(func.attr), [func.value, *node.args], node.keywords)
        return node


class MethodsNotFunctions(ast.NodeTransformer):
    """``np.sum(x, axis=a)`` -> ``x.sum(axis=a)`` (not for a literal list)."""

    def visit_Call(self, node):
        self.generic_visit(node)
        if _is_np_call(node, *REDUCTIONS) and node.args and isinstance(node.args[0], (ast.Name, ast.Attribute,
                                                                                       ast.Subscript, ast.BinOp)):
            return ast.Call(ast.Attribute(node.args[0], node.func.attr, ast.Load()), node.args[1:], node.keywords)
        return node


class MatmulCall(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.MatMult):
            return ast.Call(_np("matmul"), [node.left, node.right], [])
        return node


class TransposeCall(ast.NodeTransformer):
    def visit_Attribute(self, node):
        self.generic_visit(node)
        if node.attr == "T" and isinstance(node.ctx, ast.Load):
            return ast.Call(_np("transpose"), [node.value], [])
        return node


class SqrtAsPower(ast.NodeTransformer):
    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr == "sqrt" and isinstance(func.value, ast.Name)
                and func.value.id in MODULES and len(node.args) == 1 and not node.keywords):
            return ast.BinOp(node.args[0], ast.Pow(), ast.Constant(0.5))
        return node


def _float_dtype(node) -> bool:
    return (_is_np_call(node, "asarray", "array") and len(node.args) == 1 and len(node.keywords) == 1
            and node.keywords[0].arg == "dtype" and isinstance(node.keywords[0].value, ast.Name)
            and node.keywords[0].value.id == "float")


class AstypeNotDtype(ast.NodeTransformer):
    """``np.asarray(x, dtype=float)`` -> ``np.asarray(x).astype(float)``."""

    def visit_Call(self, node):
        self.generic_visit(node)
        if _float_dtype(node):
            inner = ast.Call(node.func, node.args, [])
            return ast.Call(ast.Attribute(inner, "astype", ast.Load()), [ast.Name("float", ast.Load())], [])
        return node


class AxisPositional(ast.NodeTransformer):
    """``x.sum(axis=a)`` -> ``x.sum(a)``; ``np.max(x, axis=a)`` -> ``np.max(x, a)``."""

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in REDUCTIONS):
            return node
        axis = [k for k in node.keywords if k.arg == "axis"]
        method = not (isinstance(func.value, ast.Name) and func.value.id in MODULES)
        if axis and len(node.args) == (0 if method else 1):
            node.args.append(axis[0].value)
            node.keywords = [k for k in node.keywords if k.arg != "axis"]
        return node


MIRROR = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}


class ConstantFirst(ast.NodeTransformer):
    """``x > 0`` -> ``0 < x``."""

    def visit_Compare(self, node):
        self.generic_visit(node)
        if (len(node.ops) == 1 and type(node.ops[0]) in MIRROR and isinstance(node.comparators[0], ast.Constant)
                and not isinstance(node.left, ast.Constant)):
            return ast.Compare(node.comparators[0], [MIRROR[type(node.ops[0])]()], [node.left])
        return node


class ListShapes(ast.NodeTransformer):
    """``np.zeros((n, d))`` -> ``np.zeros([n, d])``."""

    def visit_Call(self, node):
        self.generic_visit(node)
        if _is_np_call(node, "zeros", "ones", "empty", "full") and node.args and isinstance(node.args[0], ast.Tuple):
            node.args[0] = ast.List(node.args[0].elts, ast.Load())
        return node


class DeMorgan(ast.NodeTransformer):
    """``not (a and b)`` -> ``not a or not b``."""

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.BoolOp):
            other = ast.Or() if isinstance(node.operand.op, ast.And) else ast.And()
            return ast.BoolOp(other, [ast.UnaryOp(ast.Not(), v) for v in node.operand.values])
        return node


class NoneNotNewaxis(ast.NodeTransformer):
    """``np.newaxis`` -> ``None`` in an index."""

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if node.attr == "newaxis" and isinstance(node.value, ast.Name) and node.value.id == "np":
            return ast.Constant(None)
        return node


class _Replace(ast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        return self.new if node is self.old else node


def inline_single_use(tree, main: str, rng: random.Random):
    """A variable set once at a function's top level and read once in the next statement is
    written in place."""
    for function in [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]:
        body = function.body
        params = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
        index = 0
        while index < len(body) - 1:
            statement = body[index]
            target = statement.targets[0] if isinstance(statement, ast.Assign) and len(statement.targets) == 1 else None
            if not isinstance(target, ast.Name) or target.id in params:
                index += 1
                continue
            name = target.id
            uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name]
            later = [n for n in ast.walk(body[index + 1]) if isinstance(n, ast.Name) and n.id == name]
            loops = [n for n in ast.walk(body[index + 1]) if isinstance(n, (ast.For, ast.While, ast.comprehension))]
            if len(uses) == 2 and len(later) == 1 and isinstance(later[0].ctx, ast.Load) and not loops:
                body[index + 1] = _Replace(later[0], statement.value).visit(body[index + 1])
                del body[index]
            else:
                index += 1
    return tree


def hoist_argument(tree, main: str, rng: random.Random):
    """``return f(g(x))`` -> ``y = g(x)`` then ``return f(y)``: the first call inside a
    returned call gets a name."""
    name = rng.choice(["tmp", "inner", "part", "step"])
    if name in _used_names(tree):
        return tree
    for function in [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]:
        body = function.body
        for index, statement in enumerate(body):
            if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Call):
                for position, argument in enumerate(statement.value.args):
                    if isinstance(argument, (ast.Call, ast.BinOp)):
                        statement.value.args[position] = ast.Name(name, ast.Load())
                        body.insert(index, ast.Assign([ast.Name(name, ast.Store())], argument))
                        return tree
    return tree


def _functions(tree) -> list[ast.FunctionDef]:
    return [s for s in tree.body if isinstance(s, ast.FunctionDef)]


def _used_names(tree) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)} | {f.name for f in ast.walk(tree)
                                                                    if isinstance(f, ast.FunctionDef)}


def named_result(tree, main: str, rng: random.Random):
    """``return <expression>`` -> ``result = <expression>`` then ``return result``."""
    name = rng.choice(["result", "out", "answer", "res"])
    if name in _used_names(tree):
        return tree
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        body = function.body
        if body and isinstance(body[-1], ast.Return) and body[-1].value is not None and isinstance(
                body[-1].value, (ast.BinOp, ast.Call)):
            value = body[-1].value
            body[-1:] = [ast.Assign([ast.Name(name, ast.Store())], value), ast.Return(ast.Name(name, ast.Load()))]
    return tree


def float_helper(tree, main: str, rng: random.Random):
    """The conversions to float arrays go through a helper function defined before the answer."""
    calls = [n for n in ast.walk(tree) if _float_dtype(n)]
    name = rng.choice(["_as_float", "to_float", "_floats", "as_array"])
    if not calls or name in _used_names(tree):
        return tree

    class Replace(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            return ast.Call(ast.Name(name, ast.Load()), node.args, []) if _float_dtype(node) else node

    tree = Replace().visit(tree)
    helper = ast.parse(f"def {name}(a):\n    return np.asarray(a, dtype=float)\n").body[0]
    index = next((i for i, s in enumerate(tree.body) if isinstance(s, ast.FunctionDef)), len(tree.body))
    tree.body.insert(index, helper)
    return tree


def check_helper(tree, main: str, rng: random.Random):
    """The answer's opening checks (``if ...: raise``) move into a helper function."""
    function = next((f for f in _functions(tree) if f.name == main), None)
    if function is None:
        return tree
    body = function.body
    start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else 0
    end = start
    while end < len(body) and isinstance(body[end], ast.If) and any(
            isinstance(n, ast.Raise) for n in ast.walk(body[end])):
        end += 1
    name = rng.choice(["_check_inputs", "_validate", "check_args", "_check"])
    if end == start or name in _used_names(tree) or function.args.vararg or function.args.kwarg:
        return tree
    params = [a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]]
    helper = ast.parse(f"def {name}({', '.join(params)}):\n    pass\n").body[0]
    helper.body = body[start:end]
    call = ast.parse(f"{name}({', '.join(params)})").body[0]
    function.body = [*body[:start], call, *body[end:]]
    tree.body.insert(tree.body.index(function), helper)
    return tree


def _visitor(cls):
    return lambda tree, main, rng: cls().visit(tree)


#: Habits, as (name, rewrite); a student has each with HABIT_SHARE (one of the two that
#: contradict each other at most).
HABITS = [
    ("np.array for np.asarray", _visitor(ArrayNotAsarray)),
    ("np.max(x) for x.max()", _visitor(FunctionsNotMethods)),
    ("x.max() for np.max(x)", _visitor(MethodsNotFunctions)),
    ("np.matmul for @", _visitor(MatmulCall)),
    ("np.transpose for .T", _visitor(TransposeCall)),
    ("** 0.5 for a square root", _visitor(SqrtAsPower)),
    (".astype(float) for dtype=float", _visitor(AstypeNotDtype)),
    ("axis as a positional argument", _visitor(AxisPositional)),
    ("the constant first in a comparison", _visitor(ConstantFirst)),
    ("lists for shapes", _visitor(ListShapes)),
    ("not a or not b for not (a and b)", _visitor(DeMorgan)),
    ("None for np.newaxis", _visitor(NoneNotNewaxis)),
    ("variables used once written in place", inline_single_use),
    ("a named argument before return", hoist_argument),
    ("a named result before return", named_result),
    ("the checks in a helper function", check_helper),
    ("the float conversion in a helper function", float_helper),
]
CONTRADICTING = {"np.max(x) for x.max()": "x.max() for np.max(x)"}


def pick_habits(rng: random.Random) -> list[str]:
    chosen = [name for name, _ in HABITS if rng.random() < HABIT_SHARE]
    for first, second in CONTRADICTING.items():
        if first in chosen and second in chosen:
            chosen.remove(rng.choice([first, second]))
    return chosen


# --- Writing an answer cell --------------------------------------------------------------

def stub(release, function: str) -> str:
    return next(source_text(c) for c in release.cells if role(c) is Role.ANSWER and grade_id(c) == function)


def docstring_of(release, function: str) -> str | None:
    tree = ast.parse(stub(release, function))
    main = next((f for f in _functions(tree) if f.name == function), None)
    return ast.get_docstring(main, clean=False) if main else None


def write_code(source: str, function: str, docstring: str | None, habits: list[str], style: dict,
               rng: random.Random) -> str:
    """A variant as this student would hand it in: the release's docstring, the habits, the layout."""
    tree = ast.parse(source)
    main = next((f for f in _functions(tree) if f.name == function), None)
    if main is not None and docstring and ast.get_docstring(main) is None:
        main.body.insert(0, ast.Expr(ast.Constant(docstring)))
    for name, rewrite in HABITS:
        if name in habits:
            tree = rewrite(tree, function, rng)
    ast.fix_missing_locations(tree)
    return lay_out(ast.unparse(tree), style, rng)


OWN_COMMENTS = ["# check the inputs", "# convert to floats", "# the scores", "# normalise", "# compute it",
            "# shapes must fit", "# stable version", "# main computation", "# loop over rows", "# done",
            "# TODO tidy up", "# as in the lesson", "# step 2", "# the weights", "# return both"]


def statement_lines(source: str) -> list[int]:
    """The first line of every statement but docstrings, in order."""
    tree = ast.parse(source)
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            if isinstance(node, ast.FunctionDef) and node.decorator_list:
                lines.add(node.decorator_list[0].lineno)
            else:
                lines.add(node.lineno)
    return sorted(lines)


def lay_out(source: str, style: dict, rng: random.Random) -> str:
    """Indentation, comments and blank lines in this student's way."""
    lines = source.split("\n")
    starts = set(statement_lines(source))
    out = []
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 4
        indent = " " * (style["indent"] * depth) if line.strip() else ""
        if number in starts and number > 1 and depth > 0:
            if rng.random() < style["comments"]:
                out.append(indent + rng.choice(OWN_COMMENTS))
            elif rng.random() < style["blank_lines"]:
                out.append("")
        out.append(indent + stripped if number in starts or not _inside_string(lines, number) else line)
    return "\n".join(out) + "\n"


def _inside_string(lines: list[str], number: int) -> bool:
    """Whether line ``number`` continues a multi-line string (a docstring's lines keep their text)."""
    before = "\n".join(lines[:number - 1])
    return before.count('"""') % 2 == 1 or before.count("'''") % 2 == 1


# --- Written answers ---------------------------------------------------------------------

#: Words a student may put differently, each with the ways to put it.
SYNONYMS = {
    "because": ["since", "as"], "since": ["because", "as"], "so": ["thus", "therefore", "hence"],
    "therefore": ["so", "thus"], "every": ["each", "all"], "each": ["every"], "large": ["big", "huge"],
    "big": ["large", "huge"], "huge": ["very large", "enormous"], "small": ["tiny", "little"],
    "tiny": ["small", "very small"], "almost": ["nearly", "practically"], "nearly": ["almost", "roughly"],
    "only": ["just", "solely"], "just": ["only", "simply"], "gives": ["yields", "produces", "returns"],
    "give": ["yield", "produce"], "makes": ["causes", "leads to"], "becomes": ["turns into", "gets"],
    "become": ["turn into", "get"], "changes": ["alters", "modifies"], "change": ["alter", "modify"],
    "keeps": ["retains", "preserves"], "keep": ["retain", "preserve"], "whole": ["entire", "full"],
    "also": ["as well", "too"], "then": ["after that", "next"], "would": ["will"], "can": ["could", "is able to"],
    "could": ["can", "might"], "very": ["really", "extremely"], "many": ["lots of", "a lot of"],
    "stays": ["remains"], "stay": ["remain"], "exactly": ["precisely"], "different": ["distinct", "other"],
    "equal": ["the same", "identical"], "same": ["identical", "equal"], "number": ["value"],
    "uses": ["employs", "relies on"], "use": ["employ", "apply"], "get": ["obtain", "receive"],
    "gets": ["receives", "obtains"], "computed": ["calculated", "worked out"], "compute": ["calculate"],
    "part": ["portion", "piece"], "much": ["far", "a lot"], "fast": ["quick"], "slow": ["sluggish", "not fast"],
    "like": ["such as"], "when": ["if", "whenever"], "if": ["when"], "means": ["implies", "says"],
    "word": ["token"], "words": ["tokens"], "output": ["result"], "goes": ["moves", "tends"],
    "tends": ["goes", "converges"], "way": ["manner"], "look": ["attend"], "looks": ["attends"],
    "problem": ["issue", "trouble"], "wrong": ["incorrect"], "right": ["correct"], "while": ["whereas"],
    "happens": ["occurs"], "often": ["frequently", "usually"], "usually": ["mostly", "typically"],
    "first": ["initially", "at first"], "again": ["once more"], "there": ["then"], "matters": ["counts"],
    "instead": ["rather"], "both": ["the two"], "must": ["has to", "needs to"], "need": ["require"],
    "needs": ["requires"], "show": ["demonstrate", "reveal"], "shows": ["demonstrates", "reveals"],
    "close": ["near"], "value": ["number", "entry"], "values": ["entries", "numbers"], "why": ["the reason"],
}
#: Words a student may leave out.
FILLERS = {"just", "only", "very", "also", "really", "exactly", "simply", "then", "still", "even", "all"}
OPENINGS = ["", "", "", "", "I think ", "Basically, ", "In short: ", "My answer: "]


#: Words a student may add, and the shortenings some students use.
INSERTS = ["basically", "of course", "in fact", "clearly", "here", "then", "actually", "really", "also",
           "simply", "in the end", "more or less", "obviously", "roughly", "I think", "again"]
CONTRACTIONS = {"does not": "doesn't", "do not": "don't", "is not": "isn't", "cannot": "can't",
                "it is": "it's", "would not": "wouldn't", "are not": "aren't", "that is": "that's"}


def reword(text: str, share: float, rng: random.Random, drop: float = 0.0, insert: float = 0.0) -> str:
    """``text`` with about ``share`` of the words that have a synonym put another way, about
    ``drop`` of the filler words left out, a word added after about ``insert`` of the words."""
    def swap(match):
        word = match.group(0)
        lower = word.lower()
        if match.start() > 0 and lower in FILLERS and rng.random() < drop:
            return ""
        others = SYNONYMS.get(lower)
        if others is not None and rng.random() < share:
            other = rng.choice(others)
            word = other.capitalize() if word[0].isupper() else other
        if match.start() > 0 and rng.random() < insert:
            word += " " + rng.choice(INSERTS)
        return word
    text = re.sub(r"(?<![-A-Za-z_])[A-Za-z]+(?![-A-Za-z_])", swap, text)
    return re.sub(r"  +", " ", text).strip()


def personal(text: str, rng: random.Random, shortens: bool) -> str:
    """A phrasing in a student's own words."""
    text = reword(text, PERSONAL_WORDING, rng, drop=0.5, insert=PERSONAL_INSERTS)
    if shortens:
        for long, short in CONTRACTIONS.items():
            text = text.replace(long, short)
    return text


def write_answer(points: list[list[str]], rng: random.Random, shortens: bool = False) -> str:
    """One student's answer: some of the points, each in one of its phrasings, in the
    student's own words."""
    if rng.random() < 0.12:  # a short answer: the first point alone
        return personal(rng.choice(points[0]), rng, shortens) + "\n"
    made = [i for i in range(len(points)) if rng.random() < 0.8]
    if len(made) < 2:
        made = sorted(rng.sample(range(len(points)), 2))
    if rng.random() < 0.3:
        rng.shuffle(made)
    sentences = [personal(rng.choice(points[i]), rng, shortens) for i in made]
    joiner = "\n\n" if rng.random() < 0.25 else " "
    opening = rng.choice(OPENINGS)
    first = sentences[0]
    if opening and first[:1].isupper() and first[1:2].islower():
        first = first[0].lower() + first[1:]
    text = opening + joiner.join([first, *sentences[1:]])
    return text[0].upper() + text[1:] + "\n"


# --- Own work ----------------------------------------------------------------------------

def own_work(student_id: str, chapter: str, release, variants, points, rng: random.Random,
             helpers: bool = False) -> Student:
    """A student's own work; with ``helpers``, one who puts the checks and the conversion to
    floats in helper functions."""
    student = Student(student_id, student_id, OWN)
    habits = pick_habits(rng)
    if helpers:
        habits += [h for h in ("the checks in a helper function", "the float conversion in a helper function")
                   if h not in habits]
    style = {"indent": 2 if rng.random() < 0.1 else 4, "comments": rng.choice([0, 0.1, 0.3]),
             "blank_lines": rng.choice([0, 0.1, 0.25]), "shortens": rng.random() < 0.4}
    for function, offered in variants.items():
        kinds = [k for k in CHOICE if k == "unwritten" or offered.get(k)]
        kind = rng.choices(kinds, weights=[CHOICE[k] for k in kinds])[0]
        if kind == "unwritten":
            student.answers[function] = stub(release, function)
            student.drawn[function] = "unwritten"
            continue
        label, source = rng.choice(offered[kind])
        student.drawn[function] = f"{kind}: {label}"
        student.answers[function] = write_code(source, function, docstring_of(release, function), habits, style, rng)
    for answer, its_points in points.items():
        student.answers[answer] = ("YOUR ANSWER HERE" if rng.random() < 0.05
                                   else write_answer(its_points, rng, style["shortens"]))
    return student


# --- Copies ------------------------------------------------------------------------------

def _offsets(source: str) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _position(source: str, starts: list[int], line: int, column: int) -> int:
    """A character offset from ast's (line, UTF-8 byte column)."""
    text = source[starts[line - 1]:starts[line] if line < len(starts) else len(source)]
    return starts[line - 1] + len(text.encode()[:column].decode(errors="ignore"))


NEW_NAMES = ["tmp", "vals", "arr", "mat", "acc", "total", "buf", "res2", "z", "w2", "scores2", "out2", "data",
             "step", "part", "item", "cur", "prev", "norm", "prob", "m2", "t2", "e2", "rows", "cols"]


def rename_variables(source: str, function: str, rng: random.Random) -> str:
    """Every name the cell binds, but its parameters and the answer's own name, renamed."""
    tree = ast.parse(source)
    params = {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    helpers = {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)} - {function}
    targets = sorted((bound | helpers) - params - {function})
    taken = _used_names(tree) | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    pool = [n for n in NEW_NAMES if n not in taken]
    rng.shuffle(pool)
    mapping = {}
    for old in targets:
        new = pool.pop() if pool else f"{old}_x"
        mapping[old] = ("_" + new) if old.startswith("_") else new
    starts = _offsets(source)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in mapping:
            at = _position(source, starts, node.lineno, node.col_offset)
            if source[at:at + len(node.id)] == node.id:
                edits.append((at, node.id, mapping[node.id]))
        elif isinstance(node, ast.FunctionDef) and node.name in mapping:
            at = _position(source, starts, node.lineno, node.col_offset)
            found = re.compile(rf"def\s+({re.escape(node.name)})\b").search(source, at)
            if found:
                edits.append((found.start(1), node.name, mapping[node.name]))
    for at, old, new in sorted(set(edits), reverse=True):
        source = source[:at] + new + source[at + len(old):]
    return source


def edit_comments(source: str, rng: random.Random) -> str:
    """Comments removed, others added, blank lines moved."""
    removed = _without_comments(source)
    lines = removed.split("\n")
    starts = set(statement_lines(removed))
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() and not _inside_string(lines, number):
            continue
        if number in starts and number > 1 and line.startswith(" "):
            indent = line[: len(line) - len(line.lstrip())]
            if rng.random() < 0.5:
                out.append(indent + rng.choice(["# my version", "# here we compute the result", "# careful",
                                                "# see the lesson", "# works now", "# first the checks",
                                                "# I did this step by step"]))
            if rng.random() < 0.2:
                out.append("")
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def _without_comments(source: str) -> str:
    spans = []
    starts = _offsets(source)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            spans.append((starts[token.start[0] - 1] + token.start[1], starts[token.end[0] - 1] + token.end[1]))
    for start, end in reversed(spans):
        source = source[:start].rstrip(" ") + source[end:]
    return source


def has_helpers(source: str) -> bool:
    try:
        return len(_functions(ast.parse(source))) >= 2
    except SyntaxError:
        return False


def reorder_helpers(source: str, function: str) -> str:
    """The answer's function first, then the helpers, last one first; imports stay on top."""
    tree = ast.parse(source)
    lines = source.split("\n")
    segments, previous_end = [], 0
    for statement in tree.body:  # each with the comments and blank lines above it
        segments.append((statement, "\n".join(lines[previous_end:statement.end_lineno]).strip("\n")))
        previous_end = statement.end_lineno
    tail = "\n".join(lines[previous_end:]).strip("\n")
    imports = [text for s, text in segments if isinstance(s, (ast.Import, ast.ImportFrom))]
    main = [text for s, text in segments if isinstance(s, ast.FunctionDef) and s.name == function]
    helpers = [text for s, text in segments if isinstance(s, ast.FunctionDef) and s.name != function][::-1]
    rest = [text for s, text in segments if not isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    parts = [*imports, *main, *helpers, *rest, tail]
    return "\n\n\n".join(p for p in parts if p) + "\n"


def reformat(source: str) -> str:
    """Laid out again (as a formatter would: quotes, spaces, brackets, line breaks; comments
    dropped) and re-indented with two spaces."""
    text = ast.unparse(ast.parse(source))
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        if _inside_string(lines, number):
            out.append(line)
            continue
        stripped = line.lstrip(" ")
        out.append("  " * ((len(line) - len(stripped)) // 4) + stripped)
    return "\n".join(out) + "\n"


def reword_answer(text: str, rng: random.Random, fraction: float = 0.12) -> str:
    """Reworded slightly: about ``fraction`` of the words put another way, two sentences
    swapped, an opening added."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    if len(sentences) >= 2:
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    text = " ".join(sentences)
    words = list(re.finditer(r"[A-Za-z]+", text))
    changeable = [m for m in words if m.group().lower() in SYNONYMS]
    chosen = sorted(rng.sample(changeable, min(len(changeable), round(fraction * len(words)))),
                    key=lambda m: m.start(), reverse=True)
    for m in chosen:
        other = rng.choice(SYNONYMS[m.group().lower()])
        text = text[:m.start()] + (other.capitalize() if m.group()[0].isupper() else other) + text[m.end():]
    return rng.choice(["In my words: ", "So, ", "", "Well, "]) + text + "\n"


def copy_of(source: Student, student_id: str, kind: str, functions: list[str], written: list[str],
            own: Student, rng: random.Random) -> Student:
    """``source``'s notebook copied by ``student_id`` the ``kind`` way (``own``: what the
    copier would have written, for the partial kinds)."""
    made = Student(student_id, source.origin, kind, dict(source.answers), dict(source.drawn))
    for function in functions:
        code = made.answers[function]
        if not _written(code):
            continue
        if kind in (RENAMED, EVERYTHING, CODE_ONLY):
            code = rename_variables(code, function, rng)
        if kind in (COMMENTS, EVERYTHING, CODE_ONLY):
            code = edit_comments(code, rng)
        if kind in (REORDERED, EVERYTHING) and has_helpers(code):
            code = reorder_helpers(code, function)
        if kind in (REFORMATTED, EVERYTHING, CODE_ONLY):
            code = reformat(code)
        made.answers[function] = code
        if kind == TEXT_ONLY:
            made.answers[function] = own.answers[function]
            made.drawn[function] = own.drawn[function]
    for answer in written:
        if kind == CODE_ONLY:
            made.answers[answer] = own.answers[answer]
        elif kind in (REWORDED, EVERYTHING, TEXT_ONLY) and made.answers[answer] != "YOUR ANSWER HERE":
            made.answers[answer] = reword_answer(made.answers[answer], rng)
    return made


def _written(code: str) -> bool:
    return "raise NotImplementedError()" not in code


def can_be_copied(student: Student, kind: str, functions: list[str], written: list[str]) -> bool:
    """Whether copying this student's work the ``kind`` way changes what it says to copy:
    a source with answers written, and helpers to reorder or written answers to reword."""
    code = [student.answers[f] for f in functions if _written(student.answers[f])]
    text = [student.answers[a] for a in written if len(student.answers[a].split()) > 25]
    if len(code) < max(1, len(functions) // 2) or len(text) < len(written):
        return False
    if kind == REORDERED:
        return any(has_helpers(c) for c in code)
    return True


# --- A class -----------------------------------------------------------------------------

def make_class(chapter: str, own: int, copies: dict[str, int], seed: int = 0) -> list[Student]:
    """``own`` students who did their own work, and ``copies[kind]`` copies of each kind, each
    of a different student's work; ids shuffled so that they say nothing."""
    rng = random.Random(f"{chapter}/{seed}")
    release = read(release_path(chapter))
    variants = code_variants(chapter)
    points = written_points(chapter)
    functions, written = list(variants), list(points)
    count = own + sum(copies.values())
    ids = [f"s{n:03d}" for n in range(1, count + 1)]
    rng.shuffle(ids)
    # A few write helper functions, so that there are some to reorder however small the class.
    students = [own_work(ids.pop(), chapter, release, variants, points, rng, helpers=number < copies.get(REORDERED, 0))
                for number in range(own)]
    sources = list(students)
    rng.shuffle(sources)
    for kind, number in copies.items():
        for _ in range(number):
            source = next((s for s in sources if can_be_copied(s, kind, functions, written)), None)
            if source is None:
                raise LookupError(f"{chapter}: no student whose work can be copied as '{kind}'")
            sources.remove(source)
            alternative = own_work("-", chapter, release, variants, points, rng)
            students.append(copy_of(source, ids.pop(), kind, functions, written, alternative, rng))
    return students


def notebook(release, student: Student):
    """The release with the student's answers: the notebook as handed in."""
    made = copy.copy(release)
    made.cells = []
    for cell in release.cells:
        if role(cell) in (Role.ANSWER, Role.WRITTEN) and grade_id(cell) in student.answers:
            cell = nbformat.from_dict({**cell, "source": student.answers[grade_id(cell)]})
        made.cells.append(cell)
    return made
