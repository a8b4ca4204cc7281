"""Tests of the stochastic family against independent references: published/derived closed-form
numbers (methods.md 2.5), brute-force re-inversion, Monte Carlo of the perturbation moments, and
the interval enclosure of the same tolerance box."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from iouq.distributions import (
    DISTRIBUTIONS,
    coefficient_model,
    coefficient_sd,
    sample_coefficients,
    sample_values,
)
from iouq.errors import IOUQError
from iouq.interval import interval_multiplier
from iouq.multipliers import MULTIPLIERS, multiplier_values
from iouq.results import write_csv_atomic
from iouq.stochastic import (
    SUMMARY_COLUMNS,
    _inverse,
    _Solver,
    montecarlo,
    multiplier_problem,
    perturbation_inverse_moments,
    perturbation_moments,
    stochastic_densities,
    stochastic_summary,
)
from iouq.table import IOTable
from iouq.tables import load_table

MB_A = np.array([[0.15, 0.25], [0.20, 0.05]])


@pytest.fixture(scope="module")
def mb() -> IOTable:
    return IOTable(name="mb", sectors=("1", "2"), A=MB_A)


@pytest.fixture(scope="module")
def bea() -> IOTable:
    return load_table("bea2002-sector")


@pytest.fixture(scope="module")
def miernyk() -> IOTable:
    return load_table("miernyk")


# ----------------------------------------------------------------------------- closed forms
def test_miller_blair_worked_case(mb: IOTable) -> None:
    """methods.md 2.5: normal coefficients with CV 10% (t/sqrt(3) = 0.1)."""
    problem = multiplier_problem(mb, "output_type1")
    model = coefficient_model(problem.M, 0.1 * math.sqrt(3.0), "normal")
    mom = perturbation_moments(problem, model)
    np.testing.assert_allclose(mom.point, [1.518152, 1.452145], atol=1e-6)
    np.testing.assert_allclose(mom.mean, [1.519006, 1.452677], atol=1e-6)
    np.testing.assert_allclose(mom.sd, [0.047396, 0.045039], atol=1e-6)
    np.testing.assert_allclose(mom.skew, [0.1283, 0.0959], atol=1e-4)
    mean, sd = perturbation_inverse_moments(MB_A, (0.1 * MB_A) ** 2)
    np.testing.assert_allclose(mean, [[1.254681, 0.330407], [0.264325, 1.122270]], atol=1e-6)
    np.testing.assert_allclose(sd, [[0.026341, 0.035840], [0.028672, 0.012291]], atol=1e-6)


def test_coefficient_sd_closed_forms() -> None:
    M = np.array([[0.2, -0.1, 0.0], [0.3, 0.2, 0.1], [0.0, 0.4, 0.5]])
    t = 0.06
    np.testing.assert_allclose(coefficient_sd(M, t, "uniform"), t * np.abs(M) / math.sqrt(3))
    np.testing.assert_allclose(coefficient_sd(M, t, "normal"), t * np.abs(M) / math.sqrt(3))
    np.testing.assert_allclose(coefficient_sd(M, t, "beta"), t * np.abs(M) / math.sqrt(7))  # Beta(3,3)
    sd_d = coefficient_sd(M, t, "dirichlet")
    nz = M != 0
    assert np.all(sd_d[~nz] == 0)
    for col in range(3):  # column average equals the uniform box's
        m = nz[:, col]
        assert sd_d[m, col].mean() == pytest.approx((t * np.abs(M[m, col]) / math.sqrt(3)).mean(), rel=1e-12)


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_samplers_match_their_moments(dist: str) -> None:
    M = np.array([[0.2, -0.1, 0.0], [0.3, 0.2, 0.1], [0.0, 0.4, 0.5]])
    model = coefficient_model(M, 0.1, dist)
    vals = sample_values(model, np.random.default_rng(11), 40000)
    a = M[model.rows, model.cols]
    sd = model.sd[model.rows, model.cols]
    np.testing.assert_allclose(vals.mean(axis=0), a, atol=5 * sd.max() / math.sqrt(40000))
    np.testing.assert_allclose(vals.std(axis=0), sd, rtol=0.03)
    assert np.all(np.sign(vals) == np.sign(a)) or dist == "normal"
    full = sample_coefficients(model, np.random.default_rng(11), 5)
    assert np.all(full[:, M == 0] == 0)  # zeros stay zero
    if dist in ("uniform", "beta"):
        assert np.all(vals >= a - 0.1 * np.abs(a)) and np.all(vals <= a + 0.1 * np.abs(a))


def test_dirichlet_columns_are_compositions() -> None:
    M = np.array([[0.2, 0.1], [0.3, 0.6]])
    model = coefficient_model(M, 0.05, "dirichlet")
    full = sample_coefficients(model, np.random.default_rng(2), 1000)
    colsum = np.abs(full).sum(axis=1)
    assert np.all(colsum < 1)
    assert np.std(colsum[:, 0]) > 0


# ----------------------------------------------------------------------------- solver vs brute force
@pytest.mark.parametrize("mult", MULTIPLIERS)
def test_batched_solver_matches_naive_inversion(bea: IOTable, mult: str) -> None:
    problem = multiplier_problem(bea, mult)
    model = coefficient_model(problem.M, 0.1, "uniform")
    vals = sample_values(model, np.random.default_rng(5), 20)
    y, ok = _Solver(problem, model, _inverse(problem.M)).solve(vals)
    assert ok.all()
    n = bea.n
    for s in range(vals.shape[0]):
        Ms = problem.M.copy()
        Ms[model.rows, model.cols] = vals[s]
        Linv = np.linalg.inv(np.eye(Ms.shape[0]) - Ms)
        if mult == "output_type1":
            ref = Linv.sum(axis=0)
        elif mult == "output_type2":
            ref = Linv[:n, :n].sum(axis=0)
        else:
            ref = Linv[n, :n] / Ms[n, :n]
        got = y[s, :n] if problem.kind == "linear" else y[s, :n] / Ms[n, :n]
        np.testing.assert_allclose(got, ref, rtol=1e-12)


# ----------------------------------------------------------------------------- cross-method invariants
@pytest.mark.parametrize("name", ["miernyk", "bea2002-sector"])
@pytest.mark.parametrize("dist", ["uniform", "beta"])
def test_samples_inside_verified_interval(name: str, dist: str) -> None:
    table = load_table(name)
    for mult in MULTIPLIERS:
        problem = multiplier_problem(table, mult)
        res = montecarlo(problem, coefficient_model(problem.M, 0.1, dist), 3000, seed=7, chunk_size=1024)
        iv = interval_multiplier(table, 0.1, mult, "verified").set_index("sector").loc[problem.sectors]
        assert res.rejection_rate == 0
        assert np.all(res.samples >= iv["lower"].to_numpy()), mult
        assert np.all(res.samples <= iv["upper"].to_numpy()), mult


@pytest.mark.parametrize("mult", MULTIPLIERS)
def test_perturbation_sd_matches_montecarlo_small_tol(bea: IOTable, mult: str) -> None:
    mc = stochastic_summary(bea, 0.001, mult, "uniform", "montecarlo", n_samples=20000, seed=3)
    pt = stochastic_summary(bea, 0.001, mult, "uniform", "perturbation")
    # sd of a sample sd is about sd / sqrt(2N) = 0.5%; allow 2%
    np.testing.assert_allclose(pt["sd"], mc["sd"], rtol=0.02)
    assert np.all(np.abs(pt["mean"] - mc["mean"]) <= 5 * mc["mc_se_mean"])
    pointv = multiplier_values(bea, mult)
    np.testing.assert_allclose(pt["point"], pointv, rtol=1e-12)


@pytest.mark.parametrize("dist", ["beta", "normal", "lognormal", "dirichlet"])
def test_perturbation_moments_match_montecarlo(miernyk: IOTable, dist: str) -> None:
    """Skewness and sd at a moderate tolerance (skewness is of leading order only)."""
    mc = stochastic_summary(miernyk, 0.05, "income_type2", dist, "montecarlo", n_samples=40000, seed=9)
    pt = stochastic_summary(miernyk, 0.05, "income_type2", dist, "perturbation")
    np.testing.assert_allclose(pt["sd"], mc["sd"], rtol=0.03)
    se_skew = math.sqrt(6 / 40000)
    assert np.all(np.abs(pt["skew"] - mc["skew"]) <= 4 * se_skew + 0.1 * np.abs(mc["skew"]))


def test_pce_on_small_table(mb: IOTable) -> None:
    mc = stochastic_summary(mb, 0.1, "output_type1", "uniform", "montecarlo", n_samples=40000, seed=1)
    pc = stochastic_summary(mb, 0.1, "output_type1", "uniform", "pce", n_samples=20000, seed=1, pce_order=3)
    assert (pc["pce_inputs"] == 4).all()  # all four coefficients
    np.testing.assert_allclose(pc["mean"], mc["mean"], atol=3 * mc["mc_se_mean"].max())
    np.testing.assert_allclose(pc["sd"], mc["sd"], rtol=0.02)


def test_pce_sobol_sums(mb: IOTable) -> None:
    from iouq.stochastic import pce_sobol

    s = pce_sobol(mb, 0.1, "output_type1", "uniform", seed=2, order=3)
    tot = s.groupby("sector")["first_order"].sum()
    assert np.all((tot > 0.95) & (tot <= 1.0 + 1e-9))  # nearly additive function
    # column j of A moves the multiplier of sector j only (output multiplier = column sum of L)
    s1 = s[s["sector"] == "1"].set_index(["row", "column"])["first_order"]
    assert s1.loc[("1", "1")] + s1.loc[("2", "1")] > 0.9


# ----------------------------------------------------------------------------- reproducibility
def test_same_seed_same_bytes_and_chunk_invariance(miernyk: IOTable, tmp_path) -> None:
    kw = dict(n_samples=2500, seed=42)
    a = stochastic_summary(miernyk, 0.1, "income_type1", "lognormal", "montecarlo", chunk_size=1024, **kw)
    b = stochastic_summary(miernyk, 0.1, "income_type1", "lognormal", "montecarlo", chunk_size=1024, **kw)
    c = stochastic_summary(miernyk, 0.1, "income_type1", "lognormal", "montecarlo", chunk_size=97, **kw)
    d = stochastic_summary(miernyk, 0.1, "income_type1", "dirichlet", "montecarlo", chunk_size=5000, **kw)
    e = stochastic_summary(miernyk, 0.1, "income_type1", "dirichlet", "montecarlo", chunk_size=300, **kw)
    paths = []
    for i, df in enumerate((a, b, c)):
        paths.append(tmp_path / f"{i}.csv")
        write_csv_atomic(df, paths[-1])
    assert paths[0].read_bytes() == paths[1].read_bytes() == paths[2].read_bytes()
    pd.testing.assert_frame_equal(d, e, check_exact=True)
    other = stochastic_summary(miernyk, 0.1, "income_type1", "lognormal", "montecarlo", n_samples=2500, seed=43)
    assert not np.array_equal(other["mean"], a["mean"])


# ----------------------------------------------------------------------------- bad input
def test_bad_input(miernyk: IOTable) -> None:
    with pytest.raises(IOUQError, match="unknown coefficient distribution 'gauss'"):
        stochastic_summary(miernyk, 0.1, "output_type1", "gauss", "montecarlo")
    with pytest.raises(IOUQError, match="unknown stochastic method"):
        stochastic_summary(miernyk, 0.1, "output_type1", "uniform", "bootstrap")
    for n in (0, -5, 2.5):
        with pytest.raises(IOUQError, match="positive integer"):
            stochastic_summary(miernyk, 0.1, "output_type1", "uniform", "montecarlo", n_samples=n)
    with pytest.raises(IOUQError, match="independent"):
        stochastic_summary(miernyk, 0.1, "output_type1", "dirichlet", "pce")
    with pytest.raises(IOUQError, match="tolerance"):
        stochastic_summary(miernyk, 1.5, "output_type1", "uniform", "perturbation")


def test_mostly_nonproductive_normal_draws_are_refused() -> None:
    near = IOTable(name="near", sectors=("a", "b"), A=np.array([[0.6, 0.399], [0.399, 0.6]]))  # rho = 0.999
    with pytest.raises(IOUQError, match="non-productive"):
        stochastic_summary(near, 0.9, "output_type1", "normal", "montecarlo", n_samples=2000, seed=1)


def test_some_rejections_are_reported_not_nan(miernyk: IOTable) -> None:
    df = stochastic_summary(miernyk, 0.7, "output_type2", "normal", "montecarlo", n_samples=3000, seed=1)
    assert (df["rejection_rate"] > 0).all() and (df["rejection_rate"] <= 0.01).all()
    assert (df["n_samples"] < 3000).all()
    assert not df[SUMMARY_COLUMNS[1:]].isna().any().any()


# ----------------------------------------------------------------------------- densities and CLI
def test_densities_integrate_to_one(miernyk: IOTable) -> None:
    d = stochastic_densities(miernyk, 0.05, "output_type1", "uniform", n_samples=5000, seed=1, points=128)
    assert list(d.columns) == ["sector", "multiplier", "method", "distribution", "x", "density"]
    assert set(d["method"]) == {"montecarlo_kde", "montecarlo_hist", "perturbation_normal",
                                "perturbation_edgeworth", "pce"}
    for (sector, method), g in d.groupby(["sector", "method"]):
        area = np.trapezoid(g["density"], g["x"])
        assert area == pytest.approx(1.0, abs=0.03), (sector, method)


def test_cli_header() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "iouq.cli", "stochastic", "miernyk", "--tol", "0.01", "--multiplier",
         "output_type1", "--distribution", "uniform", "--method", "montecarlo", "--samples", "500", "--seed", "1"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.startswith("sector,mean,sd,skew,q025,q500,q975,n_samples,mc_se_mean")
    assert len(out.strip().splitlines()) == 7


def test_uniform_fast_path_is_chunk_invariant(bea: IOTable) -> None:
    from iouq.stochastic import _raw_uniform

    problem = multiplier_problem(bea, "output_type2")
    model = coefficient_model(problem.M, 0.05, "uniform")
    assert _raw_uniform(model) is not None  # the dense 32-bit path is the one exercised
    a = montecarlo(problem, model, 2100, seed=8, chunk_size=1024, law=False)
    b = montecarlo(problem, model, 2100, seed=8, chunk_size=100, law=False)
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.linear, b.linear)
