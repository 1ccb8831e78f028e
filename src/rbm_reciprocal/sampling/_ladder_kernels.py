"""numba kernel of the PTT ladder (:mod:`rbm_reciprocal.sampling.ladder`): free energies.

:func:`free_energy_rows` writes ``F(v) = -a.v - sum_j softplus(x_j)`` of each row, from the
float32 hidden fields ``x = v W + b`` (a BLAS product in the caller), summed in float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from rbm_reciprocal.sampling._ais_kernels import FAST, softplus64


@njit(parallel=True, fastmath=FAST, cache=True)
def free_energy_rows(v, field, a, out):
    """out[i] = -sum_k a[k] v[i, k] - sum_j softplus(field[i, j]) (float64)."""
    n, m = field.shape
    nv = v.shape[1]
    for i in prange(n):
        sp = 0.0
        for j in range(m):
            sp += softplus64(np.float64(field[i, j]))
        lin = 0.0
        for k in range(nv):
            lin += np.float64(a[k]) * np.float64(v[i, k])
        out[i] = -lin - sp
