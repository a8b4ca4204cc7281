"""Benchmark and accuracy figures of the dynamic (DS/IO) model.

Prints (all in one run, timings also as ratios to baselines measured in the same run):

* a 15-quarter Euler scenario (baseline + shocked run) at n = 133 (bea2002-summary), per run,
  against one dense Leontief solve at n = 133;
* Monte Carlo bands from 1,000 draws at n = 133 (batched), against the naive loop of one
  scenario run per draw (timed on 20 draws and scaled);
* the observed order of the Euler engine against the solve_ivp reference (bea2002-3sector);
* the steady-state error (no-shock drift; simulated long-run ratio vs the closed form);
* dynamic vs static vs long-run multipliers on bea2002-3sector.

Run: ``.venv/bin/python benchmarks/bench_dynamic.py``.
"""

from __future__ import annotations

import os

# One BLAS thread: the batched solves are many small problems, and on a shared 2-core machine
# OpenBLAS threads only contend (set before numpy is imported).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import time  # noqa: E402
import warnings

import numpy as np  # noqa: E402

from iouq.dynamic.analysis import monte_carlo_paths, multiplier_table, run_paths
from iouq.dynamic.engines import simulate_euler, simulate_ivp
from iouq.dynamic.model import DynamicScenario, Shock, build_model, long_run_multipliers
from iouq.tables import load_table

warnings.filterwarnings("ignore")


def best(f, repeat=3):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def main() -> None:
    big = load_table("bea2002-summary")
    sector = big.sectors[int(np.argmax(big.output))]
    m133 = build_model(big, DynamicScenario(beta=1.25, shock=Shock(sector=sector)))
    t_run = best(lambda: run_paths(m133)) / 2  # two runs (baseline, shocked)
    A = np.eye(133) - big.A
    t_solve = best(lambda: np.linalg.solve(A, np.ones(133)), 20)
    print(f"n=133, 15 quarters, DT=1/16 yr (60 steps): {t_run * 1e3:.1f} ms per run "
          f"(= {t_run / t_solve:.0f} dense Leontief solves of n=133)")
    t_mc = best(lambda: monte_carlo_paths(m133, 0.1, 1000, seed=1, d_range=(0.08, 0.12), beta_rel=0.05), 1)
    one = lambda: monte_carlo_paths(m133, 0.1, 1, seed=1, d_range=(0.08, 0.12), beta_rel=0.05)  # noqa: E731
    t_loop = best(lambda: [one() for _ in range(20)], 1) / 20 * 1000
    print(f"Monte Carlo bands, 1000 draws at n=133: {t_mc:.2f} s batched; naive per-draw loop {t_loop:.2f} s "
          f"(ratio {t_loop / t_mc:.1f}x)")

    t3 = load_table("bea2002-3sector")
    base = dict(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=2.0, shock=Shock(start=0.25, duration=1.0))
    t0 = time.perf_counter()
    ref = simulate_ivp(build_model(t3, DynamicScenario(**base)))["output"][0]
    t_ivp = time.perf_counter() - t0
    errs, dts = [], [1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256, 1 / 512]
    for dt in dts:
        out = simulate_euler(build_model(t3, DynamicScenario(dt=dt, **base)))["output"][0]
        errs.append(float(np.max(np.abs(out - ref) / np.abs(ref))))
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    print("Euler vs solve_ivp (3 sectors, max relative error of quarterly output): "
          + ", ".join(f"DT=1/{round(1 / d)}: {e:.2e}" for d, e in zip(dts, errs)))
    print("observed orders: " + ", ".join(f"{o:.3f}" for o in orders) + f"; ivp run {t_ivp:.2f} s")

    # with the paper's beta (sector 1 capacity-bound: kinks) and 3% growth
    base2 = dict(horizon=2.0, shock=Shock(start=0.25, duration=1.0))
    ref2 = simulate_ivp(build_model(t3, DynamicScenario(**base2)))["output"][0]
    e2 = [float(np.max(np.abs(simulate_euler(build_model(t3, DynamicScenario(dt=d, **base2)))["output"][0] - ref2)
                     / np.abs(ref2))) for d in dts]
    print("with capacity-bound primary sector and 3% growth: orders "
          + ", ".join(f"{o:.3f}" for o in np.log2(np.array(e2[:-1]) / np.array(e2[1:]))))

    for name, table, kw in (("bea2002-3sector", t3, {}), ("bea2002-summary", big, dict(beta=1.25))):
        m = build_model(table, DynamicScenario(growth=0.0, **kw) if name.endswith("3sector")
                        else DynamicScenario(growth=0.0, **kw, shock=Shock(sector=sector)))
        r = simulate_euler(m, np.zeros((1, m.n)), record_steps=True)
        X = r["steps_X"][0]
        print(f"{name}: no-shock drift max |X_t/X_0 - 1| = {np.max(np.abs(X / X[0] - 1)):.1e} over {X.shape[0]} steps")
    s = DynamicScenario(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=60.0, period=1.0, dt=1 / 32,
                        shock=Shock(size=0.01, start=0.0, duration=60.0, spread="rate"))
    m = build_model(t3, s)
    b0, s1 = simulate_euler(m, np.zeros((1, 3))), simulate_euler(m)
    ratio = (s1["output"] - b0["output"])[0, -1].sum() / (s1["final_demand"] - b0["final_demand"])[0, -1].sum()
    lr = long_run_multipliers(m.A[0], m.B[0], m.d[0], m.beta[0])[1]
    print(f"permanent step, 60 years: simulated {ratio:.10f} vs closed form {lr:.10f} (rel. error {abs(ratio / lr - 1):.1e})")

    m = build_model(t3, DynamicScenario())
    df, _ = multiplier_table(t3, m, 0.1, 1000, 1, d_range=(0.08, 0.12), beta_rel=0.05, accelerator_range=(5, 9))
    print(df.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
