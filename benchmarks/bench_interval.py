"""Performance of the interval family (not a test; run `make bench` or this file directly).

Measured in one process against a baseline run at the same size:

1. sharp and verified hulls of all Type I output multipliers at n = 1000 (synthetic productive
   table) as a multiple of one point inverse ``numpy.linalg.inv(I - A)``;
2. side by side with intvalpy's Hansen-Bliek-Rohn solver (``intvalpy.HBR``) at n = 50 and 200:
   wall time and width ratio HBR / sharp, on ``(I - A)' y = 1`` (y = the output multipliers);
3. the pipeline tables: time per method.

Usage: python benchmarks/bench_interval.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from iouq.interval import interval_multiplier
from iouq.table import IOTable
from iouq.tables import load_table


def synthetic(n: int, seed: int = 0, colsum: float = 0.6) -> IOTable:
    """A dense productive table with every column summing to ``colsum``."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, (n, n))
    A *= colsum / A.sum(axis=0)
    return IOTable(name=f"synthetic{n}", sectors=tuple(map(str, range(n))), A=A)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_large(n: int, tol: float = 0.1) -> None:
    T = synthetic(n)
    eye = np.eye(n)
    t_inv = best_of(lambda: np.linalg.inv(eye - T.A))
    print(f"n={n}: point inverse {t_inv * 1e3:.1f} ms")
    for method in ("sharp", "verified"):
        t = best_of(lambda: interval_multiplier(T, tol, "output_type1", method))
        print(f"  {method:8s} hull of all output multipliers: {t * 1e3:.1f} ms = {t / t_inv:.2f}x point inverse")


def bench_hbr(n: int, tol: float = 0.1) -> None:
    import intvalpy as ip

    T = synthetic(n, seed=1)
    M = np.eye(n) - T.A
    rad = tol * np.abs(T.A)
    # (I - A)' y = 1 with A in the box
    Mi = ip.Interval(M.T - rad.T, M.T + rad.T, midRadQ=False)
    b = ip.Interval(np.ones(n), np.ones(n), midRadQ=False)
    t = time.perf_counter()
    y = ip.HBR(Mi, b)
    t_hbr = time.perf_counter() - t
    t_sharp = best_of(lambda: interval_multiplier(T, tol, "output_type1", "sharp"))
    t_ver = best_of(lambda: interval_multiplier(T, tol, "output_type1", "verified"))
    s = interval_multiplier(T, tol, "output_type1", "sharp")
    w_sharp = (s.upper - s.lower).to_numpy()
    w_hbr = np.asarray(y.b, dtype=float) - np.asarray(y.a, dtype=float)
    lo_ok = np.all(np.asarray(y.a, dtype=float) <= s.lower.to_numpy() + 1e-12)
    hi_ok = np.all(np.asarray(y.b, dtype=float) >= s.upper.to_numpy() - 1e-12)
    print(
        f"n={n} tol={tol}: intvalpy HBR {t_hbr:.2f} s, iouq sharp {t_sharp * 1e3:.1f} ms, verified "
        f"{t_ver * 1e3:.1f} ms (HBR/verified time {t_hbr / t_ver:.0f}x); width HBR/sharp: median "
        f"{np.median(w_hbr / w_sharp):.4f}, max {np.max(w_hbr / w_sharp):.4f}; HBR contains sharp: {lo_ok and hi_ok}"
    )


def bench_tables() -> None:
    for name in ("miernyk", "bea2002-sector", "bea2002-summary", "germany1995"):
        T = load_table(name)
        parts = []
        for method in ("naive", "sharp", "verified"):
            t = time.perf_counter()
            for mult in ("output_type1", "output_type2", "income_type1", "income_type2"):
                interval_multiplier(T, 0.1, mult, method)
            parts.append(f"{method} {time.perf_counter() - t:.2f} s")
        print(f"{name} (n={T.n}), all four multipliers at ±10%: " + ", ".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip n = 200 HBR (about 20 s)")
    args = ap.parse_args()
    bench_large(1000)
    bench_large(500)
    bench_hbr(50)
    if not args.quick:
        bench_hbr(200)
    bench_tables()


if __name__ == "__main__":
    main()
