"""`python -m autograder release` | `python -m autograder grade SUBMISSIONS --out OUT`."""

import sys

USAGE = (
    "usage: python -m autograder release [TARGET]\n"
    "       python -m autograder grade SUBMISSIONS --out OUT [--jobs N]"
)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("release", "grade"):
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] == "release":
        from autograder.release import main as release_main

        return release_main(argv[1:])
    from autograder.grade import main as grade_main

    return grade_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
