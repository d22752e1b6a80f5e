"""Train the two-layer transformer that chapter 12 studies and write it into the helper package.

    make model                                     # the shipped run: python -m models.induction_heads
    python -m models.induction_heads --steps 40 --out /tmp/short.npz

The training code is the chapter's own: the source of the locked cell ``given_training`` in
the chapter's solution notebook, which learners read and run there on a smaller model. This
module only fixes the shipped model's size and training (:data:`SETTINGS`), runs that code
from a fixed seed and writes ``attention_course/data/induction_heads.npz``, which
``attention_course.trained_model`` loads:

- the final weights (float32), named as ``given_training``'s ``weight_arrays`` names them;
- ``vocabulary``, ``h`` and ``settings`` (the settings as JSON);
- ``losses``: the training loss of every step (float64);
- ``checkpoint_steps`` and, for each, the weights at that step (float16, ``checkpoint.<step>.<name>``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parent.parent
CHAPTER = "12_what_attention_learns"
NOTEBOOK = REPOSITORY / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"
TRAINING_CELL = "given_training"
SHIPPED = REPOSITORY / "attention_course" / "data" / "induction_heads.npz"

#: Forty short, concrete words: random runs of them read as a line of words.
VOCABULARY = (
    "apple river stone cloud tiger piano candle forest garden window bridge castle dragon engine "
    "falcon guitar hammer island jacket kettle ladder lemon marble needle orange pencil rabbit "
    "saddle tomato violin wagon zebra anchor basket cactus dolphin feather helmet lantern mirror"
).split()

SETTINGS = {
    "seed": 0,
    "n_ctx": 24,
    "d_model": 32,
    "h": 4,
    "steps": 1500,
    "learning_rate": 3e-3,
    "batch": 32,
    "checkpoint_every": 50,
}


def training_code() -> dict:
    """The chapter's training functions: the ``given_training`` cell's source, run."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells
               if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == TRAINING_CELL]
    if len(sources) != 1:
        raise RuntimeError(f"{NOTEBOOK} has {len(sources)} cells named {TRAINING_CELL!r}, not one")
    namespace = {"np": np}
    exec(compile(sources[0], f"{NOTEBOOK.name}:{TRAINING_CELL}", "exec"), namespace)
    return namespace


def run(settings: dict, report_every: int = 0) -> tuple[dict, list[float], list, dict]:
    """Train from settings["seed"]; return the model, the losses, the checkpoints and the code."""
    code = training_code()
    rng = np.random.default_rng(settings["seed"])
    model = code["new_model"](rng, VOCABULARY, settings["n_ctx"], settings["d_model"], settings["h"])

    def report(step, loss):
        if report_every and step % report_every == 0:
            print(f"step {step:5d}  loss {loss:.3f}", flush=True)

    losses, checkpoints = code["train"](
        model, settings["steps"], rng, learning_rate=settings["learning_rate"], batch=settings["batch"],
        checkpoint_every=settings["checkpoint_every"], report=report)
    return model, losses, [(step, code["weight_arrays"](kept)) for step, kept in checkpoints], code


def arrays_to_save(model: dict, losses: list[float], checkpoints: list, settings: dict, code: dict) -> dict:
    arrays = {name: array.astype(np.float32) for name, array in code["weight_arrays"](model)}
    arrays.update(vocabulary=np.array(model["vocabulary"]), h=np.array(model["h"]),
                  settings=np.array(json.dumps(settings)), losses=np.array(losses, dtype=np.float64),
                  checkpoint_steps=np.array([step for step, _ in checkpoints], dtype=np.int64))
    for step, named in checkpoints:
        arrays.update({f"checkpoint.{step}.{name}": array.astype(np.float16) for name, array in named})
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=SETTINGS["steps"],
                        help="training steps (default: the shipped run's)")
    parser.add_argument("--out", type=Path, default=SHIPPED, help=f"where to write (default: {SHIPPED})")
    options = parser.parse_args(argv)
    settings = {**SETTINGS, "steps": options.steps}
    wall, cpu = time.perf_counter(), time.process_time()
    model, losses, checkpoints, code = run(settings, report_every=100)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(options.out, **arrays_to_save(model, losses, checkpoints, settings, code))
    print(f"wrote {options.out} ({options.out.stat().st_size / 1e6:.2f} MB): {settings['steps']} steps in "
          f"{time.perf_counter() - wall:.1f} s ({time.process_time() - cpu:.1f} s of CPU time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
