"""Multi-region systems from pymrio: footprints against pymrio's calc_all, intervals, Monte Carlo,
elasticities, errors and the footprints CLI."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pymrio
import pytest

from iouq import cli
from iouq.errors import IOUQError
from iouq.mrio import (
    MRIOError,
    footprint_elasticities,
    footprint_interval,
    footprint_montecarlo,
    footprint_multipliers,
    footprints,
    from_pymrio,
)
from iouq.table import IOTable
from iouq.tables import from_pymrio as tables_from_pymrio
from iouq.tables import load_table, to_pymrio

AIR = "Emissions/emission_type1/air"


@pytest.fixture(scope="module")
def reference():
    io_sys = pymrio.load_test()
    io_sys.calc_all()
    return io_sys


@pytest.fixture(scope="module")
def table():
    return load_table("pymrio-test")


def test_structure_of_converted_test_system(table):
    assert table.n == 48 and table.sectors[0] == "reg1/food" and not table.has_households
    assert table.accounts == ("Factor Inputs/Value Added", AIR, "Emissions/emission_type2/water")
    assert table.satellite_units[AIR] == "kg"
    assert table.final_demand.shape == (48, 42)
    assert tables_from_pymrio is not None


def test_footprints_and_multipliers_equal_pymrio_calc_all(table, reference):
    fp = footprints(table)
    for ext in reference.get_extensions(data=True):
        for key in ext.D_cba_reg.index:
            acc = f"{ext.name}/{'/'.join(key) if isinstance(key, tuple) else key}"
            mine = fp[fp.account == acc].set_index("region")["footprint"]
            ref = ext.D_cba_reg.loc[key]
            np.testing.assert_allclose(mine.loc[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-10, atol=0)
            np.testing.assert_allclose(footprint_multipliers(table, acc).to_numpy()[0], ext.M.loc[key].to_numpy(),
                                       rtol=1e-10, atol=0)
    # embodied part = pymrio's D_cba summed over the region's columns
    emb = fp[fp.account == AIR].set_index("region")["embodied"]
    ref_emb = reference.emissions.D_cba.loc[("emission_type1", "air")].groupby(level=0).sum()
    np.testing.assert_allclose(emb.loc[ref_emb.index], ref_emb, rtol=1e-10)


def test_round_trip_through_to_pymrio(table, reference):
    back = to_pymrio(table)
    back.calc_all()
    np.testing.assert_allclose(back.emissions.D_cba_reg.to_numpy(), reference.emissions.D_cba_reg.to_numpy(), rtol=1e-10)
    again = from_pymrio(back)
    np.testing.assert_allclose(again.A, table.A, rtol=1e-13, atol=1e-300)
    assert again.accounts == table.accounts


def test_interval_bounds_are_pymrio_on_the_box_corners_and_contain_bounded_draws(table):
    t = 0.05
    iv = footprint_interval(table, t)
    assert (iv.exactness == "exact").all()
    for sign, col in ((-1, "lower"), (1, "upper")):
        corner = pymrio.load_test()
        for name in ("Z", "Y"):
            setattr(corner, name, getattr(corner, name) * (1 + sign * t))
        # A (1 + s t) with x unchanged is Z (1 + s t); then Y changes, so give pymrio the A and Y
        x = table.output
        A = pd.DataFrame(table.A * (1 + sign * t), index=corner.Z.index, columns=corner.Z.columns)
        corner.Z = None
        corner.A = A
        for ext in (corner.emissions, corner.factor_inputs):
            ext.S = ext.F / x[None, :] * (1 + sign * t)
            ext.F = None
            if ext.F_Y is not None:
                ext.F_Y = ext.F_Y * (1 + sign * t)
        corner.x = None
        corner.calc_all()
        ref = corner.emissions.D_cba_reg.loc[("emission_type1", "air")]
        mine = iv[iv.account == AIR].set_index("region")[col]
        np.testing.assert_allclose(mine.loc[ref.index], ref, rtol=1e-10)
    draws, summary, rej = footprint_montecarlo(table, t, 300, seed=11, distribution="uniform")
    lo = iv["lower"].to_numpy().reshape(draws.shape[1:])
    hi = iv["upper"].to_numpy().reshape(draws.shape[1:])
    assert rej == 0.0
    assert np.all(draws >= lo * (1 - 1e-12)) and np.all(draws <= hi * (1 + 1e-12))


def test_mixed_signs_give_an_enclosure(table):
    A = table.A.copy()
    A[0, 1] = -0.01
    t2 = IOTable(name="neg", sectors=table.sectors, A=A, output=table.output, final_demand=table.final_demand,
                 satellites=table.satellites, meta=table.meta)
    iv = footprint_interval(t2, 0.02)
    assert (iv.exactness == "enclosure").all()
    draws, _, _ = footprint_montecarlo(t2, 0.02, 100, seed=1, distribution="uniform")
    lo = iv["lower"].to_numpy().reshape(draws.shape[1:])
    hi = iv["upper"].to_numpy().reshape(draws.shape[1:])
    assert np.all(draws >= lo) and np.all(draws <= hi)


def test_lognormal_monte_carlo_reproducible_and_centred(table):
    d1, s1, _ = footprint_montecarlo(table, 0.1, 200, seed=5, account=AIR)
    d2, s2, _ = footprint_montecarlo(table, 0.1, 200, seed=5, account=AIR)
    np.testing.assert_array_equal(d1, d2)
    d3, _, _ = footprint_montecarlo(table, 0.1, 200, seed=6, account=AIR)
    assert not np.array_equal(d1, d3)
    assert np.all(d1 > 0)
    # mean-one factors: the mean stays within a few standard errors (plus a second-order term) of the point
    se = s1["sd"] / np.sqrt(200)
    assert (np.abs(s1["mean"] - s1["footprint"]) < 5 * se + 0.01 * s1["footprint"]).all()


def test_elasticities_equal_finite_differences_of_reinverted_system(table):
    el = footprint_elasticities(table, "reg2", AIR, p=1.0)
    s = table.intensity(AIR)
    y = table.final_demand.to_numpy()[:, [c.startswith("reg2/") for c in table.final_demand.columns]].sum(axis=1)

    def f(A):
        return s @ np.linalg.solve(np.eye(table.n) - A, y)

    f0 = f(table.A)
    top = el.reindex(el.elasticity.abs().sort_values(ascending=False).index).head(5)
    idx = {c: k for k, c in enumerate(table.sectors)}
    for r in top.itertuples():
        i, j = idx[r.row], idx[r.col]
        h = 1e-6
        Ap, Am = table.A.copy(), table.A.copy()
        Ap[i, j] *= 1 + h
        Am[i, j] *= 1 - h
        fd = (np.log(f(Ap)) - np.log(f(Am))) / (2 * h)
        assert r.elasticity == pytest.approx(fd, rel=1e-6)
        # tolerable limit: a change of exactly r+ percent moves f by exactly 1 percent
        Au = table.A.copy()
        Au[i, j] *= 1 + r.tolerable_limit_up_pct / 100
        assert f(Au) / f0 - 1 == pytest.approx(0.01, rel=1e-9)
        Ad = table.A.copy()
        Ad[i, j] *= 1 - r.tolerable_limit_down_pct / 100
        assert f(Ad) / f0 - 1 == pytest.approx(-0.01, rel=1e-9)


def test_single_region_table_footprint_is_intensity_times_output():
    t = load_table("germany1995")
    s = np.linspace(0.1, 0.6, t.n)
    t = IOTable(name="de", sectors=t.sectors, A=t.A, output=t.output, final_demand=t.final_demand,
                satellites=pd.DataFrame([s], index=["CO2"], columns=list(t.sectors)))
    fp = footprints(t)
    assert list(fp.region) == ["de"] and list(fp.account) == ["CO2"]
    assert fp.footprint[0] == pytest.approx(float(s @ t.output), rel=1e-12)  # L y = x


# ------------------------------------------------------------------ bad input
def test_bad_pymrio_inputs_get_clear_errors():
    with pytest.raises(MRIOError, match="needs a pymrio.IOSystem"):
        from_pymrio("not a system")
    io_sys = pymrio.load_test()
    io_sys.Y = None
    with pytest.raises(MRIOError, match="no final demand Y"):
        from_pymrio(io_sys)
    io_sys = pymrio.load_test()
    Z = io_sys.Z.copy()
    Z.iloc[3, 4] = np.nan
    io_sys.Z = Z
    with pytest.raises(MRIOError, match="NaN or infinite cell at row 'reg1/electricity', column 'reg1/construction'"):
        from_pymrio(io_sys)
    io_sys = pymrio.load_test()
    io_sys.Z.iloc[0, :] = 0.0
    io_sys.Z.iloc[:, 0] = 0.0
    io_sys.Y.iloc[0, :] = 0.0
    with pytest.raises(MRIOError, match=r"zero or negative for 1 sectors \(reg1/food\)"):
        from_pymrio(io_sys)
    io_sys = pymrio.load_test()
    io_sys.emissions.F = None
    with pytest.raises(MRIOError, match="extension 'Emissions' has neither F nor S"):
        from_pymrio(io_sys)


def test_footprint_request_errors(table):
    with pytest.raises(IOUQError, match="no satellite account 'CO2'"):
        footprints(table, "CO2")
    with pytest.raises(MRIOError, match="no region 'reg9'"):
        footprint_elasticities(table, "reg9", AIR)
    with pytest.raises(MRIOError, match="no satellite accounts"):
        footprints(load_table("miernyk"))
    with pytest.raises(MRIOError, match="unknown footprint distribution"):
        footprint_montecarlo(table, 0.1, 10, 1, distribution="gamma")


def test_cli_footprints_header_values_and_errors(capsys, reference):
    status = cli.main(["footprints", "pymrio-test", "--account", AIR])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    assert out.splitlines()[0] == "region,account,footprint,embodied,direct"
    df = pd.read_csv(io.StringIO(out))
    ref = reference.emissions.D_cba_reg.loc[("emission_type1", "air")]
    np.testing.assert_allclose(df.set_index("region").footprint.loc[ref.index], ref, rtol=1e-14)
    status = cli.main(["footprints", "pymrio-test", "--tol", "0.01"])
    out, err = capsys.readouterr()
    assert status == 0 and out.splitlines()[0] == "region,account,footprint,embodied,direct,lower,upper,exactness"
    for argv, msg in ((["footprints", "miernyk"], "no satellite accounts"),
                      (["footprints", "pymrio-test", "--account", "CO2"], "no satellite account 'CO2'"),
                      (["footprints", "pymrio-test", "--tol", "-1"], "--tol must be")):
        status = cli.main(argv)
        out, err = capsys.readouterr()
        assert status == 2 and out == "" and err.startswith("iouq: error: ") and msg in err and err.count("\n") == 1


# ------------------------------------------------------------------ property: hull contains bounded draws
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), regions=st.integers(1, 3), sectors=st.integers(1, 3),
       tol=st.floats(0.0, 0.3))
def test_footprint_hull_contains_every_uniform_draw_of_random_systems(seed, regions, sectors, tol):
    rng = np.random.default_rng(seed)
    n = regions * sectors
    idx = pd.MultiIndex.from_tuples([(f"r{r}", f"s{s}") for r in range(regions) for s in range(sectors)],
                                    names=["region", "sector"])
    cols = pd.MultiIndex.from_tuples([(f"r{r}", c) for r in range(regions) for c in ("hh", "gov")],
                                     names=["region", "category"])
    Y = pd.DataFrame(rng.uniform(0, 10, (n, len(cols))), index=idx, columns=cols)
    x = rng.uniform(20, 40, n)
    Z = pd.DataFrame(rng.uniform(0, 1, (n, n)) * (rng.random((n, n)) < 0.7) * x[None, :] * 0.5 / n,
                     index=idx, columns=idx)
    x = Z.sum(axis=1).to_numpy() + Y.sum(axis=1).to_numpy()
    F = pd.DataFrame(rng.uniform(0, 5, (2, n)), index=["co2", "jobs"], columns=idx)
    F_Y = pd.DataFrame(rng.uniform(0, 1, (2, len(cols))), index=["co2", "jobs"], columns=cols)
    io_sys = pymrio.IOSystem(Z=Z, Y=Y, name="rand", ext={"name": "ext", "F": F, "F_Y": F_Y,
                                                            "unit": pd.DataFrame({"unit": ["t", "p"]}, index=F.index)})
    t = from_pymrio(io_sys)
    iv = footprint_interval(t, tol)
    assert (iv.exactness == "exact").all()
    draws, _, _ = footprint_montecarlo(t, tol, 60, seed=seed, distribution="uniform")
    lo = iv["lower"].to_numpy().reshape(draws.shape[1:])
    hi = iv["upper"].to_numpy().reshape(draws.shape[1:])
    assert np.all(draws >= lo - 1e-12 * np.abs(lo)) and np.all(draws <= hi + 1e-12 * np.abs(hi))
    # and pymrio agrees on the point footprints
    io_sys.calc_all()
    fp = footprints(t)
    ref = io_sys.ext.D_cba_reg.loc["co2"]
    np.testing.assert_allclose(fp[fp.account == "ext/co2"].set_index("region").footprint.loc[ref.index], ref,
                               rtol=1e-10)


def test_to_pymrio_needs_flows():
    with pytest.raises(MRIOError, match="pymrio needs flows"):
        to_pymrio(load_table("miernyk"))


def test_variance_shares_match_monte_carlo_variance_of_coefficients_only(table):
    """First-order variance from the elasticities against a Monte Carlo with only A random."""
    el = footprint_elasticities(table, "reg3", AIR)
    s = table.intensity(AIR)
    y = table.final_demand.to_numpy()[:, [c.startswith("reg3/") for c in table.final_demand.columns]].sum(axis=1)
    L = np.linalg.inv(np.eye(table.n) - table.A)
    f0 = s @ L @ y
    sd_rel = 0.01
    rng = np.random.default_rng(3)
    vals = np.array([s @ np.linalg.solve(np.eye(table.n) - table.A * (1 + sd_rel * rng.standard_normal(table.A.shape)), y)
                     for _ in range(3000)])
    var_mc_A = np.var(vals / f0)
    # shares of A alone sum to var_A / var_total; var_total from all squared elasticities
    e2 = (el.elasticity**2).sum()
    total = e2 / el.variance_share.sum()
    assert el.variance_share.sum() < 1
    assert np.isclose(total, e2 + ((s * (L @ y) / f0) ** 2).sum() + (((s @ L) * y / f0) ** 2).sum(), rtol=1e-12)
    assert var_mc_A == pytest.approx(sd_rel**2 * e2, rel=0.1)
