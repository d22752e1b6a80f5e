"""Release and grading commands of the course, built on nbgrader.

``python -m autograder release`` writes the student notebooks from ``solutions/``;
``python -m autograder grade SUBMISSIONS --out OUT`` grades a folder of submissions.
"""
