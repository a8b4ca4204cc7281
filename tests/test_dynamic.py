"""Tests of iouq.dynamic against independent references (closed forms, re-inversion, solve_ivp)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iouq.dynamic.aggregate import BEA2002_3SECTOR, aggregate
from iouq.dynamic.analysis import (draw_models, long_run_interval, monte_carlo_paths, run_paths,
                                   sector_multipliers)
from iouq.dynamic.engines import shock_rates, simulate_euler, simulate_ivp
from iouq.dynamic.leontief import balanced_growth, leontief_forward
from iouq.dynamic.model import (DynamicError, DynamicScenario, Shock, SingularCapitalError, UnstableError,
                                build_model, initial_state, scenario_from_mapping)
from iouq.table import IOTable
from iouq.tables import load_table

warnings.filterwarnings("ignore", category=UserWarning, module="iouq.dynamic")


@pytest.fixture(scope="module")
def t3():
    return load_table("bea2002-3sector")


def sc(**kw):
    return DynamicScenario(**kw)


# ----------------------------------------------------------------------------- data
def test_bundled_3sector_is_the_documented_aggregation(t3):
    big = load_table("bea2002-sector")
    agg = aggregate(big, BEA2002_3SECTOR)
    np.testing.assert_allclose(t3.A, agg.A, rtol=1e-12)
    # independent: group output = sum of member outputs; flows Z summed by brute force
    x = big.output
    groups = {"1": ["01"], "2": ["02", "03", "04", "05"], "3": [f"{i:02d}" for i in range(6, 16)]}
    idx = {g: [big.sectors.index(c) for c in cs] for g, cs in groups.items()}
    Z = big.A * x[None, :]
    for a, g in enumerate("123"):
        assert t3.output[a] == pytest.approx(x[idx[g]].sum(), rel=1e-12)
        for b, h in enumerate("123"):
            z = sum(Z[i, j] for i in idx[g] for j in idx[h])
            assert t3.A[a, b] == pytest.approx(z / x[idx[h]].sum(), rel=1e-10)
    assert t3.has_households and t3.n == 3


# ----------------------------------------------------------------------------- steady states
@pytest.mark.parametrize("kw", [
    dict(),
    dict(production_rule="adjustment", loop_break="simultaneous"),
    dict(production_rule="adjustment", loop_break="smooth"),
    dict(production_rule="inventory", accelerator_role="capacity", accelerator=0.05, allow_unstable=True),
    dict(investment_form="depr_direct"),
])
def test_no_shock_paths_are_constant(t3, kw):
    m = build_model(t3, sc(growth=0.0, beta=(1.1, 1.3, 1.25), **kw))
    r = simulate_euler(m, np.zeros((1, 3)), record_steps=True)
    for key in ("steps_X", "steps_Xc", "steps_C"):
        v = r[key][0]
        np.testing.assert_allclose(v, np.broadcast_to(v[0], v.shape), rtol=1e-10, atol=0)


def test_no_shock_constant_reference_engine(t3):
    m = build_model(t3, sc(growth=0.0, beta=(1.1, 1.3, 1.25)))
    r = simulate_ivp(m, np.zeros((1, 3)))
    out = r["output"][0]
    np.testing.assert_allclose(out, np.broadcast_to(out[0], out.shape), rtol=1e-10)


def test_balanced_growth_path_is_followed(t3):
    m = build_model(t3, sc(growth=0.03, beta=(1.2, 1.3, 1.25)))
    r = simulate_euler(m, np.zeros((1, 3)), record_steps=True)
    X = r["steps_X"][0]
    rho = 1.03 ** m.scenario.dt
    np.testing.assert_allclose(X[1:] / X[:-1], rho, rtol=1e-10)


def _permanent_step(t3, **kw):
    s = sc(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=60.0, period=1.0, dt=1 / 32,
           shock=Shock(size=0.01, start=0.0, duration=60.0, spread="rate"), **kw)
    m = build_model(t3, s)
    base = simulate_euler(m, np.zeros((1, 3)))
    shocked = simulate_euler(m)
    dX = (shocked["output"] - base["output"])[0, -1].sum()
    dY = (shocked["final_demand"] - base["final_demand"])[0, -1].sum()
    return m, dX / dY


def test_steady_state_equals_closed_form(t3):
    m, ratio = _permanent_step(t3)
    A, B, d, beta = m.A[0], m.B[0], m.d[0], m.beta[0]
    L = np.linalg.inv(np.eye(3) - A - B @ np.diag(d * beta))
    assert ratio == pytest.approx(L.sum(axis=0)[1], rel=1e-6)


def test_zero_depreciation_fast_adjustment_gives_static_leontief(t3, tmp_path):
    B = build_model(t3, sc()).B[0]
    path = tmp_path / "B.csv"
    path.write_text("code,1,2,3\n" + "".join(f"{i + 1}," + ",".join(repr(float(v)) for v in B[i]) + "\n" for i in range(3)))
    m, ratio = _permanent_step(t3, depreciation=0.0, accelerator=20.0, investment_matrix=str(path))
    assert ratio == pytest.approx(np.linalg.inv(np.eye(3) - t3.A).sum(axis=0)[1], rel=1e-6)


# ----------------------------------------------------------------------------- convergence
def test_euler_converges_to_reference_at_first_order(t3):
    base = dict(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=2.0, shock=Shock(start=0.25, duration=1.0))
    ref = simulate_ivp(build_model(t3, sc(**base)))["output"][0]
    errs = []
    dts = [1 / 32, 1 / 64, 1 / 128, 1 / 256]
    for dt in dts:
        out = simulate_euler(build_model(t3, sc(dt=dt, **base)))["output"][0]
        errs.append(np.max(np.abs(out - ref) / np.abs(ref)))
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all((orders > 0.85) & (orders < 1.15)), (errs, orders)


# ----------------------------------------------------------------------------- constraints
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 3), seed=st.integers(0, 10_000), size=st.floats(-0.5, 0.8),
    rule=st.sampled_from(["inventory", "adjustment"]), loop=st.sampled_from(["lag", "smooth", "simultaneous"]),
    beta=st.floats(0.8, 1.6), k=st.floats(0.1, 3.0),
)
def test_constraints_hold_on_every_step(n, seed, size, rule, loop, beta, k):
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 0.4 / n, (n, n))
    x = rng.uniform(50, 150, n)
    fd = x - A @ x
    import pandas as pd

    codes = tuple(str(i + 1) for i in range(n))
    F = pd.DataFrame({"C": 0.8 * fd, "F020": 0.2 * fd}, index=list(codes))
    V = pd.DataFrame([x - A.sum(0) * x], index=["V"], columns=list(codes))
    t = IOTable("rand", codes, A, output=x, final_demand=F, value_added=V)
    s = sc(growth=0.0, beta=beta, accelerator=k, accelerator_role="capacity", production_rule=rule,
           loop_break=loop, allow_unstable=True, horizon=2.0, shock=Shock(sector="1", size=size, duration=1.0))
    try:
        m = build_model(t, s)
        r = simulate_euler(m, record_steps=True)
    except DynamicError:
        return  # refused with a clear error (e.g. negative shock larger than demand, loop not an M-matrix)
    X, Xc, E, GI = r["steps_X"], r["steps_Xc"], r["steps_E"], r["steps_GI"]
    ok = np.isfinite(X)
    assert np.all(X[ok] <= Xc[ok] * (1 + 1e-12))
    assert np.all(GI[np.isfinite(GI)] >= 0)
    assert np.all(E[np.isfinite(E)] >= 0)
    assert np.all(X[ok] >= 0)


# ----------------------------------------------------------------------------- uncertainty
def test_long_run_hull_is_attained_and_contains_monte_carlo_limits(t3):
    s = sc(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=60.0, period=1.0, dt=1 / 16,
           shock=Shock(size=0.01, start=0.0, duration=60.0, spread="rate"))
    m = build_model(t3, s)
    tol = 0.1
    hull = long_run_interval(m, tol, d_range=(0.08, 0.12), beta_rel=0.05)
    assert set(hull.exactness) == {"exact"}
    # corners by independent re-inversion
    lo = np.linalg.inv(np.eye(3) - 0.9 * t3.A - 0.9 * m.B[0] @ np.diag(0.08 * 0.95 * m.beta[0])).sum(0)
    hi = np.linalg.inv(np.eye(3) - 1.1 * t3.A - 1.1 * m.B[0] @ np.diag(0.12 * 1.05 * m.beta[0])).sum(0)
    np.testing.assert_allclose(hull.lower, lo, rtol=1e-12)
    np.testing.assert_allclose(hull.upper, hi, rtol=1e-12)
    big = draw_models(m, tol, 40, seed=3, d_range=(0.08, 0.12), beta_rel=0.05)
    base = simulate_euler(big, np.zeros((40, 3)))
    shocked = simulate_euler(big, shock_rates(big))
    limit = ((shocked["output"] - base["output"])[:, -1].sum(-1)
             / (shocked["final_demand"] - base["final_demand"])[:, -1].sum(-1))
    j = 1
    assert np.all(limit >= hull.lower[j]) and np.all(limit <= hull.upper[j])
    assert limit.max() - limit.min() > 0.05 * (hull.upper[j] - hull.lower[j])  # the draws really vary


def test_monte_carlo_reproducible_and_chunk_independent(t3):
    m = build_model(t3, sc())
    a, la = monte_carlo_paths(m, 0.05, 30, seed=7, chunk_size=7)
    b, lb = monte_carlo_paths(m, 0.05, 30, seed=7, chunk_size=30)
    assert np.array_equal(a, b, equal_nan=True) and np.array_equal(la, lb)


def test_long_run_exceeds_static_and_sector_runs_match_single_runs(t3):
    from iouq.dynamic.model import long_run_multipliers

    m = build_model(t3, sc())
    static = np.linalg.inv(np.eye(3) - t3.A).sum(0)
    lr = long_run_multipliers(m.A[0], m.B[0], m.d[0], m.beta[0])
    assert np.all(lr > static)
    paths, peak = sector_multipliers(m)  # one batched run of the three shocks
    single = run_paths(build_model(t3, sc(shock=Shock(sector="3"))))
    np.testing.assert_allclose(paths[2, 1:], single.total_dynamic_multiplier.to_numpy()[::3][1:], rtol=1e-12)


# ----------------------------------------------------------------------------- refusals
def test_bad_scenarios_are_refused(t3):
    with pytest.raises(DynamicError, match="dt"):
        build_model(t3, sc(dt=-0.1))
    with pytest.raises(DynamicError, match="horizon"):
        build_model(t3, sc(horizon=1.0))
    with pytest.raises(DynamicError, match="larger than its final demand"):
        run_paths(build_model(t3, sc(shock=Shock(sector="1", size=-2.0))))
    with pytest.raises(UnstableError, match="eigenvalue"):
        run_paths(build_model(t3, sc(accelerator_role="capacity")))
    with pytest.raises(DynamicError, match="unknown key"):
        scenario_from_mapping({"acclerator": 7})


def test_leontief_forward_model():
    A = np.array([[0.2, 0.1], [0.15, 0.25]])
    B = np.array([[0.5, 0.3], [0.1, 0.4]])
    r, xs = balanced_growth(A, B, 0.0)
    x = leontief_forward(A, B, 100 * xs, np.zeros((5, 2)))
    np.testing.assert_allclose(x[5], 100 * xs * (1 + r) ** 5, rtol=1e-10)
    d = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]])
    x = leontief_forward(A, B, np.array([10.0, 12.0]), d, delta=0.1)
    for t in range(3):  # the defining equation holds
        res = x[t] - A @ x[t] - B @ (x[t + 1] - x[t]) - 0.1 * B @ x[t] - d[t]
        assert np.max(np.abs(res)) < 1e-10
    with pytest.raises(SingularCapitalError, match="consolidate"):
        leontief_forward(A, np.array([[0.5, 0.3], [0.0, 0.0]]), np.ones(2), np.zeros((2, 2)))


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "iouq.cli", *args], capture_output=True, text=True)


def test_cli_header_and_errors(tmp_path):
    r = _cli("dynamic", "bea2002-3sector")
    assert r.returncode == 0
    assert r.stdout.startswith("period,sector,output,capacity,dynamic_multiplier")
    bad = tmp_path / "s.yaml"
    bad.write_text("accelerator_role: capacity\n")
    r = _cli("dynamic", "bea2002-3sector", "--scenario", str(bad))
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("iouq: error: unstable configuration") and "eigenvalue" in lines[-1]
    r = _cli("dynamic", "bea2002-3sector", "--dt", "0")
    assert r.returncode == 2 and r.stdout == "" and r.stderr.startswith("iouq: error:")


def test_long_run_elasticities_match_finite_differences(t3):
    from iouq.dynamic.analysis import importance_long_run, importance_parameters

    m = build_model(t3, sc())
    imp = importance_long_run(m)
    A, B, d, beta = m.A[0], m.B[0], m.d[0], m.beta[0]

    def mult(A_):
        return np.linalg.inv(np.eye(3) - A_ - B @ np.diag(d * beta)).sum(0)

    h = 1e-6
    for _, r in imp[imp.parameter == "a"].head(3).iterrows():
        i, k = m.sectors.index(r.row), m.sectors.index(r.col)
        Ap = A.copy()
        Ap[i, k] *= 1 + h
        el = np.max(np.abs((mult(Ap) - mult(A)) / (h * mult(A))))
        assert r.elasticity_max == pytest.approx(el, rel=1e-4)
    par = importance_parameters(m)
    lr = par[par.target == "long_run"].set_index("parameter").elasticity
    assert lr["capacity speed k"] == 0 and lr["production speed Phi"] == 0
    assert lr["depreciation d"] == pytest.approx(lr["desired-capacity slopes beta"], rel=1e-12)  # enter as d*beta
    assert lr["depreciation d"] > 0


def test_quarterly_time_unit_reproduces_the_annual_model(t3):
    yearly = run_paths(build_model(t3, sc()))
    quarterly = run_paths(build_model(t3, sc(
        time_unit="quarter", accelerator=7.0 / 4, adjustment_speed=0.5 / 4, horizon=15.0, period=1.0, dt=0.25,
        shock=Shock(start=1.0, duration=8.0))))
    for col in ("output", "baseline_output", "delta_output", "dynamic_multiplier"):
        np.testing.assert_allclose(quarterly[col], yearly[col], rtol=1e-9, atol=1e-9 * yearly.output.max())
    np.testing.assert_allclose(quarterly.capacity * 4, yearly.capacity, rtol=1e-9)


def test_depr_direct_and_value_added_steady_states(t3):
    m, ratio = _permanent_step(t3, investment_form="depr_direct")
    A, B, d, beta = m.A[0], m.B[0], m.d[0], m.beta[0]
    v = B.sum(axis=0)
    L = np.linalg.inv(np.eye(3) - A - np.diag(v * d * beta))
    assert ratio == pytest.approx(L.sum(axis=0)[1], rel=1e-6)
    s = sc(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=60.0, period=1.0, dt=1 / 32, multiplier_basis="value_added",
           shock=Shock(size=0.01, start=0.0, duration=60.0, spread="rate"))
    m = build_model(t3, s)
    va = t3.value_added.to_numpy().sum(axis=0) / t3.output
    paths = run_paths(m)
    Q = paths.period.max()
    last = paths[paths.period == Q]
    Lg = np.linalg.inv(np.eye(3) - m.A[0] - m.B[0] @ np.diag(m.d[0] * m.beta[0]))
    # the last period's value-added response per unit of shock is the long-run VA multiplier
    ratio = (va * last.delta_output.to_numpy()).sum() / last.delta_final_demand.iloc[0]
    assert ratio == pytest.approx(va @ Lg[:, 1], rel=1e-6)
    # and the cumulative multiplier is the VA-weighted cumulative output change per cumulative shock
    dva = (paths.delta_output.to_numpy().reshape(Q, 3) * va).sum()
    dy = paths.delta_final_demand.to_numpy()[::3].sum()
    assert last.total_dynamic_multiplier.iloc[0] == pytest.approx(dva / dy, rel=1e-10)


def test_hull_is_an_enclosure_with_negative_coefficients(t3):
    import pandas as pd

    A = np.array([[0.2, -0.05], [0.1, 0.3]])
    x = np.array([100.0, 120.0])
    codes = ("1", "2")
    fd = x - A @ x
    t = IOTable("neg", codes, A, output=x,
                final_demand=pd.DataFrame({"C": 0.8 * fd, "F020": 0.2 * fd}, index=list(codes)),
                value_added=pd.DataFrame([x - A.sum(0) * x], index=["V"], columns=list(codes)))
    m = build_model(t, sc(beta=1.2, shock=Shock(sector="1")))
    hull = long_run_interval(m, 0.2, d_range=(0.08, 0.12), beta_rel=0.1)
    assert set(hull.exactness) == {"enclosure"}
    rng = np.random.default_rng(0)
    for _ in range(200):
        Ad = A * (1 + rng.uniform(-0.2, 0.2, A.shape))
        Bd = m.B[0] * (1 + rng.uniform(-0.2, 0.2, A.shape))
        dd = rng.uniform(0.08, 0.12) * np.ones(2)
        bd = m.beta[0] * (1 + rng.uniform(-0.1, 0.1, 2))
        val = np.linalg.inv(np.eye(2) - Ad - Bd @ np.diag(dd * bd)).sum(0)
        assert np.all(val >= hull.lower - 1e-12) and np.all(val <= hull.upper + 1e-12)


@pytest.mark.parametrize("kw", [dict(loop_break="smooth"), dict(loop_break="simultaneous")])
def test_reference_engine_other_closures_converge(t3, kw):
    base = dict(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=1.0, shock=Shock(start=0.25, duration=0.5), **kw)
    ref = simulate_ivp(build_model(t3, sc(**base)))["output"][0]
    errs = [np.max(np.abs(simulate_euler(build_model(t3, sc(dt=dt, **base)))["output"][0] - ref) / ref)
            for dt in (1 / 32, 1 / 64, 1 / 128)]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > 0.8), (errs, orders)


def _small_table():
    import pandas as pd

    A = np.array([[0.10, 0.05, 0.02], [0.08, 0.12, 0.06], [0.04, 0.07, 0.09]])
    x = np.array([100.0, 150.0, 120.0])
    codes = ("1", "2", "3")
    fd = x - A @ x
    return IOTable("small", codes, A, output=x,
                   final_demand=pd.DataFrame({"C": 0.85 * fd, "F020": 0.15 * fd}, index=list(codes)),
                   value_added=pd.DataFrame([x - A.sum(0) * x], index=["V"], columns=list(codes)))


def test_inventory_rule_converges_to_reference_and_is_stable_on_a_small_table():
    t = _small_table()
    base = dict(growth=0.0, beta=1.3, production_rule="inventory", accelerator_role="capacity", accelerator=0.2,
                horizon=2.0, shock=Shock(sector="2", start=0.25, duration=1.0))
    from iouq.dynamic.stability import check_stability

    dg = check_stability(build_model(t, sc(**base)))
    assert dg.max_real < 0
    ref = simulate_ivp(build_model(t, sc(**base)))["output"][0]
    errs = [np.max(np.abs(simulate_euler(build_model(t, sc(dt=dt, **base)))["output"][0] - ref) / ref)
            for dt in (1 / 32, 1 / 64, 1 / 128)]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all((orders > 0.85) & (orders < 1.15)), (errs, orders)


def test_overshoot_warning_and_unusable_tables(t3):
    from iouq.dynamic.model import StabilityWarning
    from iouq.dynamic.stability import check_stability

    with pytest.warns(StabilityWarning, match="overshoots"):
        check_stability(build_model(t3, sc(dt=0.25, allow_unstable=True)))
    with pytest.raises(DynamicError, match="no final-demand column|no gross output"):
        build_model(load_table("miernyk"), sc())
    with pytest.raises(DynamicError, match="shock.sector"):
        build_model(t3, sc(shock=Shock(sector="9")))
    with pytest.raises(DynamicError, match="beta"):
        build_model(load_table("bea2002-sector"), sc())  # three slopes for 15 sectors


def test_euler_evaluation_order_by_hand():
    """Three Euler steps of a 2-sector model computed with scalar arithmetic (STELLA order:
    auxiliaries from the stocks at t, then the stocks; lag closure; uniflow max(0, .))."""
    import pandas as pd

    A = [[0.2, 0.1], [0.15, 0.25]]
    x = [100.0, 80.0]
    codes = ("1", "2")
    fd = [x[i] - sum(A[i][j] * x[j] for j in range(2)) for i in range(2)]
    t = IOTable("hand", codes, np.array(A), output=np.array(x),
                final_demand=pd.DataFrame({"C": [0.8 * f for f in fd], "F020": [0.2 * f for f in fd]},
                                          index=list(codes)),
                value_added=pd.DataFrame([[50.0, 40.0]], index=["V"], columns=list(codes)))
    s = sc(growth=0.0, beta=1.2, dt=0.125, period=0.25, horizon=1.0,
           shock=Shock(sector="2", size=0.1, start=0.0, duration=0.5, spread="rate"))
    m = build_model(t, s)
    r = simulate_euler(m, record_steps=True)
    st0 = initial_state(m)
    B = m.B[0].tolist()
    k, phi, d, beta, dt = 0.5, 7.0, 0.1, 1.2, 0.125
    Y = [m.Y0[0, 0], m.Y0[0, 1] + 0.1 * 80.0]
    X, Xc, Cm = list(st0["X"][0]), list(st0["Xc"][0]), list(st0["Cm"][0])
    for n in range(3):
        GI = [max(0.0, k * (beta * Cm[i] - Xc[i]) + d * Xc[i]) for i in range(2)]
        I = [sum(B[i][j] * GI[j] for j in range(2)) for i in range(2)]
        C = [sum(A[i][j] * X[j] for j in range(2)) + Y[i] + I[i] for i in range(2)]
        assert r["steps_X"][0, n].tolist() == pytest.approx(X, rel=1e-14)
        assert r["steps_GI"][0, n].tolist() == pytest.approx(GI, rel=1e-14)
        assert r["steps_C"][0, n].tolist() == pytest.approx(C, rel=1e-14)
        Xc1 = [Xc[i] + dt * (GI[i] - d * Xc[i]) for i in range(2)]
        X = [min(X[i] + dt * phi * (C[i] - X[i]), Xc1[i]) for i in range(2)]
        Xc, Cm = Xc1, C
    assert r["steps_Xc"][0, 3].tolist() == pytest.approx(Xc, rel=1e-14)


def test_endogenous_households_long_run_is_type2_at_zero_depreciation(t3, tmp_path):
    from iouq.multipliers import point_multipliers

    B = build_model(t3, sc()).B[0]
    path = tmp_path / "B.csv"
    path.write_text("code,1,2,3\n" + "".join(f"{i + 1}," + ",".join(repr(float(v)) for v in B[i]) + "\n"
                                          for i in range(3)))
    type2 = point_multipliers(t3)["output_type2"].to_numpy()
    # the last period's response of the producing sectors per unit of a permanent step:
    s = sc(growth=0.0, beta=(1.2, 1.3, 1.25), horizon=60.0, period=1.0, dt=1 / 32, depreciation=0.0,
           households="endogenous", investment_matrix=str(path), adjustment_speed=0.2,
           shock=Shock(size=0.01, start=0.0, duration=60.0, spread="rate"))
    m = build_model(t3, s)
    assert m.sectors[-1] == t3.household_label and m.n_producing == 3
    p = run_paths(m)
    last = p[p.period == p.period.max()]
    prod = last[last.sector != t3.household_label]
    assert prod.delta_output.sum() / last.delta_final_demand.iloc[0] == pytest.approx(type2[1], rel=1e-6)
    assert (last[last.sector == t3.household_label].dynamic_multiplier == 0).all()


def test_sobol_indices_of_behavioural_parameters(t3):
    from iouq.dynamic.analysis import sobol_parameters

    m = build_model(t3, sc())
    df = sobol_parameters(m, rel=0.1, base_samples=64, seed=3).set_index(["target", "parameter"])
    lr = df.loc["long_run"]
    # the long-run multiplier does not depend on the adjustment speeds (exactly zero total effect)
    assert abs(lr.loc["capacity speed k", "ST"]) < 1e-12 and abs(lr.loc["production speed Phi", "ST"]) < 1e-12
    assert lr.loc["technical coefficients A (scale)", "ST"] > 0.5   # dominant (closed-form elasticity 1.29)
    peak = df.loc["peak_dynamic"]
    assert peak.loc["capacity speed k", "ST"] > 0.01  # the accelerator matters for the transient
    with pytest.raises(DynamicError, match="seed"):
        sobol_parameters(m, seed=0)
