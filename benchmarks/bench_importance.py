"""Benchmark of the tolerable limits (not a test).

Times all n^2 tolerable limits for the three targets (inverse, multipliers, output) on
bea2002-summary (n = 133) and on a synthetic n = 1000 table, and the speed-up of the O(n^3)
max-times algorithm over the direct O(n^4) loop (one vectorised O(n^2) max per coefficient)
at n = 133. The direct loop is timed on a subset of coefficients and extrapolated linearly
(every coefficient costs the same), and checked to give the same Q on that subset.

    .venv/bin/python benchmarks/bench_importance.py [--n-large 1000] [--loop-subset 500]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from iouq.importance import DEFAULT_ZERO_TOL, TARGETS, inverse_q, tolerable_limits
from iouq.multipliers import leontief_inverse
from iouq.table import IOTable
from iouq.tables import load_table


def synthetic_table(n: int, seed: int = 20251122) -> IOTable:
    """A productive dense random table with households and flows (column sums of A 0.6)."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) ** 3
    A *= 0.6 / A.sum(axis=0)
    h = rng.uniform(0.1, 0.3, n)
    c = rng.uniform(0, 1, n)
    c *= 0.6 / c.sum()
    x = rng.uniform(100, 1000, n)
    return IOTable(f"synthetic{n}", tuple(f"s{k}" for k in range(n)), A, h, c, output=x)


def time_all_targets(table: IOTable) -> dict[str, float]:
    """Seconds per target (each includes its own inverses), and the total."""
    out = {}
    t_all = time.perf_counter()
    L = leontief_inverse(table.A)
    out["leontief_inverse"] = time.perf_counter() - t_all
    for target in TARGETS:
        t0 = time.perf_counter()
        tolerable_limits(table, 1.0, target, L=L)
        out[target] = time.perf_counter() - t0
    out["total"] = time.perf_counter() - t_all
    return out


def direct_q(L: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """The direct loop: for each coefficient, max over all (k, l) of |l_ki l_jl / l_kl|."""
    absL = np.abs(L)
    W = np.where(absL > DEFAULT_ZERO_TOL * absL.max(), 1.0 / np.where(absL > 0, absL, 1.0), 0.0)
    return np.array([(np.outer(absL[:, i], absL[j, :]) * W).max() for i, j in coefs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-large", type=int, default=1000)
    parser.add_argument("--loop-subset", type=int, default=1000)
    args = parser.parse_args()

    table = load_table("bea2002-summary")
    n = table.n
    times = time_all_targets(table)
    print(f"bea2002-summary n={n}: " + ", ".join(f"{k} {v:.3f} s" for k, v in times.items()))

    L = leontief_inverse(table.A)
    t0 = time.perf_counter()
    Q = inverse_q(L)
    t_fast = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    flat = rng.choice(n * n, size=min(args.loop_subset, n * n), replace=False)
    coefs = np.column_stack(np.divmod(flat, n))
    t0 = time.perf_counter()
    q_loop = direct_q(L, coefs)
    t_sub = time.perf_counter() - t0
    t_loop = t_sub * n * n / len(coefs)
    assert np.allclose(Q[coefs[:, 0], coefs[:, 1]], q_loop, rtol=1e-14, atol=0)
    print(
        f"inverse target Q at n={n}: max-times {t_fast:.3f} s; direct O(n^4) loop {t_sub:.2f} s on "
        f"{len(coefs)} of {n * n} coefficients, extrapolated {t_loop:.1f} s; speed-up {t_loop / t_fast:.0f}x "
        "(same Q on the subset)"
    )

    big = synthetic_table(args.n_large)
    times = time_all_targets(big)
    print(f"synthetic n={big.n}: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()))


if __name__ == "__main__":
    main()
