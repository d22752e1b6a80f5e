"""nbgrader settings of the course, shared by `make release` and `make grade`.

The commands add the course directory and gradebook location themselves (a scratch folder
outside the repository), so these are only the settings that describe the course.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

# What a learner finds in an answer cell of the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading's limits (time, memory, output) are the grading command's settings
# (autograder/settings.py): nbgrader's Execute is not used to grade.
