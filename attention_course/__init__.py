"""The helper package of the attention course: figures, slider explorers, self-checks.

It holds the machinery the notebooks call in one line, so that a notebook's cells stay
about attention. It never holds the answer to a graded exercise.
"""
