"""nbgrader settings of the course, shared by `make release` and `make grade`.

The commands add the course directory and gradebook location themselves (a scratch folder
outside the repository), so these are only the settings that describe the course.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

# What a learner finds in an answer cell of the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a cell that runs longer than this is stopped and its tests score 0.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.allow_errors = True

# Outputs beyond these are cut off in graded notebooks and feedback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40

# Keep the kernel's own start-up chatter out of the grader's output.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
