"""File I/O at the edges: atomic writes (a file exists complete or not at all) and npz arrays.

Numpy only (no pandas), so that the config layer can import it cheaply; tables are in
:mod:`rbm_reciprocal.core.tables`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rbm_reciprocal.core.errors import DataError


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file lives in the same directory so that the final ``os.replace``
    is atomic. On any exception the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp creates 0600; give normal permissions
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def save_npz(path: str | os.PathLike, **arrays: np.ndarray) -> None:
    """Write arrays to an uncompressed ``.npz`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


#: Environment variable holding the command that reruns a job of the current run (the user's
#: ``snakemake`` with their ``--configfile`` and ``--config``), set by every rule's shell
#: command. Without it the hint is a plain ``snakemake --cores 1``.
RERUN_ENV = "RBM_RERUN"


def rerun_command(path: str | os.PathLike) -> str:
    """The command that rebuilds ``path`` with the settings of the run that made it."""
    return f"{os.environ.get(RERUN_ENV) or 'snakemake --cores 1'} --force {path}"


def damaged_file_message(path: str | os.PathLike, exc: BaseException, rule: str | None) -> str:
    """One line for a file that exists but cannot be read: what, why, what to rerun.

    ``rule`` is the workflow rule that writes the file, when the reader knows it; the
    command (:func:`rerun_command`) reruns whichever rule writes it in any case.
    """
    reason = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        what = "is missing"
    else:
        what = f"is damaged (truncated or corrupt: {type(exc).__name__}: {reason})"
    by = f"rule {rule}" if rule else "the rule that writes it"
    return f"{path} {what}; delete it and rerun {by}: {rerun_command(path)}"


def load_npz(path: str | os.PathLike, rule: str | None = None) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz`` into memory and close the file.

    Raises
    ------
    DataError
        One line naming the file and the rule to rerun (``rule``, when given) if the file is
        missing, truncated or corrupt.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception as exc:  # zipfile.BadZipFile, ValueError, OSError, EOFError, ...
        raise DataError(damaged_file_message(path, exc, rule)) from exc


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


PathLike = str | os.PathLike
