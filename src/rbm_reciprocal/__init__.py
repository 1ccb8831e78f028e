"""Reproducible workflow for *Exploring the Energy Landscape of RBMs* (arXiv:2503.21536).

Subpackages, in the order of the flow from data to figures (imports point down, never up;
``tests/test_architecture.py`` checks it):

Subpackages
-----------
core        RBM parameters, energy, free energy, conditionals (Eqs. 2-3), checkpoints, I/O,
            random streams (the one seed recipe).
data        MNIST download (mirrors, checksums), IDX parsing, binarization, the dataset file.
sampling    Block Gibbs sweeps (BLAS products + numba kernels, or torch), AIS and reverse AIS,
            the PTT ladder, exact log Z by enumeration, the rigorous lower bound on log Z.
training    Rdm-K, CD-K and PCD-K training with SGD/Adam, checkpoints and resume.
analysis    The paper's quantities as pure functions: spectra and Marchenko-Pastur (Eq. 20),
            reciprocal variables (Eqs. 15-19, 51), kurtosis, rotations, Landau (Eq. 55),
            diffusion, log-likelihood estimates and their diagnostics.
claims      The claims table: one function per claim of the paper, and their calibration.
figures     Matplotlib renderings of the paper's figures.
pipeline    The plan: config loading and validation (the schema owns the defaults), what a
            step declares (``Step``), the job file, resources and cost from a declaration.
stages      The workflow's steps, one module per stage: each step declared once (settings,
            outputs, log, resources, cost: ``STEPS``) beside what its job does (read inputs,
            call analysis, write tables: ``JOBS``); ``stages.registry`` collects them.
cli         ``python -m rbm_reciprocal``: ``run --job`` (every rule) and the user commands.
"""

__version__ = "0.1.0"
