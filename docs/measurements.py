"""Measured numbers in README.md and docs/*.md come from files that a command wrote.

A page shows a measurement only inside a block that this script generates::

    <!-- measurement: docs/measurements/authors_pcd_jl.json view=pcd_jl -->
    ... (generated: a stamp line and a table) ...
    <!-- /measurement -->

The file (path from the repository root) must exist and carry a stamp naming the date, the
machine and the command that wrote it:

- JSON: a top-level ``"stamp": {"date", "machine", "command", ...}`` (``bench/_stamp.py``);
- Markdown: a first line ``<!-- stamp`` followed by ``date:``, ``machine:``, ``command:``
  lines (YAML) and ``-->``; the rest is the measurement;
- anything else (parquet): a sidecar ``<file>.stamp.yaml`` with the same keys.

``python docs/measurements.py`` regenerates every block of README.md and docs/**/*.md from
its file; ``--check`` changes nothing and exits 1 when a file is missing, lacks its stamp, or
a block differs from what its file gives (``tests/test_docs.py`` runs it, and so does the
mkdocs hook ``docs/hooks.py`` before every build). A view renders one kind of file
(``VIEWS``); without ``view=`` a Markdown file is shown whole.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
STAMP_KEYS = ("date", "machine", "command")
BLOCK = re.compile(
    r"(?P<open><!-- measurement: (?P<path>\S+)(?: view=(?P<view>\w+))? -->\n)"
    r"(?P<body>.*?)"
    r"(?P<close><!-- /measurement -->)",
    re.S,
)


class MeasurementError(Exception):
    """A measurement file is missing, has no stamp, or cannot be rendered."""


# -- reading a file and its stamp ------------------------------------------------------------
def read(path: str) -> tuple[dict, object]:
    """``(stamp, content)`` of a measurement file (content: dict, str or a sidecar's path)."""
    p = ROOT / path
    if not p.is_file():
        raise MeasurementError(f"{path}: included measurement file is missing")
    if p.suffix == ".json":
        content = json.loads(p.read_text())
        stamp = content.get("stamp") if isinstance(content, dict) else None
    elif p.suffix == ".md":
        text = p.read_text()
        m = re.match(r"<!-- stamp\n(.*?)\n-->\n", text, re.S)
        stamp = yaml.safe_load(m.group(1)) if m else None
        content = text[m.end() :] if m else text
    else:
        side = p.with_name(p.name + ".stamp.yaml")
        stamp = yaml.safe_load(side.read_text()) if side.is_file() else None
        content = p
    if not isinstance(stamp, dict):
        raise MeasurementError(f"{path}: no stamp (date, machine, command); see this module")
    missing = [k for k in STAMP_KEYS if not str(stamp.get(k) or "").strip()]
    if missing:
        raise MeasurementError(f"{path}: its stamp lacks {', '.join(missing)}")
    if not re.match(r"\d{4}-\d\d-\d\d", str(stamp["date"])):
        raise MeasurementError(f"{path}: stamp date {stamp['date']!r} is not YYYY-MM-DD...")
    return stamp, content


def stamp_line(path: str, stamp: dict) -> str:
    """The line under which a page shows a measurement."""
    date = str(stamp["date"])[:10]
    return f"*Written {date} on {stamp['machine']} by `{stamp['command']}` (file `{path}`).*"


# -- views -----------------------------------------------------------------------------------
def _hours(x: float) -> str:
    return f"{x:,.2f}" if x >= 0.01 else f"{x:.1g}"


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def view_md(content: str) -> str:
    return content.strip()


def view_claims_summary(content: str) -> str:
    """Verdict of every claim of a ``results/claims.md``, and the counts."""
    rows, kinds = [], {}
    section = "paper"
    for line in content.splitlines():
        if line.startswith("**Self-checks"):
            section = "self-check"
        m = re.match(r"^\| (\d+) \| (.+?) \| .* \| (\*\*FAIL\*\*|pass|n/a) \|$", line)
        if m:
            verdict = m.group(3).strip("*")
            said = re.split(r"\. | \((?:Eqs?|Fig|Sec)\b", m.group(2))[0].rstrip(".")
            shown = f"**{verdict}**" if verdict == "FAIL" else verdict
            rows.append([m.group(1), section, said, shown])
            if section == "paper":
                kinds[verdict] = kinds.get(verdict, 0) + 1
    counts = ", ".join(f"{kinds.get(k, 0)} {k}" for k in ("pass", "FAIL", "n/a"))
    return f"Claims of the paper: {counts}.\n\n" + _table(["#", "kind", "claim", "result"], rows)


def view_pcd_jl(content: dict) -> str:
    s = content["settings"]
    head = (
        f"M = {s['hidden']}, PCD-{s['gibbs_steps']}, batch {s['batch_size']}, "
        f"{s['n_chains']} chains, {s['optimizer']['name']} lr {s['optimizer']['lr']}, "
        f"{s['epochs']} epochs of {s['updates_per_epoch']} update(s), seed {s['seed']}, "
        f"{content['n_train_images']} training images."
    )
    rows = []
    for r in content["replicas"]:
        traj = {t["updates"]: t["top"] for t in r["trajectory"]}
        at = [u for u in (0, 10, 50) if u in traj]
        rows.append(
            [r["replica"], r["updates"], ", ".join(f"{x:.2f}" for x in r["final_top"][:5])]
            + [f"{traj[u][0]:.2f}" for u in at]
            + [f"{r['seconds']:.0f}"]
        )
    header = ["replica", "updates", "5 largest singular values at the end"]
    header += [f"largest after {u} updates" for u in at] + ["seconds"]
    return head + "\n\n" + _table(header, rows)


LOGLIK = "log-likelihood"


def view_preset_costs(content: dict) -> str:
    rows = []
    for name, p in content["presets"].items():
        fam = p["families"]
        rows.append(
            [f"`{name}`", p["jobs"], _hours(p["cpu_hours"])]
            + [_hours(fam[k]["cpu_hours"]) for k in ("training", LOGLIK)]
        )
    gf = content["gflops"]
    return (
        f"Predicted single-thread CPU-hours at {gf:g} GFLOP/s (the cost model's reference rate, "
        "`python -m rbm_reciprocal cost`):\n\n"
        + _table(["preset", "jobs", "CPU-hours", "training", "log-likelihood"], rows)
    )


def view_paper_cost(content: dict) -> str:
    """Families of the paper config (the first preset of the file)."""
    name, p = next(iter(content["presets"].items()))
    rows = [
        [fam, f["jobs"], f"{f['sweeps']:.3g}", f"{f['flops']:.3g}", f"{f['cpu_hours']:,.1f}"]
        for fam, f in p["families"].items()
    ]
    rows.append(["**total**", p["jobs"], "", "", f"**{p['cpu_hours']:,.1f}**"])
    return f"`{name}` at {content['gflops']:g} GFLOP/s:\n\n" + _table(
        ["family", "jobs", "Gibbs sweeps", "FLOPs", "CPU-hours"], rows
    )


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m // 60} h {m % 60} min" if m >= 60 else f"{m} min {s} s"


def view_run_summary(content: dict) -> str:
    runs = [
        [r["started"], r["host"], f"`{r['command'].split('snakemake ', 1)[-1]}`",
         r["steps_done"], _hms(r["elapsed_seconds"]),
         "failed: " + ", ".join(r["failed_rules"]) if r["failed"] else "completed"]
        for r in content["runs"]
    ]  # fmt: skip
    top = sorted(content["jobs"].items(), key=lambda kv: -kv[1]["total_seconds"])[:6]
    jobs = [[f"`{k}`", v["jobs"], _hms(v["total_seconds"]), _hms(v["max_seconds"])] for k, v in top]
    total = (
        f"{content['total_jobs_timed']} jobs timed, {_hms(content['total_job_seconds'])} "
        "of job time in all (the latest run of each job)."
    )
    return (
        _table(["started", "host", "snakemake ...", "steps", "elapsed", "result"], runs)
        + "\n\n"
        + total
        + "\n\n"
        + _table(["rule", "jobs", "total", "longest"], jobs)
    )


def view_run_brief(content: dict) -> str:
    """One line per Snakemake run of the summary, and the job total."""
    lines = [
        f"- {r['started']} on {r['host']}: {r['steps_done']} steps in {_hms(r['elapsed_seconds'])}"
        + (f" (stopped: {', '.join(r['failed_rules'])} failed)" if r["failed"] else " (completed)")
        for r in content["runs"]
    ]
    lines.append(
        f"- {content['total_jobs_timed']} jobs, {_hms(content['total_job_seconds'])} of job "
        "time in all (the latest run of each job)"
    )
    return "\n".join(lines)


def view_gibbs(content: dict) -> str:
    """``bench/gibbs.py --json`` rows: CPU-time minima per call (one thread)."""
    rows = []
    for r in content["rows"]:
        p = r.get("paths", {})
        paths = f"{p.get('hidden', '?')} / {p.get('visible', '?')}"
        rows.append([
            r["M"], r["states"], f"{r['density_v']:.3f} / {r['density_h']:.3f}", paths,
            f"{r['cpu_sweep_ms']:.2f}", f"{r['cpu_sweep_dense_ms']:.2f}",
            f"{r['cpu_gemm_floor_ms']:.2f}", f"{r['cpu_ratio']:.2f}",
            f"{r['cpu_sweep_dense_ms'] / r['cpu_gemm_floor_ms']:.2f}",
        ])  # fmt: skip
    header = ["M", "states", "density v / h", "`v W` / `h W^T`", "sweep (ms)",
              "dense-only sweep (ms)", "two-GEMM floor (ms)", "ratio", "dense ratio"]  # fmt: skip
    rounds = content["rows"][0].get("rounds", "?") if content["rows"] else "?"
    return (
        f"B = 500 chains, N = 784; minimum CPU time of the process per call over {rounds} "
        "interleaved rounds:\n\n" + _table(header, rows)
    )


def view_train_states(content: dict) -> str:
    """``bench/train_states.py`` progress lines: updates/s and updates per CPU-second."""
    pat = re.compile(r"M=(\d+) epoch (\d+)/(\d+) updates (\d+) ([0-9.]+) updates/s, "
                     r"([0-9.]+) updates/CPU-s")  # fmt: skip
    rows = [list(m.groups()[:2]) + [m[4], m[5], m[6]] for m in map(pat.match, content["log"]) if m]
    return _table(["M", "epoch", "updates", "updates/s (wall)", "updates per CPU-second"], rows)


def view_loglik_hard(content: dict) -> str:
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in content["rows"]:
        groups.setdefault((r["case"], r["estimator"]), []).append(r)
    rows = []
    for (case, est), rs in groups.items():
        flagged = [r for r in rs if not r["reliable"]]
        wrong = [r for r in rs if not r["within_3se"]]
        rows.append([
            case, est, len(rs), len(rs) - len(wrong),
            f"{max(abs(r['error']) for r in rs):.3f}",
            len(flagged), sum(1 for r in wrong if r["reliable"]),
        ])  # fmt: skip
    ok = content["stamp"].get("every_row_right_or_flagged")
    return (
        _table(
            [
                "case",
                "estimator",
                "rows",
                "within 3 s.e. of exact",
                "largest abs. error (nats)",
                "flagged",
                "wrong and unflagged",
            ],
            rows,
        )  # fmt: skip
        + f"\n\nEvery row within 3 s.e. of the exact log Z or flagged: **{ok}**."
    )


def view_quick_loglik(path: Path) -> str:
    import pandas as pd

    t = pd.read_parquet(path)
    last = t[t["epoch"] == t["epoch"].max()].sort_values(["hidden", "replica"])
    rows = [
        [int(r.hidden), int(r.replica), int(r.epoch), r.estimator,
         f"{r.test_ll_bar:.2f} ± {r.log_z_bar_se:.2f}", f"{r.test_ll_ais:.2f}",
         f"{r.test_ll_rais:.2f}", r.flags or "-"]
        for r in last.itertuples()
    ]  # fmt: skip
    return _table(["M", "replica", "epoch", "estimator", "test LL (BAR ± s.e.)",
                   "forward", "reverse", "flags"], rows)  # fmt: skip


VIEWS: dict[str, Callable[[object], str]] = {
    "md": view_md,
    "claims_summary": view_claims_summary,
    "pcd_jl": view_pcd_jl,
    "preset_costs": view_preset_costs,
    "paper_cost": view_paper_cost,
    "run_summary": view_run_summary,
    "run_brief": view_run_brief,
    "loglik_hard": view_loglik_hard,
    "gibbs": view_gibbs,
    "train_states": view_train_states,
    "quick_loglik": view_quick_loglik,
}


def render(path: str, view: str | None) -> str:
    """The generated body of a block: the measurement, then its stamp line."""
    stamp, content = read(path)
    view = view or "md"
    if view not in VIEWS:
        raise MeasurementError(f"{path}: unknown view {view!r}; known: {sorted(VIEWS)}")
    return VIEWS[view](content).rstrip() + "\n\n" + stamp_line(path, stamp) + "\n"


# -- pages -----------------------------------------------------------------------------------
def pages() -> list[Path]:
    """README.md and every Markdown page of the site (not the measurement files)."""
    docs = [p for p in sorted((ROOT / "docs").rglob("*.md")) if "measurements" not in p.parts]
    return [ROOT / "README.md", *docs]


def includes(text: str) -> list[tuple[str, str | None]]:
    """``(path, view)`` of every block of a page."""
    return [(m["path"], m["view"]) for m in BLOCK.finditer(text)]


def regenerate(text: str) -> str:
    """The page with every block's body rendered anew from its file."""
    return BLOCK.sub(lambda m: m["open"] + render(m["path"], m["view"]) + m["close"], text)


def problems() -> list[str]:
    """One line per missing, unstamped or stale measurement of any page."""
    out = []
    for page in pages():
        text = page.read_text()
        rel = page.relative_to(ROOT)
        try:
            if regenerate(text) != text:
                out.append(f"{rel}: a measurement block is stale; run python docs/measurements.py")
        except MeasurementError as e:
            out.append(f"{rel}: {e}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 on problems")
    args = ap.parse_args(argv)
    if args.check:
        found = problems()
        print("\n".join(found) or "every measurement block is up to date")
        return 1 if found else 0
    rc = 0
    for page in pages():
        text = page.read_text()
        errors: list[str] = []

        def body(m: re.Match, errors: list[str] = errors, page: Path = page) -> str:
            try:
                return m["open"] + render(m["path"], m["view"]) + m["close"]
            except MeasurementError as e:  # keep the old body, report, go on
                errors.append(f"{page.relative_to(ROOT)}: {e}")
                return m[0]

        new = BLOCK.sub(body, text)
        if errors:
            print("\n".join(errors))
            rc = 1
        if new != text:
            page.write_text(new)
            print(f"updated {page.relative_to(ROOT)}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
