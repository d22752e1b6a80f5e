"""How each LMS names the files of its "download all submissions" zip: the layouts that
collect.py reads student ids (and submission times) with, and the choices of ``--lms``.

- ``canvas``: ``<name slug>[_late]_<user id>_<submission id>_<original name>``: the id is
  Canvas's numeric user id (the name slug is not an id: two students can share one);
- ``blackboard``: ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<original>``:
  the username, and the attempt's time (in ``--zip-timezone``) as the submission time;
- ``moodle``: ``<full name>_<participant id>_assignsubmission_file_[/]<original>``: the
  participant id (in the file's name or its folder's);
- ``plain``: ``<student_id>.ipynb``.

A leaf: it imports nothing.
"""

LMS_LAYOUTS = {
    "canvas": r"^[^_/]*_(?:late_)?(?P<student_id>\d+)_\d+_",
    "blackboard": r"_(?P<student_id>[A-Za-z0-9.@+-]+)_attempt_(?P<timestamp>\d{4}(?:-\d\d){5})(?:_|\.ipynb$)",
    "moodle": r"_(?P<student_id>\d+)_assignsubmission_[a-z]+_",
    "plain": r"^(?P<student_id>[^/]+)\.ipynb$",
}
#: ``auto`` (the default): the layout of the three LMSs that fits the most file names, else ``plain``.
LMS_CHOICES = ("auto", *LMS_LAYOUTS)
