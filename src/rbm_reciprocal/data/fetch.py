"""Fetch the MNIST files: mirrors tried in order, retries, checksums, atomic writes."""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rbm_reciprocal.core.errors import ConfigError, DataError, DownloadError
from rbm_reciprocal.core.io import atomic_path, sha256_file
from rbm_reciprocal.data.idx import (
    CHUNK,
    GZIP_MAGIC,
    MNIST_FILES,
    MNIST_SHA256,
    sha256_decompressed,
)

#: Public MNIST mirrors, tried in this order by default.
DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


_USER_AGENT = "rbm-reciprocal (MNIST fetch; python-urllib)"


_CONFIG_HINT = (
    "To use a local copy instead, download the four MNIST files (or copy them from another "
    "machine) into a folder and point the config key data.sources at it, e.g.\n"
    '  snakemake --config \'data={"sources":["/path/to/mnist"]}\'\n'
    "or edit data.sources in config.yaml (a folder path or a file:// URL; the folder may hold "
    "<name>.gz or the uncompressed <name>)."
)


Log = Callable[[str], Any]


class _SourceFailed(Exception):
    """One source could not deliver a verified file (internal)."""


def _local_folder(source: str) -> Path | None:
    """Return the folder for a ``file://`` URL or plain path, ``None`` for a network URL."""
    parsed = urllib.parse.urlparse(source)
    if parsed.scheme in ("http", "https"):
        return None
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise _SourceFailed(f"file:// URL with a remote host {parsed.netloc!r}")
        return Path(urllib.request.url2pathname(parsed.path))
    if "://" in source:
        raise _SourceFailed(
            f"unsupported URL scheme {parsed.scheme!r} (use http, https, file or a folder path)"
        )
    return Path(source).expanduser().resolve()


def _verify(tmp: Path, name: str, sha256: str | None) -> str:
    """Check that ``tmp`` decompresses (and matches ``sha256``); return its digest."""
    with open(tmp, "rb") as fh:
        head = fh.read(16)
    if head[:2] != GZIP_MAGIC:
        raise _SourceFailed(f"not a gzip file (starts with {head!r}; an error page?)")
    try:
        digest = sha256_decompressed(tmp)
    except DataError as exc:
        raise _SourceFailed(f"corrupted gzip ({str(exc).split(': ', 1)[-1]})") from exc
    if sha256 is not None and digest != sha256.lower():
        raise _SourceFailed(
            f"checksum mismatch: sha256 of decompressed {name} is {digest}, expected {sha256}"
        )
    return digest


def _copy_local(folder: Path, name: str, tmp: Path) -> str:
    """Copy ``<name>.gz`` (or gzip ``<name>``) from ``folder`` into ``tmp``; return origin."""
    if not folder.is_dir():
        raise _SourceFailed(f"folder {folder} does not exist")
    gz, plain = folder / f"{name}.gz", folder / name
    try:
        if gz.is_file():
            shutil.copyfile(gz, tmp)
            return str(gz)
        if plain.is_file():
            with open(plain, "rb") as src, open(tmp, "wb") as dst:
                with gzip.GzipFile(
                    filename="", mode="wb", fileobj=dst, compresslevel=6, mtime=0
                ) as out:
                    shutil.copyfileobj(src, out, CHUNK)
            return str(plain)
    except OSError as exc:
        raise _SourceFailed(f"cannot read from {folder}: {exc}") from exc
    raise _SourceFailed(f"not found (looked for {gz} and {plain})")


def _http_get(url: str, tmp: Path, timeout: float) -> None:
    """Stream ``url`` into ``tmp``; raise on HTTP errors or a short body."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as resp, open(tmp, "wb") as fh:
        expected = resp.headers.get("Content-Length")
        written = 0
        while chunk := resp.read(CHUNK):
            fh.write(chunk)
            written += len(chunk)
    if expected is not None and expected.isdigit() and written != int(expected):
        raise http.client.IncompleteRead(b"", int(expected) - written)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, http.client.IncompleteRead):
        return f"connection closed early ({exc.expected} bytes missing)"
    return f"{type(exc).__name__}: {exc}"


def _fetch_http(
    url: str,
    dest: Path,
    verify: Callable[[Path], Any],
    retries: int,
    timeout: float,
    backoff: float,
    log: Log,
) -> None:
    """Download ``url`` to ``dest`` atomically with retries, ``verify`` the temporary file
    (it raises _SourceFailed for a bad file); raise _SourceFailed if it fails."""
    attempts = max(1, int(retries))
    reason = ""
    for k in range(attempts):
        try:
            with atomic_path(dest) as tmp:
                _http_get(url, tmp, timeout)
                verify(tmp)
            return
        except _SourceFailed:
            raise  # a bad file: retrying the same mirror would not help
        except urllib.error.HTTPError as exc:
            reason = _describe(exc)
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise _SourceFailed(reason) from exc  # permanent (e.g. 404)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = _describe(exc)
        if k + 1 < attempts:
            delay = backoff * 2**k
            log(f"  {url}: attempt {k + 1}/{attempts} failed ({reason}); retrying in {delay:g} s")
            if delay > 0:
                time.sleep(delay)
    raise _SourceFailed(f"{reason} (after {attempts} attempt{'s' if attempts > 1 else ''})")


def fetch_file(
    name: str,
    sources: Sequence[str],
    dest_dir: str | os.PathLike,
    sha256: str | None,
    retries: int,
    timeout: float,
    backoff: float = 1.0,
    log: Log = print,
) -> Path:
    """Obtain ``<name>.gz`` into ``dest_dir`` from the first source that delivers a valid copy.

    Parameters
    ----------
    name : str
        File name without ``.gz``, e.g. ``"train-images-idx3-ubyte"``.
    sources : sequence of str
        Base URLs (``http``/``https``), ``file://`` URLs or local folder paths, tried in order
        (see the module docstring). A single string is accepted as a one-element list.
    dest_dir : path-like
        Destination folder (created if needed). The result is ``dest_dir / (name + ".gz")``.
    sha256 : str or None
        Expected sha256 of the *decompressed* file; ``None`` only checks that it decompresses.
    retries : int
        Attempts per network source (connection errors, timeouts, 5xx); 4xx errors other than
        408/429 and checksum mismatches move on to the next source at once.
    timeout : float
        Socket timeout in seconds for each request.
    backoff : float
        Wait ``backoff * 2**k`` seconds after failed attempt ``k`` (0-based).
    log : callable
        Receives one progress message per call.

    Returns
    -------
    pathlib.Path
        The verified file. It is written atomically (temporary file in ``dest_dir`` then
        ``os.replace``); an existing file that verifies is kept without fetching.

    Raises
    ------
    DownloadError
        If no source delivers a valid file; the message lists every source with its reason and
        how to set ``data.sources`` to a local copy.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [os.fspath(sources)]
    dest_dir = Path(dest_dir)
    dest = dest_dir / f"{name}.gz"
    if dest.is_file():
        try:
            _verify(dest, name, sha256)
            log(f"{dest}: present and verified, not fetching")
            return dest
        except _SourceFailed as exc:
            log(f"{dest}: present but invalid ({exc}); fetching again")
    dest_dir.mkdir(parents=True, exist_ok=True)

    failures: list[str] = []
    for source in sources:
        source = os.fspath(source)
        try:
            folder = _local_folder(source)
            if folder is None:
                url = source.rstrip("/") + "/" + name + ".gz"
                log(f"{name}.gz: downloading {url}")
                verify = lambda tmp: _verify(tmp, name, sha256)  # noqa: E731
                _fetch_http(url, dest, verify, retries, timeout, backoff, log)
                origin = url
            else:
                log(f"{name}.gz: copying from {folder}")
                with atomic_path(dest) as tmp:
                    origin = _copy_local(folder, name, tmp)
                    _verify(tmp, name, sha256)
            log(f"{name}.gz: obtained from {origin}" + (", checksum OK" if sha256 else ""))
            return dest
        except _SourceFailed as exc:
            log(f"{name}.gz: source {source} failed: {exc}")
            failures.append(f"  - {source}: {exc}")
    tried = "\n".join(failures) if failures else "  (no sources configured)"
    raise DownloadError(
        f"Could not obtain MNIST file {name}.gz from any of {len(failures)} source(s):\n"
        f"{tried}\n{_CONFIG_HINT}"
    )


def fetch_verified(
    source: str,
    relpath: str,
    dest: str | os.PathLike,
    sha256: str | None,
    retries: int,
    timeout: float,
    backoff: float = 1.0,
    log: Log = print,
) -> Path:
    """Obtain ``source/relpath`` into ``dest`` atomically, checking the sha256 of its bytes.

    The machinery of :func:`fetch_file` for any file: ``source`` is a folder, a ``file://``
    URL or an http(s) base URL; network errors are retried (``retries``, ``timeout``,
    ``backoff`` as there); a file whose sha256 differs is refused at once.

    Raises
    ------
    DownloadError
        One line naming the source, the file and the reason.
    """
    dest = Path(dest)

    def verify(tmp: Path) -> None:
        if sha256 is not None and (digest := sha256_file(tmp)) != sha256.lower():
            raise _SourceFailed(f"sha256 mismatch (got {digest}, expected {sha256})")

    try:
        folder = _local_folder(source)
        if folder is None:
            url = source.rstrip("/") + "/" + relpath
            log(f"{relpath}: downloading {url}")
            _fetch_http(url, dest, verify, retries, timeout, backoff, log)
        else:
            with atomic_path(dest) as tmp:
                try:
                    shutil.copyfile(folder / relpath, tmp)
                except OSError as exc:
                    raise _SourceFailed(f"cannot read {folder / relpath} ({exc})") from exc
                verify(tmp)
    except _SourceFailed as exc:
        raise DownloadError(f"{source}: {relpath}: {exc}") from None
    return dest


def download_mnist(
    sources: Sequence[str],
    dest_dir: str | os.PathLike,
    sha256: Mapping[str, str | None] | None = None,
    *,
    retries: int,
    timeout: float,
    backoff: float = 1.0,
    log: Log = print,
) -> list[Path]:
    """Fetch the four MNIST files into ``dest_dir`` (see :func:`fetch_file`).

    Parameters
    ----------
    sources : sequence of str
        Sources tried in order for every file.
    dest_dir : path-like
        Destination folder.
    sha256 : mapping, optional
        Per-file overrides of :data:`MNIST_SHA256`; a value ``None`` skips verification of
        that file (it must still decompress).
    retries, timeout, backoff, log
        As in :func:`fetch_file`.

    Returns
    -------
    list of pathlib.Path
        The four ``.gz`` files, in :data:`MNIST_FILES` order.
    """
    checksums: dict[str, str | None] = dict(MNIST_SHA256)
    if sha256 is not None:
        unknown = set(sha256) - set(MNIST_FILES)
        if unknown:
            raise ConfigError(f"unknown MNIST file name(s) in sha256: {sorted(unknown)}")
        checksums.update(sha256)
    return [
        fetch_file(name, sources, dest_dir, checksums[name], retries, timeout, backoff, log)
        for name in MNIST_FILES
    ]
