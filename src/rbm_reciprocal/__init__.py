"""Reproducible workflow for *Exploring the Energy Landscape of RBMs* (arXiv:2503.21536).

Modules
-------
data        MNIST download (mirrors, checksums), IDX parsing, binarization.
rbm         Bernoulli-Bernoulli RBM: parameters, energy, free energy, conditionals (Eq. 2-3).
gibbs       Block Gibbs sweeps (BLAS matrix products + numba sampling kernels).
train       Rdm-K, CD-K and PCD-K training with SGD/Adam, checkpoints and resume.
partition   Exact log-partition function by enumeration (tiny models).
ais         AIS and reverse AIS estimates of log Z (Salakhutdinov & Murray 2008; Burda et al. 2015).
loglik      Per-checkpoint log-likelihood jobs and table (Fig. 1 left).
spectra     Singular spectra and the Marchenko-Pastur density (Eq. 20).
figures     Matplotlib renderings of the paper's figures.
"""

__version__ = "0.1.0"
