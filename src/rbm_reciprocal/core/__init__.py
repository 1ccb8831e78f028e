"""Foundations, numpy only: errors, file I/O, the RBM (Eqs. 2-3), the checkpoint format, the
random streams.

- :mod:`.errors`: the exceptions the CLI turns into one line.
- :mod:`.io` (atomic writes, npz) and :mod:`.tables` (parquet).
- :mod:`.rbm`: parameters, energies, conditionals, free energy, init.
- :mod:`.checkpoint`: the one checkpoint file name, writer and reader.
- :mod:`.streams`: the one recipe of every random stream.

May import: numpy, pandas (``tables`` only), the standard library. Nothing of this package
outside ``core``.
"""
