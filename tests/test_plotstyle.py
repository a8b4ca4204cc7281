"""Figures: printed widths 3.5 in / 7 in, every font >= 7 pt there, human legend labels, the
sector selection by coefficient of variation, PNG and PDF output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iouq import plotstyle as ps
from iouq.compare import comparison_table, importance_top, summary_widths
from iouq.interval import interval_table, jerrell_comparison
from iouq.multipliers import point_multipliers
from iouq.plotting import (
    plot_cross_family,
    plot_importance,
    plot_interval_widths,
    plot_jerrell_comparison,
    plot_method_comparison,
    plot_variance_share,
    plot_width_tolerance,
)
from iouq.stochastic import stochastic_table
from iouq.table import IOTable
from iouq.tables import bundled_path, load_table


@pytest.fixture(scope="module")
def miernyk_results():
    table = load_table("miernyk")
    point = point_multipliers(table)
    out = {}
    for tol in ("0.01", "0.1"):
        iv = interval_table(table, float(tol))
        summary, dens = stochastic_table(table, float(tol), distributions=("uniform", "normal"),
                                         methods=("perturbation", "montecarlo"), n_samples=400, seed=2,
                                         density_points=16, density_sectors=4)
        out[tol] = (iv, summary, dens, comparison_table(point, iv, summary, summary))
    return table, point, out


def check_style(fig, widths=(ps.SINGLE, ps.DOUBLE)):
    assert round(fig.get_figwidth(), 3) in widths
    sizes = ps.font_sizes(fig)
    assert sizes, "no text drawn"
    small = [(t, s) for t, s in sizes if s < ps.MIN_FONT_PT]
    assert not small, small
    labels = [t.get_text() for leg in fig.legends + [a.get_legend() for a in fig.axes if a.get_legend()]
              for t in leg.get_texts()]
    codes = [lab for lab in labels if "_" in lab]
    assert not codes, f"code names in the legend: {codes}"
    return labels


def test_every_figure_is_readable_at_its_printed_width(miernyk_results, tmp_path):
    table, point, out = miernyk_results
    iv, summary, dens, comp = out["0.01"]
    labels = check_style(plot_cross_family(comp, title="t"))
    assert "sharp hull" in labels and "Monte Carlo 95% (normal)" in labels
    check_style(plot_method_comparison(dens, iv, summary=summary, title="t"))
    check_style(plot_interval_widths({t: v[0] for t, v in out.items()}, point, title="t"))
    widths = summary_widths({("miernyk", t): v[3] for t, v in out.items()})
    check_style(plot_width_tolerance(widths, title="t"))
    published = pd.read_csv(bundled_path("miernyk") / "jerrell1995_published.csv", dtype={"sector": str})
    jer = jerrell_comparison(table, published)
    fig = plot_jerrell_comparison(jer, point=point.set_index("sector")["income_type2"])
    check_style(fig)
    assert fig.axes[0].get_ylabel() == "deviation from point, %"
    limits = pd.DataFrame([
        {"row": str(i), "col": str(j), "coefficient": 0.1, "target": "multipliers",
         "tolerable_limit_up_pct": 10.0 ** (i + j - 2), "tolerable_limit_down_pct": 10.0 ** (i + j - 2),
         "field_of_influence": 1.0 / (i + j), "variance_share": (i + j) / 36.0, "morris_mu_star": np.nan,
         "sobol_total": np.nan} for i in range(1, 4) for j in range(1, 4)])
    zeroing = pd.DataFrame({"cutoff": [0.01, 0.01, 0.1, 0.1], "multiplier": "output_type1", "sector": ["1", "2"] * 2,
                            "zeroed_share": [0.1, 0.1, 0.5, 0.5], "change_pct": [0.5, -1.0, 5.0, 2.0]})
    fig = plot_importance(limits, zeroing, p=1, cutoff=20)
    check_style(fig)
    image = fig.axes[0].get_images()[0]
    assert image.norm.vmax == 100.0  # clipped at 100 %: 10^4 % is drawn as 100 %
    assert np.nanmax(image.get_array()) == 100.0
    check_style(plot_variance_share(importance_top(limits)))
    paths = ps.write_figure(plot_variance_share(importance_top(limits)), [tmp_path / "f.png", tmp_path / "f.pdf"])
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "f.pdf").read_bytes()[:4] == b"%PDF"
    again = ps.write_figure(plot_variance_share(importance_top(limits)), [tmp_path / "g.png", tmp_path / "g.pdf"])
    assert again[1].read_bytes() == (tmp_path / "f.pdf").read_bytes()  # no time stamp in the PDF
    assert again[0].read_bytes() == (tmp_path / "f.png").read_bytes()


def test_labels_are_human():
    assert ps.label("montecarlo_kde") == "Monte Carlo"
    assert ps.label("pce_top8", "uniform") == "PCE in 8 coefficients (uniform)"
    assert ps.label("income_type2") == "Type II income multiplier"
    assert ps.style_of("sharp") != ps.style_of("verified")  # coinciding lines stay distinguishable


def cv_table():
    """CV order b, c, a, unlike the table order a, b, c ('a' buys almost nothing: the smallest CV;
    a sector that buys nothing at all would be a point mass, with no density)."""
    A = np.array([[0.001, 0.30, 0.05], [0.0, 0.20, 0.05], [0.0, 0.25, 0.02]])
    return IOTable(name="cv", sectors=("a", "b", "c"), A=A)


def test_density_comparison_shows_the_largest_cv_sectors_in_cv_order():
    table = cv_table()
    summary, dens = stochastic_table(table, 0.05, distributions=("uniform",), methods=("perturbation", "montecarlo"),
                                     n_samples=500, seed=1, density_points=8, density_sectors=3)
    iv = interval_table(table, 0.05)
    fig = plot_method_comparison(dens, iv, max_sectors=2)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()] == ["sector b", "sector c"]
    # the same with the densities shuffled into table order, when the summary gives the CV
    shuffled = dens.sort_values("sector", kind="stable")
    assert list(dict.fromkeys(shuffled["sector"])) == ["a", "b", "c"]
    fig = plot_method_comparison(shuffled, iv, max_sectors=2, summary=summary)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_title()] == ["sector b", "sector c"]
    comp = comparison_table(point_multipliers(table), iv, summary, summary)
    fig = plot_cross_family(comp, multipliers=("output_type1",), max_sectors=2)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["sector b", "sector c"]
