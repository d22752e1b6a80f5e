"""`python -m autograder release | init-course DIR | grade ...`."""

import sys

USAGE = (
    "usage: python -m autograder release [TARGET]\n"
    "       python -m autograder init-course DIR [--course-id ID] [--exchange ROOT]\n"
    "       python -m autograder grade --course DIR [--assignment CH] [--student ID] [--feedback-only] [--jobs N]\n"
    "       python -m autograder grade SUBMISSIONS --out OUT [--jobs N]"
)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("release", "init-course", "grade"):
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] == "release":
        from autograder.release import main as release_main

        return release_main(argv[1:])
    if argv[0] == "init-course":
        from autograder.course import init_course_main

        return init_course_main(argv[1:])
    from autograder.grade import main as grade_main

    return grade_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
