"""Benchmark of the satellite quantities (not a test).

Ratios within one run, on bea2002-sector (n = 15) and bea2002-summary (n = 133) with a
synthetic non-negative satellite account (seeded; the BEA tables ship none):

* interval, sharp and verified: a satellite effect / multiplier against the output / income
  multiplier of the same table and tolerance (the bordered matrix adds one row);
* stochastic, Monte Carlo (uniform, 4096 draws): satellite effect against output_type1;
* elasticities of the footprint: the closed form (two solves) against finite differences of
  re-inverted systems (one solve per non-zero coefficient, timed on a subset and extrapolated),
  with the largest difference between the two on that subset.

    .venv/bin/python benchmarks/bench_satellites.py [--subset 300]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pandas as pd

from iouq.interval import interval_multiplier
from iouq.quantities import footprint_elasticities
from iouq.stochastic import stochastic_analysis
from iouq.tables import load_table


def with_satellite(name: str, seed: int = 20251122):
    table = load_table(name)
    rng = np.random.default_rng(seed)
    S = pd.DataFrame([rng.lognormal(-2.0, 1.0, table.n)], index=pd.Index(["X"], name="account"),
                     columns=list(table.sectors))
    return dataclasses.replace(table, satellites=S, satellite_units={"X": "unit"})


def seconds(f, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subset", type=int, default=300)
    args = ap.parse_args()
    for name in ("bea2002-sector", "bea2002-summary"):
        t = with_satellite(name)
        print(f"{name} (n = {t.n})")
        for method in ("sharp", "verified"):
            for sat, ref in (("effect_type1:X", "output_type1"), ("multiplier_type1:X", "income_type1"),
                             ("effect_type2:X", "output_type2")):
                ts = seconds(lambda: interval_multiplier(t, 0.01, sat, method))
                tr = seconds(lambda: interval_multiplier(t, 0.01, ref, method))
                ex = (interval_multiplier(t, 0.01, sat, method).exactness == "exact").mean()
                print(f"  interval {method:8s} {sat:20s} {ts:8.3f} s = {ts / tr:5.2f} x {ref} ({tr:.3f} s); "
                      f"exact share {ex:.2f}")
        ts = seconds(lambda: stochastic_analysis(t, 0.01, "effect_type1:X", "uniform", ("montecarlo",), 4096, 1), 1)
        tr = seconds(lambda: stochastic_analysis(t, 0.01, "output_type1", "uniform", ("montecarlo",), 4096, 1), 1)
        print(f"  montecarlo effect_type1:X {ts:.3f} s = {ts / tr:.2f} x output_type1 ({tr:.3f} s)")
        tc = seconds(lambda: footprint_elasticities(t, "X"))
        el = footprint_elasticities(t, "X")
        el = el[el.kind == "A"].reset_index(drop=True)
        A, s, y = np.array(t.A), t.intensity("X"), t.total_final_demand()
        f0 = s @ np.linalg.solve(np.eye(t.n) - A, y)
        idx = {c: k for k, c in enumerate(t.sectors)}
        sub = el.iloc[: args.subset]
        start = time.perf_counter()
        worst = 0.0
        for row in sub.itertuples():
            i, j = idx[row.row], idx[row.col]
            vals = []
            for sign in (1, -1):
                Ap = A.copy()
                Ap[i, j] *= 1 + sign * 1e-4
                vals.append(s @ np.linalg.solve(np.eye(t.n) - Ap, y))
            fd = (vals[0] - vals[1]) / (2e-4 * f0)
            worst = max(worst, abs(fd - row.elasticity))
        tf = (time.perf_counter() - start) * len(el) / len(sub)
        print(f"  elasticities: closed form {tc:.4f} s, finite differences {tf:.2f} s (extrapolated to "
              f"{len(el)} coefficients): {tf / tc:.0f} x; max |difference| {worst:.2e}")


if __name__ == "__main__":
    main()
