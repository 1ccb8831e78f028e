import numpy as np
import pytest

from rbm_reciprocal.rbm import RBMParams


@pytest.fixture
def tiny_rbm() -> RBMParams:
    """A 6 x 4 RBM with strong weights and nonzero biases (float32)."""
    rng = np.random.default_rng(123)
    return RBMParams(
        rng.normal(0, 1.0, (6, 4)).astype(np.float32),
        rng.normal(0, 0.5, 6).astype(np.float32),
        rng.normal(0, 0.5, 4).astype(np.float32),
    )
