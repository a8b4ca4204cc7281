"""Sum the per-rule benchmark files of a run: wall time and CPU time per rule and in total.

    .venv/bin/python tools/benchmark_summary.py [logs/benchmarks] [--top 10]

Reads every ``*.tsv`` that Snakemake's ``benchmark:`` directive wrote (columns ``s``,
``max_rss``, ``cpu_time``, ...) and prints, per rule family (the first directory below
``benchmarks/``), the number of jobs and the sums of wall and CPU seconds, then the slowest jobs.
The sum of job times is not the pipeline's wall time (jobs run in parallel): compare it with
the wall time of the ``snakemake`` command itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", nargs="?", default="logs/benchmarks")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    root = Path(args.root)
    rows = []
    for f in sorted(root.rglob("*.tsv")):
        df = pd.read_csv(f, sep="\t")
        last = df.iloc[-1]
        rel = f.relative_to(root)
        rows.append({"family": rel.parts[0], "job": str(rel.with_suffix("")), "s": float(last["s"]),
                     "cpu_s": float(last.get("cpu_time", float("nan"))), "max_rss_mb": float(last["max_rss"])})
    if not rows:
        raise SystemExit(f"no benchmark files under {root}")
    df = pd.DataFrame(rows)
    fam = df.groupby("family").agg(jobs=("job", "size"), wall_s=("s", "sum"), cpu_s=("cpu_s", "sum"),
                                   max_rss_mb=("max_rss_mb", "max"))
    print(fam.round(1).to_string())
    print(f"total: {len(df)} jobs, sum of wall times {df.s.sum():.1f} s, sum of CPU times {df.cpu_s.sum():.1f} s")
    print(df.sort_values("s", ascending=False).head(args.top).round(1).to_string(index=False))


if __name__ == "__main__":
    main()
