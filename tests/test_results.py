"""Atomic result writers and the figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iouq.results import write_csv_atomic, write_figure_atomic


def test_csv_is_written_with_columns_in_contract_order(tmp_path):
    df = pd.DataFrame({"upper": [2.0, 4.0], "sector": ["01", "02"], "lower": [1 / 3, np.nan]})
    path = write_csv_atomic(df, tmp_path / "sub" / "r.csv", columns=["sector", "lower", "upper"])
    assert path.read_text() == "sector,lower,upper\n01,0.3333333333,2\n02,,4\n"
    assert [p.name for p in path.parent.iterdir()] == ["r.csv"]


def test_csv_missing_column_writes_nothing(tmp_path):
    with pytest.raises(KeyError, match="exactness"):
        write_csv_atomic(pd.DataFrame({"sector": ["a"]}), tmp_path / "r.csv", columns=["sector", "exactness"])
    assert not (tmp_path / "r.csv").exists()


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("old\n")

    class Boom:
        def savefig(self, handle, **kwargs):
            handle.write(b"partial")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_figure_atomic(Boom(), target)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_written_files_get_ordinary_permissions(tmp_path):
    path = write_csv_atomic(pd.DataFrame({"a": [1]}), tmp_path / "r.csv")
    assert path.stat().st_mode & 0o044  # readable by others unless the umask forbids it (0o022 usual)


def test_figures(tmp_path):
    from iouq.interval import interval_table, jerrell_comparison
    from iouq.multipliers import point_multipliers
    from iouq.plotting import plot_interval_widths, plot_jerrell_comparison, relative_widths
    from iouq.tables import bundled_path, load_table

    table = load_table("miernyk")
    intervals = {tol: interval_table(table, float(tol), methods=("naive", "sharp")) for tol in ("0", "0.01", "0.1")}
    point = point_multipliers(table)
    rel = relative_widths(intervals, point)
    assert set(rel["method"]) == {"naive", "sharp"}
    assert (rel.loc[rel["tol"] == 0, "relative_width"].abs() < 1e-12).all()
    sharp = rel[(rel["method"] == "sharp") & (rel["tol"] == 0.01)]
    naive = rel[(rel["method"] == "naive") & (rel["tol"] == 0.01)]
    assert sharp["relative_width"].median() <= naive["relative_width"].median()

    png = write_figure_atomic(plot_interval_widths(intervals, point, title="miernyk"), tmp_path / "w.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    published = pd.read_csv(bundled_path("miernyk") / "jerrell1995_published.csv", dtype={"sector": str})
    fig = plot_jerrell_comparison(jerrell_comparison(table, published))
    assert len([ax for ax in fig.axes if ax.get_visible()]) == published["tol"].nunique()
    write_figure_atomic(fig, tmp_path / "j.svg")
    assert (tmp_path / "j.svg").read_text().lstrip().startswith("<?xml")


def test_method_comparison_figure(tmp_path):
    """Densities of the stochastic family drawn inside the interval hulls of the same tolerance."""
    from iouq.interval import interval_table
    from iouq.plotting import plot_method_comparison
    from iouq.stochastic import stochastic_densities
    from iouq.tables import load_table

    table = load_table("miernyk")
    dens = pd.concat([
        stochastic_densities(table, 0.05, mult, dist, n_samples=2000, seed=1, points=32)
        for mult in ("output_type1", "income_type2") for dist in ("uniform", "normal")
    ])
    intervals = interval_table(table, 0.05, methods=("naive", "sharp"))
    fig = plot_method_comparison(dens, intervals, max_sectors=3, title="miernyk")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2 * 3
    labels = {text.get_text() for legend in fig.legends for text in legend.get_texts()}
    # human labels, not the method codes of the CSVs
    assert {"Monte Carlo (uniform)", "Monte Carlo (normal)", "sharp hull", "naive interval"} <= labels
    assert not [lab for lab in labels if "_" in lab]
    # every Monte Carlo density lies inside the sharp hull of its sector (bounded uniform draws)
    merged = dens[(dens["method"] == "montecarlo_hist") & (dens["distribution"] == "uniform") & (dens["density"] > 0)]
    merged = merged.merge(intervals[intervals["method"] == "sharp"], on=["sector", "multiplier"])
    assert len(merged) and ((merged["x"] >= merged["lower"] - 1e-9) & (merged["x"] <= merged["upper"] + 1e-9)).all()
    png = write_figure_atomic(fig, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no densities"):
        plot_method_comparison(dens, intervals, multipliers=("income_type1",))


def test_importance_figure(tmp_path):
    from iouq.importance import importance_frame, zeroing_experiment
    from iouq.plotting import plot_importance
    from iouq.tables import load_table

    table = load_table("bea2002-sector")
    limits = importance_frame(table, 0.01, 1.0, ["inverse", "multipliers"])
    zeroing = zeroing_experiment(table, [1e-4, 1e-3, 1e-2])
    fig = plot_importance(limits, zeroing, p=1.0, title="bea2002-sector")
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (table.n, table.n)
    # the image shows min(r+, r-) of the multipliers target, clipped at 100 % (the colour scale
    # of the important range), blank where a_ij = 0
    part = limits[limits["target"] == "multipliers"]
    expected = np.fmin(part["tolerable_limit_up_pct"], part["tolerable_limit_down_pct"]).to_numpy().reshape(table.n, table.n)
    assert (expected[table.A != 0] > 100).any()
    expected = np.minimum(expected, 100.0)
    shown = np.ma.filled(image.astype(float), np.nan)
    np.testing.assert_allclose(shown[table.A != 0], expected[table.A != 0])
    assert np.isnan(shown[table.A == 0]).all()
    assert write_figure_atomic(fig, tmp_path / "i.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="no tolerable limits"):
        plot_importance(limits, zeroing, target="output")


# ---------------------------------------------------------------------------- interruption
def test_stale_temporaries_of_the_target_are_removed(tmp_path):
    from iouq.results import write_csv_atomic

    stale = tmp_path / ".out.csv.a1b2c3d4.tmp"
    stale.write_text("half a result")
    other = tmp_path / ".other.csv.a1b2c3d4.tmp"  # another target's temporary: not ours to remove
    other.write_text("x")
    lookalike = tmp_path / ".out.csv.backup"
    lookalike.write_text("y")
    write_csv_atomic(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
    assert not stale.exists() and other.exists() and lookalike.exists()
    assert (tmp_path / "out.csv").read_text() == "a\n1\n"


def test_sigterm_while_writing_leaves_no_temporary(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    code = f"""
import time
from iouq.results import _write_atomic
def slow(handle):
    handle.write(b"partial")
    handle.flush()
    time.sleep(60)
_write_atomic({str(tmp_path / 'r.csv')!r}, slow)
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".r.csv.*.tmp")):
        assert time.monotonic() < deadline and proc.poll() is None, "the writer never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
