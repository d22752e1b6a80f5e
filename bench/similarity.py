"""Similar submissions: how many copies the similarity step flags, how many pairs of students
who did their own work it flags, and how long it takes for a class of 200.

For every chapter, a class built by tests/classroom.py: BENCH_STUDENTS students (200), of
whom BENCH_COPIES (3) copies of each kind (tests.classroom.COPY_KINDS and PARTIAL_KINDS),
each of another student's work; the rest did their own work. The notebooks are written to a
scratch folder and the step reads them back, as grading would. It prints, per chapter: the
copies flagged of each kind, the pairs of independent work flagged (out of how many), the
highest score of such a pair and the lowest of a copy, and the seconds to read the notebooks
and to compare them; then, over all chapters, the thresholds that flag every copy and no
independent pair. BENCH_SEEDS (1) classes per chapter, BENCH_CHAPTERS (all) a comma-separated
list of chapter prefixes (``01,07``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import nbformat

from autograder import similarity
from autograder.layout import chapters, notebook_name
from tests import classroom
from tests.notebooks import read, release_path

STUDENTS = int(os.environ.get("BENCH_STUDENTS", "200"))
COPIES = int(os.environ.get("BENCH_COPIES", "3"))
SEEDS = int(os.environ.get("BENCH_SEEDS", "1"))
THRESHOLDS = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]


def chosen_chapters() -> list[str]:
    wanted = [p for p in os.environ.get("BENCH_CHAPTERS", "").split(",") if p]
    return [c for c in chapters() if not wanted or any(c.startswith(p) for p in wanted)]


def run_chapter(chapter: str, seed: int, scratch: Path) -> dict:
    kinds = classroom.COPY_KINDS + classroom.PARTIAL_KINDS
    copies = {kind: COPIES for kind in kinds}
    own = STUDENTS - sum(copies.values())
    started = time.perf_counter()
    students = classroom.make_class(chapter, own, copies, seed=seed)
    built = time.perf_counter() - started
    release = read(release_path(chapter))
    folder = scratch / chapter
    for student in students:
        path = folder / student.student_id / notebook_name(chapter)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(classroom.notebook(release, student), path)
    started = time.perf_counter()
    notebooks = {s.student_id: nbformat.read(folder / s.student_id / notebook_name(chapter), as_version=4)
                 for s in students}
    reading = time.perf_counter() - started
    comparison = similarity.compare(chapter, release, notebooks)
    by_id = {s.student_id: s for s in students}
    found = {"chapter": chapter, "built": built, "reading": reading, "comparing": comparison.seconds,
             "copies": Counter(), "copies_flagged": Counter(), "copy_scores": defaultdict(list),
             "independent": 0, "independent_flagged": 0, "independent_scores": [], "missed": [], "false": []}
    for pair in comparison.pairs:
        a, b = by_id[pair.student_a], by_id[pair.student_b]
        if classroom.same_work(a, b):
            kind = b.kind if a.kind == classroom.OWN else a.kind
            found["copies"][kind] += 1
            found["copies_flagged"][kind] += pair.flagged
            found["copy_scores"][kind].append(pair.score)
            if not pair.flagged and kind in classroom.COPY_KINDS:
                found["missed"].append((pair, a, b))
        else:
            found["independent"] += 1
            found["independent_flagged"] += pair.flagged
            found["independent_scores"].append(pair.score)
            if pair.flagged:
                found["false"].append((pair, a, b))
    return found


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-similarity-"))
    kinds = classroom.COPY_KINDS + classroom.PARTIAL_KINDS
    threshold = similarity.DEFAULT_THRESHOLD
    print(f"{STUDENTS} students per chapter, {COPIES} copies of each kind, threshold {threshold}, "
          f"{SEEDS} class(es) per chapter, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    highest_own, lowest_copy = 0.0, 1.0
    totals = Counter()
    own_scores, copy_scores = [], []
    try:
        for chapter in chosen_chapters():
            for seed in range(SEEDS):
                r = run_chapter(chapter, seed, scratch / str(seed))
                shutil.rmtree(scratch / str(seed), ignore_errors=True)
                required = [s for k in classroom.COPY_KINDS for s in r["copy_scores"][k]]
                own = r["independent_scores"]
                own_scores.extend(own)
                copy_scores.extend(required)
                highest_own = max(highest_own, max(own, default=0.0))
                lowest_copy = min(lowest_copy, min(required, default=1.0))
                totals["independent"] += r["independent"]
                totals["independent_flagged"] += r["independent_flagged"]
                for kind in kinds:
                    totals[f"{kind}/all"] += r["copies"][kind]
                    totals[f"{kind}/flagged"] += r["copies_flagged"][kind]
                totals["reading"] += r["reading"]
                totals["comparing"] += r["comparing"]
                totals["classes"] += 1
                flagged = ", ".join(f"{kind} {r['copies_flagged'][kind]}/{r['copies'][kind]} "
                                    f"(lowest {min(r['copy_scores'][kind], default=float('nan')):.2f})"
                                    for kind in kinds)
                print(f"{chapter} (class {seed}): independent pairs flagged {r['independent_flagged']} of "
                      f"{r['independent']} (highest {max(own, default=0):.2f}, 99.9th percentile "
                      f"{_percentile(own, 99.9):.2f}); copies flagged: {flagged}; read {r['reading']:.2f} s, "
                      f"compared {r['comparing']:.2f} s")
                for pair, a, b in r["false"][:3]:
                    print(f"    flagged, independent: {pair.student_a} {pair.student_b} {pair.score} "
                          f"{[(m.answer, m.score) for m in pair.matched]} {a.drawn} {b.drawn}")
                for pair, a, b in r["missed"][:3]:
                    print(f"    missed copy ({a.kind if a.kind != classroom.OWN else b.kind}): {pair.score} "
                          f"{[(m.answer, m.score) for m in pair.matched]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    classes = max(1, totals["classes"])
    print(f"All chapters: independent pairs flagged {totals['independent_flagged']} of {totals['independent']}; "
          + "; ".join(f"{kind} {totals[kind + '/flagged']}/{totals[kind + '/all']}" for kind in kinds))
    print(f"Highest score of a pair of independent work {highest_own:.3f}, lowest of a copy {lowest_copy:.3f}: "
          + (f"any threshold in ({highest_own:.3f}, {lowest_copy:.3f}] flags every copy and no independent pair"
             if highest_own < lowest_copy else "no threshold separates them"))
    print("threshold  independent pairs flagged  copies flagged (the kinds that must be)")
    for threshold in THRESHOLDS:
        print(f"{threshold:9.2f}  {sum(s >= threshold for s in own_scores):25d}  "
              f"{sum(s >= threshold for s in copy_scores)}/{len(copy_scores)}")
    print(f"Time per chapter of {STUDENTS} students: reading the notebooks {totals['reading'] / classes:.2f} s, "
          f"comparing {totals['comparing'] / classes:.2f} s (mean of {classes})")


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]
