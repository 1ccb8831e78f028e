"""The paper's figures: one module per stage (same names), tables in, PDF and PNG out.

- :mod:`.style`: the common style and the writer (``figures/<name>.pdf``, ``.png``).
- :mod:`.spectra`, :mod:`.reciprocal`, :mod:`.symmetry`, :mod:`.landau`, :mod:`.loglik`,
  :mod:`.claims`: the renderers, each named like its rule and output (``fig4`` ...).
- :mod:`.render`: reads a figure's tables and calls its renderer (``python -m rbm_reciprocal
  figure <name>``).

May import: ``core``, ``analysis``.
"""
