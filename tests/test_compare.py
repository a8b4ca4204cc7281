"""iouq.compare: the comparison table, summary, importance top-k and LaTeX, against numbers
constructed by hand (not by the code), and containment on the bundled tables."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iouq.compare import (
    COMPARE_COLUMNS,
    SUMMARY_COLUMNS,
    comparison_table,
    importance_top,
    is_reduced_model,
    latex_comparison,
    latex_jerrell,
    latex_summary,
    method_label,
    select_sectors,
    summary_widths,
)
from iouq.errors import IOUQError
from iouq.interval import interval_table
from iouq.multipliers import point_multipliers
from iouq.results import write_csv_atomic
from iouq.stochastic import stochastic_table
from iouq.table import IOTable
from iouq.tables import load_table


# ----------------------------------------------------------------------------- hand-made frames
def hand_frames():
    """Two sectors, one multiplier; every bound chosen by hand."""
    point = pd.DataFrame({"sector": ["a", "b"], "output_type1": [2.0, -4.0]})
    intervals = pd.DataFrame({
        "sector": ["a", "a", "a", "b", "b", "b"], "multiplier": "output_type1",
        "method": ["naive", "sharp", "verified"] * 2,
        "lower": [1.5, 1.8, 1.79, -4.5, -4.2, -4.21], "upper": [2.5, 2.2, 2.21, -3.5, -3.8, -3.79],
    })
    stochastic = pd.DataFrame({
        "sector": ["a", "a", "a", "b", "b", "b"], "multiplier": "output_type1",
        "method": ["perturbation", "montecarlo", "pce_top3"] * 2, "distribution": "uniform",
        "mean": [2.01, 2.02, 2.0, -4.0, -4.01, -4.0], "sd": [0.05, 0.1, 0.04, 0.06, 0.05, 0.05],
        "q025": [1.9, 1.85, 1.92, -4.1, -4.15, -4.08], "q975": [2.1, 2.15, 2.08, -3.9, -3.85, -3.92],
    })
    diagnostics = stochastic[["sector", "multiplier", "method", "distribution"]].assign(
        mean_cv=[2.01, 2.015, 2.0, -4.0, -4.005, -4.0],
        q025_cv=[1.9, 1.86, 1.92, -4.1, -4.14, -4.08], q975_cv=[2.1, 2.14, 2.08, -3.9, -3.86, -3.92],
        sample_min=[np.nan, 1.75, np.nan, np.nan, -4.25, np.nan],
        sample_max=[np.nan, 2.25, np.nan, np.nan, -3.82, np.nan],
    )
    return point, intervals, stochastic, diagnostics


def row(df, sector, method, distribution=""):
    r = df[(df["sector"] == sector) & (df["method"] == method) & (df["distribution"] == distribution)]
    assert len(r) == 1, (sector, method, distribution)
    return r.iloc[0]


def test_comparison_table_contract_and_hand_numbers():
    comp = comparison_table(*hand_frames())
    assert list(comp.columns[: len(COMPARE_COLUMNS)]) == COMPARE_COLUMNS
    # 3 interval + perturbation, montecarlo, montecarlo_range, pce_top3 per sector
    assert len(comp) == 2 * 7
    assert list(comp["sector"]) == ["a"] * 7 + ["b"] * 7
    assert list(comp["method"][:7]) == ["naive", "sharp", "verified", "perturbation", "montecarlo",
                                        "montecarlo_range", "pce_top3"]
    naive = row(comp, "a", "naive")
    assert naive["family"] == "interval" and naive["center"] == 2.0 and naive["point"] == 2.0
    assert naive["rel_width"] == pytest.approx(1.0 / 2.0)
    assert naive["width_ratio_sharp"] == pytest.approx(1.0 / 0.4)
    assert not naive["inside_verified"]
    assert row(comp, "a", "verified")["width_ratio_sharp"] == pytest.approx(0.42 / 0.4)
    assert row(comp, "a", "sharp")["inside_verified"]
    # Monte Carlo takes the control-variate quantiles and mean of the diagnostics
    mc = row(comp, "a", "montecarlo", "uniform")
    assert (mc["lower"], mc["upper"], mc["center"]) == (1.86, 2.14, 2.015)
    assert mc["rel_width"] == pytest.approx(0.28 / 2.0)
    assert mc["width_ratio_sharp"] == pytest.approx(0.28 / 0.4)
    rng = row(comp, "a", "montecarlo_range", "uniform")
    assert (rng["lower"], rng["upper"]) == (1.75, 2.25)
    assert not rng["inside_verified"]  # 1.75 < 1.79
    assert rng["box_bounded"]
    # negative point: |point| in the relative width
    b = row(comp, "b", "perturbation", "uniform")
    assert b["rel_width"] == pytest.approx(0.2 / 4.0)
    assert b["width_ratio_sharp"] == pytest.approx(0.2 / 0.4)
    assert b["inside_verified"]
    # reduced model: reported, out of the width ratios
    red = row(comp, "a", "pce_top3", "uniform")
    assert red["reduced_model"] and math.isnan(red["width_ratio_sharp"])
    assert red["rel_width"] == pytest.approx(0.16 / 2.0)


def test_comparison_flags_range_leaving_the_verified_enclosure():
    point, intervals, stochastic, diagnostics = hand_frames()
    comp = comparison_table(point, intervals, stochastic, diagnostics)
    # sector b: sample_min -4.25 < verified lower -4.21
    assert not row(comp, "b", "montecarlo_range", "uniform")["inside_verified"]
    diagnostics.loc[diagnostics["sample_min"] == -4.25, "sample_min"] = -4.2
    comp = comparison_table(point, intervals, stochastic, diagnostics)
    assert row(comp, "b", "montecarlo_range", "uniform")["inside_verified"]


def test_inside_verified_empty_without_verified_and_ratio_empty_without_sharp():
    point, intervals, stochastic, diagnostics = hand_frames()
    comp = comparison_table(point, intervals[intervals["method"] == "naive"], stochastic, diagnostics)
    assert comp["inside_verified"].isna().all()
    assert comp["width_ratio_sharp"].isna().all()


def test_missing_columns_are_refused():
    point, intervals, stochastic, diagnostics = hand_frames()
    with pytest.raises(IOUQError, match="interval table lacks"):
        comparison_table(point, intervals.drop(columns="upper"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 5), st.floats(0.01, 0.5), st.floats(-0.6, 0.6), st.floats(0.0, 0.8)),
                min_size=1, max_size=5))
def test_containment_and_ratios_match_brute_force(cases):
    """For random intervals and ranges: the flags and ratios equal a direct evaluation."""
    sectors = [f"s{i}" for i in range(len(cases))]
    point = pd.DataFrame({"sector": sectors, "output_type1": [c[0] for c in cases]})
    iv, stoch = [], []
    for s, (p, half, shift, shrink) in zip(sectors, cases):
        iv += [(s, "sharp", p - half, p + half), (s, "verified", p - half * 1.01, p + half * 1.01)]
        lo, hi = p + shift * half - shrink * half, p + shift * half + shrink * half
        stoch.append((s, lo, hi))
    intervals = pd.DataFrame(iv, columns=["sector", "method", "lower", "upper"]).assign(multiplier="output_type1")
    stochastic = pd.DataFrame(stoch, columns=["sector", "q025", "q975"]).assign(
        multiplier="output_type1", method="perturbation", distribution="uniform", mean=0.0, sd=1.0)
    comp = comparison_table(point, intervals, stochastic)
    for s, (p, half, shift, shrink) in zip(sectors, cases):
        r = row(comp, s, "perturbation", "uniform")
        lo, hi = p + shift * half - shrink * half, p + shift * half + shrink * half
        assert r["rel_width"] == pytest.approx((hi - lo) / p)
        assert r["width_ratio_sharp"] == pytest.approx((hi - lo) / (2 * half))
        assert bool(r["inside_verified"]) == (lo >= p - 1.01 * half and hi <= p + 1.01 * half)


def test_reduced_model_names():
    assert is_reduced_model("pce_top8") and is_reduced_model("pce_top120")
    assert not is_reduced_model("pce") and not is_reduced_model("pce_topk")
    assert method_label("pce_top8", "uniform") == "PCE in 8 coefficients 95% (uniform)"
    assert method_label("montecarlo_range", "beta") == "Monte Carlo range (beta)"


# ----------------------------------------------------------------------------- summary
def test_summary_widths_hand_numbers():
    comp = comparison_table(*hand_frames())
    summary = summary_widths({("hand", "0.01"): comp})
    assert list(summary.columns) == SUMMARY_COLUMNS
    sharp = summary[summary["method"] == "sharp"].iloc[0]
    assert sharp["median_rel_width"] == pytest.approx(np.median([0.4 / 2, 0.4 / 4]))
    assert sharp["max_rel_width"] == pytest.approx(0.2)
    naive = summary[summary["method"] == "naive"].iloc[0]
    assert naive["median_width_ratio_sharp"] == pytest.approx(2.5)
    pert = summary[summary["method"] == "perturbation"].iloc[0]
    # sd ratios perturbation / Monte Carlo: a 0.05/0.1, b 0.06/0.05
    assert pert["median_sd_ratio_perturbation_mc"] == pytest.approx(np.median([0.5, 1.2]))
    assert summary.loc[summary["method"] == "montecarlo", "median_sd_ratio_perturbation_mc"].isna().all()
    red = summary[summary["method"] == "pce_top3"].iloc[0]
    assert math.isnan(red["median_width_ratio_sharp"]) and red["median_rel_width"] > 0
    assert set(summary["dataset"]) == {"hand"} and set(summary["tol"]) == {"0.01"}


# ----------------------------------------------------------------------------- importance top-k
def test_importance_top_hand_ranking():
    limits = pd.DataFrame({
        "row": ["1", "1", "2", "2"], "col": ["1", "2", "1", "2"], "coefficient": [0.1, 0.0, 0.3, 0.2],
        "target": "multipliers",
        "tolerable_limit_up_pct": [5.0, np.nan, 2.0, 50.0], "tolerable_limit_down_pct": [4.0, np.nan, 3.0, 40.0],
        "field_of_influence": [1.0, 0.0, 3.0, 2.0], "variance_share": [0.2, 0.0, 0.5, 0.3],
        "morris_mu_star": np.nan, "sobol_total": [0.1, np.nan, 0.2, 0.6],
    })
    top = importance_top(limits, k_values=(1, 2, 100))
    assert set(top["ranking"]) == {"tolerable_limit", "field_of_influence", "variance_share", "sobol"}
    tl = top[top["ranking"] == "tolerable_limit"]
    # min(r+, r-): (1,1) 4, (2,1) 2, (2,2) 40  -> order (2,1), (1,1), (2,2)
    assert list(zip(tl["row"], tl["col"])) == [("2", "1"), ("1", "1"), ("2", "2")]
    assert list(tl["score"]) == [2.0, 4.0, 40.0]
    assert list(tl["cumulative_variance_share"]) == pytest.approx([0.5, 0.7, 1.0])
    assert list(tl["checkpoint"]) == [True, True, True]  # k=100 capped at the 3 coefficients
    sob = top[top["ranking"] == "sobol"]
    assert list(zip(sob["row"], sob["col"])) == [("2", "2"), ("2", "1"), ("1", "1")]
    assert list(sob["cumulative_variance_share"]) == pytest.approx([0.3, 0.8, 1.0])
    grouped = importance_top(limits, k_values=(1,), grouped="column")
    assert "sobol_column" in set(grouped["ranking"]) and len(grouped[grouped["ranking"] == "sobol_column"]) == 1
    with pytest.raises(IOUQError, match="no rows for target"):
        importance_top(limits, target="inverse")


# ----------------------------------------------------------------------------- LaTeX
NUMBER = re.compile(r"^\$?(-|\$-\$)?\d+\.\d+$")


def _num(token: str) -> float:
    return float(token.replace("$-$", "-").replace("$", ""))


def _decimals(token: str) -> int:
    return len(token.split(".")[1])


def _rows(tex: str) -> list[list[str]]:
    body = tex.split(r"\endfoot")[1:]
    out = []
    for part in body:
        for line in part.split(r"\end{longtable}")[0].splitlines():
            if line.endswith(r"\\") and "&" in line:
                out.append([c.strip() for c in line[:-2].split("&")])
    return out


def _small_comparison(tmp_path, tol="0.01"):
    table = load_table("miernyk")
    point = point_multipliers(table)
    iv = interval_table(table, float(tol))
    summary, _ = stochastic_table(table, float(tol), distributions=("uniform", "normal"),
                                  methods=("perturbation", "montecarlo"), n_samples=400, seed=3,
                                  density_points=8, density_sectors=1)
    comp = comparison_table(point, iv, summary, summary)
    path = write_csv_atomic(comp, tmp_path / f"tol-{tol}.csv")
    written = pd.read_csv(path, dtype={"sector": str, "distribution": str}, keep_default_na=False, na_values=[""])
    written["distribution"] = written["distribution"].fillna("")
    return written


def test_tex_numbers_equal_the_csv_at_printed_precision(tmp_path):
    comp = _small_comparison(tmp_path)
    tex = latex_comparison(comp, dataset="miernyk", tol="0.01", sectors=2)
    assert r"\toprule" in tex and r"\bottomrule" in tex and r"\midrule" in tex
    rows = _rows(tex)
    assert len(rows) == 4 * 2 * 9  # multipliers x sectors x (3 interval + 2 distributions x (pert, mc, range))
    checked = 0
    sector = None
    labels = {method_label(m, d, latex=True): (m, d) for m, d in zip(comp["method"], comp["distribution"])}
    for cells in rows:
        if cells[0]:
            sector = cells[0]
        method, dist = labels[cells[2]]
        cand = comp[(comp["sector"] == sector) & (comp["method"] == method) & (comp["distribution"] == dist)]
        # the multiplier is the one whose CSV values match at this precision (each block is one multiplier)
        match = []
        for _, r in cand.iterrows():
            ok = all(round(float(r[c]), _decimals(t)) == pytest.approx(_num(t), abs=1e-12)
                     for c, t in (("lower", cells[3]), ("upper", cells[4])))
            ok &= round(100 * float(r["rel_width"]), 2) == pytest.approx(_num(cells[5]), abs=1e-12)
            if cells[6] != "--":
                ok &= round(float(r["width_ratio_sharp"]), 2) == pytest.approx(_num(cells[6]), abs=1e-12)
            if cells[1]:
                ok &= round(float(r["point"]), _decimals(cells[1])) == pytest.approx(_num(cells[1]), abs=1e-12)
            match.append(ok)
        assert any(match), cells
        checked += 1
    assert checked == len(rows)


def test_tex_rows_are_the_largest_cv_sectors_in_cv_order(tmp_path):
    comp = _small_comparison(tmp_path)
    mc = comp[(comp["method"] == "montecarlo") & (comp["distribution"] == "uniform")
              & (comp["multiplier"] == "output_type1")]
    by_hand = (mc["sd"] / mc["point"].abs()).to_numpy()
    expected = list(mc["sector"].to_numpy()[np.argsort(-by_hand, kind="stable")][:2])
    assert select_sectors(comp, "output_type1", 2) == expected
    tex = latex_comparison(comp, dataset="miernyk", tol="0.01", sectors=2).split(r"\end{longtable}")[0]
    assert [c[0] for c in _rows(tex) if c[0]] == expected


def test_summary_and_jerrell_tex_equal_their_inputs(tmp_path):
    comp = _small_comparison(tmp_path)
    summary = summary_widths({("miernyk", "0.01"): comp})
    path = write_csv_atomic(summary, tmp_path / "widths.csv")
    written = pd.read_csv(path, dtype={"tol": str, "distribution": str}, keep_default_na=False, na_values=[""])
    written["distribution"] = written["distribution"].fillna("")
    tex = latex_summary(written)
    rows = _rows(tex)
    assert len(rows) == len(written)
    for cells, (_, r) in zip(rows, written.iterrows()):
        assert cells[0] == method_label(r["method"], r["distribution"], latex=True)
        assert round(100 * r["median_rel_width"], 3) == pytest.approx(_num(cells[1]), abs=1e-12)
        assert round(r["median_width_ratio_sharp"], 2) == pytest.approx(_num(cells[2]), abs=1e-12)
    from iouq.interval import jerrell_comparison
    from iouq.tables import bundled_path

    published = pd.read_csv(bundled_path("miernyk") / "jerrell1995_published.csv", dtype={"sector": str})
    jer = jerrell_comparison(load_table("miernyk"), published)
    tex = latex_jerrell(jer, {"0.01": comp})
    rows = _rows(tex)
    assert len(rows) == len(jer)
    for cells, (_, r) in zip(rows, jer.iterrows()):
        assert cells[0] == str(r["sector"])
        lo, hi = (float(x) for x in cells[2].strip("[]").split(","))
        assert (lo, hi) == (r["published_lower"], r["published_upper"])
        lo, hi = (float(x) for x in cells[4].strip("[]").split(","))
        assert (lo, hi) == (round(r["sharp_lower"], 3), round(r["sharp_upper"], 3))
        if float(r["tol"]) == 0.01:
            m = comp[(comp["sector"] == str(r["sector"])) & (comp["method"] == "montecarlo")
                     & (comp["distribution"] == "uniform") & (comp["multiplier"] == "income_type2")].iloc[0]
            lo, hi = (float(x) for x in cells[6].strip("[]").split(","))
            assert (lo, hi) == (round(m["lower"], 3), round(m["upper"], 3))
        else:
            assert cells[6] == "--"


# ----------------------------------------------------------------------------- bundled tables
@pytest.mark.parametrize("name", ["miernyk", "bea2002-sector", "germany1995"])
def test_bounded_monte_carlo_ranges_lie_in_the_verified_enclosure(name):
    """The verified enclosure contains the multiplier of every matrix of the box, so every draw
    of a distribution on the box (uniform, beta) lies inside it, at every default tolerance."""
    table = load_table(name)
    point = point_multipliers(table)
    for tol in (0.001, 0.01, 0.1):
        iv = interval_table(table, tol, methods=("sharp", "verified"))
        summary, _ = stochastic_table(table, tol, distributions=("uniform", "beta"), methods=("montecarlo",),
                                      n_samples=300, seed=7, density_points=4, density_sectors=1)
        comp = comparison_table(point, iv, summary, summary)
        ranges = comp[comp["method"] == "montecarlo_range"]
        assert len(ranges) == 2 * len(comp[comp["method"] == "verified"])
        assert ranges["box_bounded"].all()
        assert ranges["inside_verified"].fillna(False).all(), ranges[~ranges["inside_verified"].fillna(False)]
        # and the draws stay inside the sharp hull too (the hull is the exact range)
        sharp = comp[comp["method"] == "sharp"].set_index(["sector", "multiplier"])
        r = ranges.set_index(["sector", "multiplier"])
        assert (r["lower"] >= sharp["lower"].reindex(r.index) - 1e-12 * sharp["lower"].abs().reindex(r.index)).all()


def test_cv_order_differs_from_table_order():
    """Sector 'b' has the largest inputs (largest CV), 'c' smaller ones, 'a' buys nothing (sd 0)."""
    A = np.array([[0.0, 0.30, 0.05], [0.0, 0.20, 0.05], [0.0, 0.25, 0.02]])
    table = IOTable(name="cv", sectors=("a", "b", "c"), A=A)
    summary, dens = stochastic_table(table, 0.05, distributions=("uniform",), methods=("perturbation", "montecarlo"),
                                     n_samples=500, seed=1, density_points=8, density_sectors=2)
    assert list(dict.fromkeys(dens["sector"])) == ["b", "c"]
    point = point_multipliers(table)
    comp = comparison_table(point, interval_table(table, 0.05), summary, summary)
    assert select_sectors(comp, "output_type1", 3) == ["b", "c", "a"]


def test_satellite_quantities_enter_the_comparison_with_their_point_values():
    """Point values of satellite quantities come from extensions.csv (hand-made numbers)."""
    point, intervals, stochastic, diagnostics = hand_frames()
    extensions = pd.DataFrame({"account": ["CO2", "CO2"], "sector": ["a", "b"], "intensity": [0.5, 0.0],
                               "effect_type1": [0.8, 0.3], "multiplier_type1": [1.6, np.nan]})
    sat = pd.DataFrame({"sector": ["a", "a", "b", "b"], "multiplier": "effect_type1:CO2",
                        "method": ["sharp", "verified"] * 2, "lower": [0.7, 0.69, 0.25, 0.24],
                        "upper": [0.9, 0.91, 0.35, 0.36]})
    out = comparison_table(point, pd.concat([intervals, sat], ignore_index=True), stochastic, diagnostics,
                           extensions)
    rows = out[out["multiplier"] == "effect_type1:CO2"].set_index(["sector", "method"])
    assert rows.loc[("a", "sharp"), "point"] == 0.8 and rows.loc[("b", "sharp"), "point"] == 0.3
    assert rows.loc[("a", "sharp"), "rel_width"] == pytest.approx(0.2 / 0.8)
    assert rows.loc[("b", "verified"), "width_ratio_sharp"] == pytest.approx(0.12 / 0.1)
    assert bool(rows.loc[("a", "sharp"), "inside_verified"])
    # without extensions the satellite rows have no point value and are left out
    assert "effect_type1:CO2" not in set(comparison_table(point, pd.concat([intervals, sat]), stochastic,
                                                          diagnostics)["multiplier"])


def test_dynamic_comparison_from_hand_made_multipliers():
    from iouq.compare import DYNAMIC_COMPARE_COLUMNS, dynamic_comparison

    m = pd.DataFrame({"sector": ["p", "s"], "static_type1": [2.0, 1.5], "static_type2": [5.0, 4.0],
                      "long_run": [2.5, 2.0], "long_run_lower": [2.0, 1.8], "long_run_upper": [3.0, 2.4],
                      "peak_dynamic": [2.2, 3.0], "mc_q025": [2.0, 2.7], "mc_q975": [2.4, 3.3],
                      "exactness": ["exact", "enclosure"], "final_dynamic": [2.1, 2.9],
                      "mc_long_run_q025": [2.2, 1.7], "mc_long_run_q975": [2.8, 2.2], "mc_draws": [100, 100]})
    out = dynamic_comparison(m, "uniform")
    assert list(out.columns) == DYNAMIC_COMPARE_COLUMNS and len(out) == 6
    r = out.set_index(["sector", "multiplier", "method"])
    assert r.loc[("p", "long_run", "hull"), "rel_width"] == pytest.approx(1.0 / 2.5)
    assert r.loc[("p", "long_run", "montecarlo"), "width_ratio_sharp"] == pytest.approx(0.6 / 1.0)
    assert bool(r.loc[("p", "long_run", "montecarlo"), "inside_verified"])
    assert not bool(r.loc[("s", "long_run", "montecarlo"), "inside_verified"])  # 1.7 < 1.8: outside the hull
    assert pd.isna(r.loc[("s", "peak_dynamic", "montecarlo"), "inside_verified"])
    assert r.loc[("s", "long_run", "hull"), "exactness"] == "enclosure"
