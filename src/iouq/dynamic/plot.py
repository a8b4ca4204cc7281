"""Figure of the dynamic-multiplier paths with Monte Carlo bands and static / long-run levels."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["bands_frame", "plot_dynamic_multipliers"]


def bands_frame(table: pd.DataFrame, paths: dict, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Long table ``sector, period, time, point, mc_q025, mc_q500, mc_q975, static_type1, long_run,
    shock_start, shock_end`` from :func:`iouq.dynamic.analysis.multiplier_table`'s outputs
    (quantiles of the Monte Carlo paths period by period; times in model units)."""
    rows = []
    mc = paths["mc"]
    for j, sec in enumerate(table.sector):
        if mc.shape[1]:
            q = np.nanquantile(mc[j], [0.025, 0.5, 0.975], axis=0)
        else:
            q = np.full((3, paths["point"].shape[1]), np.nan)
        for p, t in enumerate(paths["time"]):
            rows.append((sec, p + 1, t, paths["point"][j, p], q[0, p], q[1, p], q[2, p],
                         table.static_type1.iloc[j], table.long_run.iloc[j], paths["shock_start"],
                         paths["shock_end"]))
    return pd.DataFrame(rows, columns=["sector", "period", "time", "point", "mc_q025", "mc_q500", "mc_q975",
                                       "static_type1", "long_run", "shock_start", "shock_end"])


def plot_dynamic_multipliers(bands: pd.DataFrame, title: str, names: dict[str, str] | None = None,
                             max_panels: int = 6):
    """One panel per shocked sector (at most ``max_panels``, the largest long-run multipliers)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    secs = list(dict.fromkeys(bands.sector))
    if len(secs) > max_panels:
        lr = bands.groupby("sector", sort=False).long_run.first()
        secs = list(lr.sort_values(ascending=False).index[:max_panels])
        title += f" ({max_panels} of {lr.size} sectors: largest long-run multipliers)"
    k = len(secs)
    ncols = min(3, k)
    nrows = int(np.ceil(k / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols + 0.6, 2.3 * nrows + 0.7), squeeze=False,
                             sharex=True)
    for ax, sec in zip(axes.ravel(), secs):
        b = bands[bands.sector == sec]
        q = b.period.to_numpy()
        per = float(b.time.iloc[0]) / float(b.period.iloc[0])
        ax.axvspan(b.shock_start.iloc[0] / per + 0.5, b.shock_end.iloc[0] / per + 0.5, color="0.92", lw=0,
                   label="shock active")
        if np.isfinite(b.mc_q025).any():
            ax.fill_between(q, b.mc_q025, b.mc_q975, color="tab:blue", alpha=0.25, lw=0, label="Monte Carlo 95% band")
        ax.plot(q, b.point, color="tab:blue", lw=1.6, label="dynamic (point)")
        ax.axhline(b.static_type1.iloc[0], color="k", ls=":", lw=1.2, label="static Type I")
        ax.axhline(b.long_run.iloc[0], color="tab:red", ls="--", lw=1.2, label="long run")
        label = (names or {}).get(str(sec), str(sec))
        ax.set_title(f"shock to {label}", fontsize=8)
        ax.tick_params(labelsize=7)
        if ax in axes[-1] or len(secs) <= ncols:
            ax.set_xlabel("reporting period (quarter)", fontsize=8)
        ax.set_xlim(0.5, q.max() + 0.5)
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel("cumulative output multiplier", fontsize=8)
        ax.grid(alpha=0.3, lw=0.5)
    for ax in axes.ravel()[k:]:
        ax.set_visible(False)
    h, lab = axes[0, 0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=5, fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    return fig
