"""Benchmark of the regional and footprint uncertainty (not a test).

Ratios measured in the same run:

* exact delta-bounds (two end-point solves, iouq.regional.delta_bounds) against the brute-force
  range over a grid of delta values (one solve per grid point) on bea2002-summary (n = 133) and
  the example synthetic region of bea2002-sector; the largest difference of the bounds is printed
  too (the grid includes the end points, so they agree exactly when the table is non-negative);
* exact footprint hull (iouq.mrio.footprint_interval, two solves) against the min/max of a
  uniform Monte Carlo on the same boxes (iouq.mrio.footprint_montecarlo) on pymrio-test, with
  the share of the hull width the Monte Carlo range covers.

    .venv/bin/python benchmarks/bench_regional.py [--grid 201] [--samples 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from iouq.mrio import footprint_interval, footprint_montecarlo
from iouq.regional import delta_bounds, delta_grid_range, regional_data
from iouq.tables import load_table


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=201)
    ap.add_argument("--samples", type=int, default=2000)
    args = ap.parse_args()
    rng = np.random.default_rng(np.random.SeedSequence(2013))
    delta_bounds(load_table("bea2002-sector"),
                 regional_data(load_table("bea2002-sector"), load_table("bea2002-sector").output * 0.1), "flq", (0.1, 0.3))  # warm-up
    for name in ("bea2002-sector", "bea2002-summary"):
        t = load_table(name)
        data = regional_data(t, t.output * np.minimum(0.05 * np.exp(0.5 * rng.standard_normal(t.n)), 0.5))
        b, t_exact = timed(delta_bounds, t, data, "flq", (0.1, 0.3))
        (gmin, gmax), t_grid = timed(delta_grid_range, t, data, "flq", (0.1, 0.3), args.grid)
        diff = max(np.max(np.abs(b["lower"] - gmin)), np.max(np.abs(b["upper"] - gmax)))
        width = np.median((b["upper"] - b["lower"]) / (gmax - gmin))
        print(f"{name} (n = {t.n}): delta-bounds ({b['exactness'].iloc[0]}) {t_exact * 1e3:.2f} ms, grid of {args.grid} "
              f"{t_grid * 1e3:.1f} ms, ratio {t_grid / t_exact:.1f}x; max |bound - grid| = {diff:.2e}, "
              f"median width / grid width = {width:.6f}")
    t = load_table("pymrio-test")
    iv, t_iv = timed(footprint_interval, t, 0.05)
    (draws, _, _), t_mc = timed(footprint_montecarlo, t, 0.05, args.samples, 1, "uniform")
    lo, hi = (iv[c].to_numpy().reshape(draws.shape[1:]) for c in ("lower", "upper"))
    cover = np.median((draws.max(axis=0) - draws.min(axis=0)) / (hi - lo))
    print(f"pymrio-test (n = {t.n}): exact footprint hull {t_iv * 1e3:.1f} ms, uniform Monte Carlo "
          f"({args.samples} draws) {t_mc * 1e3:.0f} ms, ratio {t_mc / t_iv:.0f}x; the Monte Carlo range covers "
          f"{100 * cover:.0f}% of the hull width (median over regions and accounts)")


if __name__ == "__main__":
    main()
