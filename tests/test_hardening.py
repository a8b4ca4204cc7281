"""Issue 8 regressions of the stochastic family: no number that looks fine but is not."""

from __future__ import annotations

import numpy as np
import pytest

from iouq.errors import BoxNotProductiveError, IOUQError
from iouq.stochastic import stochastic_summary, stochastic_table
from iouq.table import IOTable
from iouq.tables import load_table


def _one_sector(a: float = 0.5) -> IOTable:
    return IOTable(name="one", sectors=("1",), A=[[a]])


def test_perturbation_quantile_outside_the_attainable_range_is_flagged() -> None:
    """a = 0.5 at ±50% (half the productivity limit 1): the multiplier 1/(1 - a) ranges over
    [1/(1 - 0.25), 1/(1 - 0.75)] = [4/3, 4]; the perturbation approximation puts its 2.5%
    quantile below 4/3, which must not be reported as fine."""
    t = _one_sector()
    df = stochastic_summary(t, 0.5, "output_type1", "uniform", "perturbation")
    lower = 1 / (1 - 0.25)
    assert float(df["q025"].iloc[0]) < lower  # the approximation really is outside here ...
    assert "outside_attainable_range" in df["flag"].iloc[0]  # ... and says so
    mc = stochastic_summary(t, 0.5, "output_type1", "uniform", "montecarlo", n_samples=4000, seed=3)
    assert mc["flag"].iloc[0] == ""
    assert float(mc["q025"].iloc[0]) >= lower


@pytest.mark.parametrize("method", ["perturbation", "montecarlo", "pce"])
@pytest.mark.parametrize("distribution", ["uniform", "beta"])
def test_bounded_law_past_the_limit_is_refused_naming_it(method, distribution) -> None:
    t = _one_sector(0.8)  # productivity lost at tol 0.25
    with pytest.raises(BoxNotProductiveError, match="Productivity is lost at tolerance 0.25"):
        stochastic_summary(t, 0.3, "output_type1", distribution, method, n_samples=500)


def test_unbounded_law_reports_the_cut_mass_and_refuses_beyond_one_percent() -> None:
    t = load_table("miernyk")
    df = stochastic_summary(t, 0.7, "output_type2", "normal", "montecarlo", n_samples=3000, seed=1)
    rate = float(df["rejection_rate"].iloc[0])
    assert 0 < rate <= 0.01
    assert all(f.startswith(f"rejected={rate:.4g}") for f in df["flag"])
    with pytest.raises(IOUQError, match="more than the 1% that Monte Carlo accepts"):
        stochastic_summary(t, 0.9, "output_type2", "normal", "montecarlo", n_samples=3000, seed=1)
    pert = stochastic_summary(t, 0.7, "output_type2", "normal", "perturbation")
    assert all("beyond_productivity_limit" in f for f in pert["flag"])


@pytest.mark.parametrize("distribution", ["uniform", "normal", "dirichlet"])
def test_tolerance_zero_is_a_point_mass(distribution) -> None:
    """At tol 0 every method reports the point itself: sd 0, no skewness, quantiles at the point."""
    t = load_table("miernyk")
    methods = ["perturbation", "montecarlo"] + (["pce"] if distribution != "dirichlet" else [])
    summary, densities = stochastic_table(t, 0.0, (distribution,), methods, n_samples=500, seed=2)
    from iouq.multipliers import point_multipliers

    point = point_multipliers(t).set_index("sector")
    for row in summary.itertuples():
        p = point.loc[row.sector, row.multiplier]
        assert row.sd == 0 and np.isnan(row.skew), row
        assert row.mean == row.q025 == row.q500 == row.q975 == pytest.approx(p, rel=1e-14), row
        assert "degenerate" in row.flag
    assert len(densities) == 0


def test_multiplier_independent_of_every_random_coefficient_is_degenerate() -> None:
    """A sector with an all-zero input column has output multiplier exactly 1 whatever the other
    coefficients: Monte Carlo noise (sd ~ 1e-16) must not be reported as a skewed distribution."""
    t = IOTable(name="z", sectors=("a", "b"), A=[[0.2, 0.0], [0.3, 0.0]])
    df = stochastic_summary(t, 0.1, "output_type1", "uniform", "montecarlo", n_samples=2000, seed=5)
    b = df.set_index("sector").loc["b"]
    assert b["sd"] == 0 and np.isnan(b["skew"]) and b["q025"] == b["q975"] == 1.0
    a = df.set_index("sector").loc["a"]
    assert a["sd"] > 0 and a["flag"] == ""


@pytest.mark.parametrize("a, tol, message", [
    (0.8, 0.3, "Productivity is lost at tolerance 0.25"),  # a_11 (1 + t) = 1.04 > 1 inside the box
    (-1.5, 0.01, "itself is not productive"),              # I - A invertible, but rho(A) = 1.5
])
@pytest.mark.parametrize("method", ["naive", "sharp", "verified"])
def test_box_with_a_diagonal_coefficient_beyond_one_is_refused(a, tol, message, method) -> None:
    """Before: the comparison matrix |1 - a_ii| certified these boxes, and sharp returned
    [2.27, -25] labelled exact for a = 0.8 at ±30%."""
    from iouq.interval import interval_multiplier

    t = IOTable(name="one", sectors=("1",), A=[[a]])
    with pytest.raises(BoxNotProductiveError, match=message):
        interval_multiplier(t, tol, "output_type1", method)
