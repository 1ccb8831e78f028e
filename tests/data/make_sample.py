"""Make the small MNIST test sample in ``tests/data/mnist`` from the full IDX files.

Usage::

    python tests/data/make_sample.py /path/to/full/mnist [out_dir]

``/path/to/full/mnist`` holds the four original ``*-idx?-ubyte.gz`` files. The sample keeps the
first 2,000 training and the first 500 test images and labels, rewrites the IDX header counts,
and gzips each file deterministically (mtime 0, no file name, level 9), like ``gzip -n -9``.
It also writes ``SHA256SUMS`` (sha256 of the decompressed sample files).
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import sys
from pathlib import Path

COUNTS = {
    "train-images-idx3-ubyte": 2000,
    "train-labels-idx1-ubyte": 2000,
    "t10k-images-idx3-ubyte": 500,
    "t10k-labels-idx1-ubyte": 500,
}


def subset_idx(raw: bytes, n: int) -> bytes:
    """Return IDX bytes holding the first ``n`` items of ``raw`` with the header adjusted."""
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError("not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = list(struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim]))
    if n > dims[0]:
        raise ValueError(f"asked for {n} items, file has {dims[0]}")
    item = 1
    for d in dims[1:]:
        item *= d
    header_len = 4 + 4 * ndim
    dims[0] = n
    header = raw[:4] + struct.pack(f">{ndim}I", *dims)
    return header + raw[header_len : header_len + n * item]


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    src = Path(argv[1])
    out = Path(argv[2]) if len(argv) == 3 else Path(__file__).resolve().parent / "mnist"
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, n in COUNTS.items():
        with gzip.open(src / f"{name}.gz", "rb") as fh:
            raw = fh.read()
        sample = subset_idx(raw, n)
        with open(out / f"{name}.gz", "wb") as fh:
            with gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=9, mtime=0) as gz:
                gz.write(sample)
        lines.append(f"{hashlib.sha256(sample).hexdigest()}  {name}\n")
    (out / "SHA256SUMS").write_text("".join(lines))
    print("".join(lines), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
