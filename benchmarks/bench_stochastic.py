"""Benchmark of the stochastic family (not a test).

    .venv/bin/python benchmarks/bench_stochastic.py [--quick] [--tol 0.01] [--skip-500]

For n = 15 (bea2002-sector), 133 (bea2002-summary) and 500 (synthetic dense table), output
multipliers (Type I), uniform coefficients at tol 0.01 (or ``--tol``):

* samples/s of the naive loop (full matrix draw + one ``numpy.linalg.inv`` per sample) and of
  :func:`iouq.stochastic.montecarlo` (draws of the non-zero coefficients + batched fixed-point
  solve of one transposed system per draw), with the draw/solve split;
* wall time to reach a Monte Carlo standard error of 1% of the sd on every sector's mean and
  2.5%/97.5% quantiles: ``N_req = max_j (se_j sqrt(N) / (0.01 sd_j))^2`` from a pilot run,
  divided by the measured rate (plain mean and quantiles for the naive loop; control-variate
  mean and control-variate quantiles -- exact law of the first-order term -- for ours, plus the
  fixed cost of that law and of the statistics);
* perturbation moments of all four multipliers at n = 1000.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from iouq.distributions import coefficient_model, sample_coefficients
from iouq.stochastic import _mc_stats, first_order_law, montecarlo, multiplier_problem, perturbation_moments
from iouq.table import IOTable
from iouq.tables import load_table


def synthetic(n: int, seed: int = 0, households: bool = False) -> IOTable:
    rng = np.random.default_rng(seed)
    A = rng.random((n, n))
    A *= 0.6 / A.sum(axis=0)
    kw = {}
    if households:
        kw = dict(household_income=np.full(n, 0.25), household_consumption=np.full(n, 0.6 / n))
    return IOTable(name=f"synthetic{n}", sectors=tuple(str(i) for i in range(n)), A=A, **kw)


def naive_rate(table: IOTable, tol: float, n: int) -> float:
    problem = multiplier_problem(table, "output_type1")
    model = coefficient_model(problem.M, tol, "uniform")
    rng = np.random.default_rng(0)
    I = np.eye(table.n)
    t0 = time.perf_counter()
    for _ in range(n):
        M = sample_coefficients(model, rng, 1)[0]
        np.linalg.inv(I - M).sum(axis=0)
    return n / (time.perf_counter() - t0)


def bench(table: IOTable, tol: float, n_pilot: int, n_naive: int, chunk: int) -> None:
    problem = multiplier_problem(table, "output_type1")
    model = coefficient_model(problem.M, tol, "uniform")
    montecarlo(problem, model, min(256, n_pilot), seed=1, chunk_size=chunk, law=False)  # warm-up
    t0 = time.perf_counter()
    res = montecarlo(problem, model, n_pilot, seed=1, chunk_size=chunk, law=False)
    wall = time.perf_counter() - t0
    rate = n_pilot / wall
    t0 = time.perf_counter()
    res.law = first_order_law(problem, model)
    t_law = time.perf_counter() - t0
    t0 = time.perf_counter()
    st = _mc_stats(res)
    t_stats = time.perf_counter() - t0
    sd = np.where(st["sd"] > 0, st["sd"], np.nan)
    root = np.sqrt(n_pilot)

    def need(se: np.ndarray) -> float:
        return float(np.nanmax((se * root / (0.01 * sd)) ** 2))

    n_mean, n_cv = need(st["mc_se_mean"]), need(st["mc_se_mean_cv"])
    n_q = max(need(st["mc_se_q025"]), need(st["mc_se_q975"]))
    n_qcv = max(need(st["mc_se_q025_cv"]), need(st["mc_se_q975_cv"]))
    nrate = naive_rate(table, tol, n_naive)
    t_naive = max(n_mean, n_q) / nrate
    n_ours = max(n_cv, n_qcv, 1000.0)  # at least one block of draws
    t_ours = n_ours / rate + t_law + t_stats * max(1.0, n_ours / n_pilot)
    t_plain = max(n_cv, n_q) / rate
    print(f"n={table.n:4d} tol={tol}: naive {nrate:8.0f} samples/s | ours {rate:8.0f} samples/s "
          f"(draw {res.draw_seconds / wall:.0%}, solve {res.solve_seconds / wall:.0%}, "
          f"{res.draw_seconds / n_pilot * 1e6:.0f}+{res.solve_seconds / n_pilot * 1e6:.0f} us/sample); "
          f"law of the first-order term {t_law:.2f} s, statistics {t_stats:.2f} s")
    print(f"      samples for 1% of sd: mean {n_mean:,.0f}, mean with control variate {n_cv:,.0f}, "
          f"95% quantiles {n_q:,.0f}, with control variate {n_qcv:,.0f} "
          f"(law usable for {res.law.ok.mean() if res.law is not None else 0:.0%} of the sectors)")
    print(f"      wall time to that accuracy: naive loop {t_naive:8.1f} s, ours {t_ours:8.2f} s "
          f"(x{t_naive / t_ours:.1f}); ours without the quantile control variate {t_plain:.1f} s "
          f"(x{t_naive / t_plain:.1f})")


def bench_perturbation(n: int) -> None:
    table = synthetic(n, households=True)
    t0 = time.perf_counter()
    for mult in ("output_type1", "output_type2", "income_type1", "income_type2"):
        problem = multiplier_problem(table, mult)
        perturbation_moments(problem, coefficient_model(problem.M, 0.01, "uniform"))
    print(f"perturbation moments, all four multipliers, n={n}: {time.perf_counter() - t0:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller pilot runs")
    ap.add_argument("--tol", type=float, default=0.01, help="tolerance (default 0.01)")
    ap.add_argument("--skip-500", action="store_true", help="leave out the n = 500 table")
    args = ap.parse_args()
    q, tol = args.quick, args.tol
    bench(load_table("bea2002-sector"), tol, 5000 if q else 20000, 2000 if q else 10000, 1024)
    bench(load_table("bea2002-summary"), tol, 2048 if q else 8192, 500 if q else 2000, 512)
    if not args.skip_500:
        bench(synthetic(500), tol, 256 if q else 1024, 50 if q else 200, 64)
    bench_perturbation(1000)


if __name__ == "__main__":
    main()
