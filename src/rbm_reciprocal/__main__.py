import os
import sys

if sys.argv[1:2] == ["cost"]:  # CPU-hours at one BLAS thread: set before numpy is imported
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"

from rbm_reciprocal.cli import main  # noqa: E402

sys.exit(main())
