"""Benchmark of common random numbers (not a test).

    .venv/bin/python benchmarks/bench_crn.py [--samples 4096] [--tol 0.01] [--table bea2002-summary]

Monte Carlo of all four multipliers of a table for the uniform, normal and dirichlet
distributions, in the same run:

* baseline: one :func:`iouq.stochastic.montecarlo` call per multiplier and distribution (the
  coefficients are drawn again for every multiplier), with the previous Dirichlet normalisation
  timed separately as the ``old dirichlet draw`` line;
* ours: :func:`iouq.stochastic.montecarlo_common` per distribution (one set of draws shared by
  the multipliers whose law allows it);
* LU reference: one batched ``numpy.linalg.solve`` (LAPACK LU per draw) of the same number of
  draws of the household-closed matrix, for one right-hand side: what one multiplier costs by
  direct solves (``lu_one_multiplier_s``; ``common_per_multiplier_vs_lu`` = ours / 4 / that).

Prints CPU times (process_time: robust on a shared machine) and their ratio (baseline / ours); results go to benchmarks/out/crn.csv.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from iouq.distributions import coefficient_model
from iouq.multipliers import MULTIPLIERS
from iouq.stochastic import montecarlo, montecarlo_common, multiplier_problem
from iouq.tables import load_table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=4096)
    ap.add_argument("--tol", type=float, default=0.01)
    ap.add_argument("--table", default="bea2002-summary")
    args = ap.parse_args()
    table = load_table(args.table)
    rows = []
    for dist in ("uniform", "normal", "dirichlet"):
        problems = [multiplier_problem(table, m) for m in MULTIPLIERS]
        models = [coefficient_model(p.M, args.tol, dist) for p in problems]
        t0 = time.process_time()
        base = [montecarlo(p, md, args.samples, 1, 512, False) for p, md in zip(problems, models)]
        t1 = time.process_time()
        ours = montecarlo_common(problems, models, args.samples, 1, 512, False)
        t2 = time.process_time()
        closed = problems[MULTIPLIERS.index("output_type2")]
        Ms = np.broadcast_to(closed.M, (args.samples,) + closed.M.shape).copy()
        rng = np.random.default_rng(1)
        md = models[MULTIPLIERS.index("output_type2")]
        Ms[:, md.rows, md.cols] *= 1.0 + args.tol * (2.0 * rng.random((args.samples, md.size)) - 1.0)
        I = np.eye(closed.M.shape[0])
        t3 = time.process_time()
        for s0 in range(0, args.samples, 512):  # chunks bound the memory, as in ours
            np.linalg.solve(np.swapaxes(I - Ms[s0 : s0 + 512], 1, 2), closed.w[None, :, None])
        t4 = time.process_time()
        sd_ratio = np.median(np.concatenate([o.samples.std(axis=0) / b.samples.std(axis=0) for o, b in zip(ours, base)]))
        rows.append({"table": args.table, "tol": args.tol, "distribution": dist, "samples": args.samples,
                     "baseline_s": t1 - t0, "common_s": t2 - t1, "ratio": (t1 - t0) / (t2 - t1),
                     "baseline_draw_s": sum(b.draw_seconds for b in base),
                     "common_draw_s": sum({id(o.extra.get('common_with')): o.draw_seconds for o in ours}.values()),
                     "median_sd_ratio": sd_ratio, "lu_one_multiplier_s": t4 - t3,
                     "common_per_multiplier_vs_lu": (t2 - t1) / len(problems) / (t4 - t3)})
        print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in rows[-1].items()}, flush=True)
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    df = pd.DataFrame(rows)
    df.to_csv(out / "crn.csv", index=False)
    print(f"total: baseline {df.baseline_s.sum():.1f}s, common {df.common_s.sum():.1f}s, "
          f"ratio {df.baseline_s.sum() / df.common_s.sum():.2f}")


if __name__ == "__main__":
    main()
