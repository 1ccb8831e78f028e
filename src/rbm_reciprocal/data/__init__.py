"""MNIST: IDX files and checksums, fetching from mirrors, the binarized data set.

- :mod:`.idx`: the IDX format, the files and their sha256.
- :mod:`.fetch`: mirrors tried in order, retries, checksums, atomic writes.
- :mod:`.dataset`: binarization, subsets, the ``mnist.npz`` layout, its reader and writer.

May import: ``core``.
"""
