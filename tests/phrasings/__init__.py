"""Written answers to each chapter's "check your understanding" questions, as data.

A chapter's module holds ``CHAPTER`` (its folder name) and ``ANSWERS``: ``{grade id: [point,
...]}``, where a point is one idea a good answer contains and holds several independently
written phrasings of it, as different students would put it (sentences, not copies of the
model answer). A student's answer is built from them (tests/classroom.py): one phrasing of
each point the student makes, so that two students who wrote their own answers share a
sentence now and then, as real students do, but rarely a paragraph.
"""
