"""Release and grading commands of the course, built on nbgrader.

``python -m autograder release`` writes the student notebooks from ``solutions/``;
``python -m autograder init-course DIR`` makes an nbgrader course directory whose nbgrader
buttons are safe; ``python -m autograder grade --course DIR`` grades what ``nbgrader
collect`` put there, and ``python -m autograder grade SUBMISSIONS --out OUT`` a folder or
an LMS zip of submissions.
"""
