"""Release and grading commands of the course, built on nbgrader.

``python -m autograder release`` writes the student notebooks from ``solutions/``;
``python -m autograder init-course DIR`` makes an nbgrader course directory whose nbgrader
buttons are safe; ``python -m autograder grade --course DIR`` grades what ``nbgrader
collect`` put there, and ``python -m autograder grade SUBMISSIONS --out OUT`` a folder or
an LMS zip of submissions.

A *chapter* of the course is an nbgrader *assignment*: its folder name is the assignment
id. The modules, in the order of the grading pipeline, with the process each runs in
(the grader: the command's own process; a worker: one of its ``--jobs`` forked processes;
the sandbox: a bubblewrap process of student code; nbgrader: nbgrader's own commands and
the formgrader's buttons, run in a course directory):

module            its job                                                   runs in
----------------  --------------------------------------------------------  -----------------------
common            what every stage shares: UsageError, one-line messages,   all
                  submission times (imports nothing of the package)
layout            where everything is: the repository's chapters, every     all
                  folder and file of a course directory (CourseLayout),
                  where a run reads and writes (Place)
lms               how each LMS names the files of its zip                   the grader
settings          every limit and option of a run, and its flag             the grader, a worker
course            nbgrader's configuration of a course directory            the grader, nbgrader
                  (configure), CourseDirectory, ``init-course``
release           ``make release``: the student notebooks, by nbgrader      the grader
student_release   ``make student-release``: the folder learners get         the grader
grade             the command line, and grade(): the list of the stages     the grader
collect           1. the submissions, from a folder or an LMS zip; a        the grader
                  reason for each one that cannot be graded
staging           2. the run's course directory; each submission rebuilt    the grader
                  and staged, its results.Record opened
notebook_model    what each cell of a course notebook is; what grading runs all
rebuild           the release with a submission's answers                   the grader, nbgrader
workers           3. the staged submissions run in parallel; feedback pages a worker
isolation,        the sandbox each piece of student code runs in            a worker
  sandbox
execute           the notebook in a sandboxed kernel                        a worker
crosscheck        each test's cases recorded, the answers run on them       the grader, a worker
                  again, the results judged
crosscheck_runner the answers on the cases' inputs; plain data across the   the sandbox
  plain           sandbox wall
autograde         4. as runs end: the verdicts written, each test's record  the grader
                  made, nbgrader autogrades
preprocessors/    the course's steps in nbgrader's own pipeline (replay     the grader, a worker,
                  the sandboxed run, the verdicts, due dates, feedback      nbgrader
                  without hidden tests)
late              due dates and the late policy (nbgrader's plugin)         the grader, nbgrader
guard             no kernel for student work outside the sandbox            nbgrader
results           5. each submission's record; one model of the gradebook   the grader
report, canvas    report.html; Canvas's CSV (also ``nbgrader export``)      the grader, nbgrader
outputs           6. grades.csv, tests.csv, mistakes.csv, canvas.csv and    the grader
                  report.html, each whole
feedback_only     ``grade --feedback-only``: feedback and reports again     the grader
                  after hand grading
similarity        every pair of a chapter's class compared on its answers   the grader
similarity_report similarity.csv and report.html's section on similar       the grader
                  submissions, with links to the formgrader

``tests/test_imports.py`` fails on any import cycle among them.
"""
