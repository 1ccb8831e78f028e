"""Monte Carlo on one RBM: block Gibbs sampling, exact partition functions, AIS.

- :mod:`._kernels`, :mod:`._ais_kernels`, :mod:`._traj_kernels`: the numba kernels around the
  BLAS products.
- :mod:`.gibbs`: the block Gibbs sampler; :mod:`.partition`: exact ``log Z`` (enumeration).
- :mod:`.schedules` (numpy only): inverse-temperature schedules; :mod:`.ais`: AIS and reverse AIS.
- :mod:`.trajectory`: AIS along a parameter path (the checkpoints of a training run);
  :mod:`.resample` (numpy only): adaptive systematic resampling of its chains in groups.
- :mod:`.backend` (no torch import): backend settings; :mod:`.kernel_backend`: picks numpy or torch.
- :mod:`.torch_gibbs`, :mod:`.torch_ais`, :mod:`.torch_trajectory`: PyTorch ports (imported
  only for ``backend: torch``).

May import: ``core``. Torch is imported only by the torch modules, which only
:mod:`.kernel_backend` imports, inside the function that needs them.
"""
