"""Training of one RBM: settings, optimizers, the trainer (PCD, CD, Rdm-K).

- :mod:`.settings` (numba-free, used by the config layer): methods, optimizer, init, the
  checkpoint schedule.
- :mod:`.optimizers`: Adam and SGD; :mod:`.trainer`: the numpy/numba trainer;
  :mod:`.torch_trainer`: its PyTorch variant; :mod:`.trainer_backend`: picks one from the backend.
- :mod:`.replicas` and :mod:`.torch_replicas`: the replicas of one job
  (``training.batch_replicas``; on torch with batched Gibbs sweeps).

The loop with checkpoints, metrics and resume is the stage :mod:`rbm_reciprocal.stages.train`.

May import: ``core``, ``sampling``.
"""
