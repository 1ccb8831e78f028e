"""The paper's analyses: arrays in, arrays (or tables) out, never a file.

- :mod:`.svd`: the signed SVD (one sign rule, continuity across checkpoints).
- :mod:`.reciprocal`: reciprocal space (projections, landscape energies, saddles; Sec. 3).
- :mod:`.kurtosis`: kurtosis of projected random states (Fig. 3e); :mod:`.stats`: fits.
- :mod:`.marchenko_pastur`, :mod:`.spectra`: singular spectra (Fig. 3).
- :mod:`.landscape`: projections of images and samples (Figs. 1 right, 2, 5).
- :mod:`.rotations`: rotations and Jensen-Shannon divergence (Figs. 4, 6).
- :mod:`.landau`: Landau free energy of mode 1 (Eq. 55, all orders) and its trajectory
  (Figs. 7-8); :mod:`.landau_quartic`: the paper's quartic fit, a labelled variant.
- :mod:`.loglik_settings` (numba-free), :mod:`.loglik` (one checkpoint, temperature AIS),
  :mod:`.loglik_trajectory` (every checkpoint, trajectory AIS): log-likelihoods (Fig. 1 left).
- :mod:`.modes`, :mod:`.potentials`, :mod:`.langevin`: the diffusion test of the z-modes.
- :mod:`.alignment`: principal components of the data against singular vectors.

May import: ``core``, ``sampling``, ``training``.
"""
