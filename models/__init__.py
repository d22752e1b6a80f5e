"""Scripts that train the models the course ships (`make model`): not part of the student release.

Importing this package pins NumPy's linear algebra to one thread (unless the environment says
otherwise), before NumPy is imported: a matrix product split over several threads may add
its terms in another order, and then a training run is no longer the same bit for bit.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
