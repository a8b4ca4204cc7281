"""Figures of the result tables.

The functions take the result tables (as written by the pipeline or returned by the library)
and return a :class:`matplotlib.figure.Figure` drawn on the non-interactive Agg canvas. They do
not touch :mod:`matplotlib.pyplot` or its global state, so they work headless and inside
notebooks alike; save with :func:`iouq.results.write_figure_atomic` or ``fig.savefig``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["relative_widths", "plot_interval_widths", "plot_jerrell_comparison", "plot_method_comparison",
           "plot_importance", "plot_lq_comparison", "plot_footprints"]

#: Colours and markers per method, shared by all figures.
METHOD_STYLE = {
    "published": {"color": "black", "marker": "s"},
    "naive": {"color": "tab:red", "marker": "v"},
    "sharp": {"color": "tab:blue", "marker": "o"},
    "verified": {"color": "tab:green", "marker": "^"},
}


def _new_figure(nrows: int, ncols: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).reshape(-1)
    return fig, axes


def relative_widths(intervals: Mapping[str, pd.DataFrame], point: pd.DataFrame) -> pd.DataFrame:
    """Relative widths ``(upper - lower) / |point value|`` of interval results.

    Parameters
    ----------
    intervals : mapping of str to DataFrame
        Tolerance (as spelled in the configuration, e.g. ``"0.01"``) to an interval table with
        columns ``sector, multiplier, method, lower, upper``.
    point : DataFrame
        Point multipliers: column ``sector`` and one column per multiplier.

    Returns
    -------
    DataFrame
        Columns ``tol`` (float), ``multiplier``, ``method``, ``sector``, ``relative_width``;
        rows whose point value is zero or undefined are dropped.
    """
    point_long = point.melt(id_vars="sector", var_name="multiplier", value_name="point")
    point_long["sector"] = point_long["sector"].astype(str)
    frames = []
    for tol, df in intervals.items():
        df = df.assign(sector=df["sector"].astype(str))
        merged = df.merge(point_long, on=["sector", "multiplier"], how="left", validate="many_to_one")
        scale = merged["point"].abs()
        merged["relative_width"] = (merged["upper"] - merged["lower"]) / scale.where(scale > 0)
        merged["tol"] = float(tol)
        frames.append(merged[["tol", "multiplier", "method", "sector", "relative_width"]])
    if not frames:
        return pd.DataFrame(columns=["tol", "multiplier", "method", "sector", "relative_width"])
    return pd.concat(frames, ignore_index=True).dropna(subset=["relative_width"])


def plot_interval_widths(
    intervals: Mapping[str, pd.DataFrame], point: pd.DataFrame, *, title: str | None = None
) -> Figure:
    """Median (over sectors) relative width of the enclosures against the tolerance.

    One panel per multiplier, one line per method, log-log axes; the dotted line is ``2 t``,
    the relative width of each coefficient's own interval. Tolerance 0 and zero widths cannot
    be shown on log axes and are left out.
    """
    rel = relative_widths(intervals, point)
    summary = (
        rel.groupby(["multiplier", "method", "tol"], sort=True)["relative_width"].median().reset_index()
    )
    shown = summary[(summary["tol"] > 0) & (summary["relative_width"] > 0)]
    multipliers = [m for m in point.columns if m != "sector" and m in set(summary["multiplier"])]
    ncols = min(2, max(1, len(multipliers)))
    nrows = max(1, -(-len(multipliers) // ncols))
    fig, axes = _new_figure(nrows, ncols, 5.0 * ncols, 3.6 * nrows)
    tols = np.array(sorted({float(t) for t in intervals if float(t) > 0}))
    for ax, multiplier in zip(axes, multipliers):
        part = shown[shown["multiplier"] == multiplier]
        for method, line in part.groupby("method", sort=False):
            style = METHOD_STYLE.get(method, {})
            ax.plot(line["tol"], line["relative_width"], label=method, **style)
        if len(tols):
            ax.plot(tols, 2 * tols, linestyle=":", color="grey", label="2·tol")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(multiplier)
        ax.set_xlabel("tolerance t")
        ax.set_ylabel("median relative width")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    for ax in axes[len(multipliers):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def plot_jerrell_comparison(
    comparison: pd.DataFrame,
    *,
    methods: Sequence[str] = ("published", "naive", "sharp"),
    title: str | None = "Jerrell (1995) published intervals vs recomputed enclosures",
    ylabel: str = "Type II income multiplier",
) -> Figure:
    """Intervals per sector, published by Jerrell (1995) next to the recomputed ones.

    ``comparison`` is the table of :func:`iouq.interval.jerrell_comparison` (columns
    ``sector, tol`` and ``<method>_lower``, ``<method>_upper``). One panel per tolerance; each
    sector shows a vertical bar from lower to upper bound per method, side by side.
    """
    tols = sorted(comparison["tol"].unique(), key=float)
    fig, axes = _new_figure(len(tols), 1, 9.0, 2.8 * max(1, len(tols)))
    offsets = np.linspace(-0.25, 0.25, len(methods)) if len(methods) > 1 else np.zeros(1)
    for ax, tol in zip(axes, tols):
        part = comparison[comparison["tol"] == tol].reset_index(drop=True)
        x = np.arange(len(part))
        for offset, method in zip(offsets, methods):
            lower, upper = part[f"{method}_lower"].to_numpy(float), part[f"{method}_upper"].to_numpy(float)
            style = METHOD_STYLE.get(method, {})
            ax.vlines(x + offset, lower, upper, color=style.get("color"), linewidth=2.5, label=method)
            ax.plot(x + offset, (lower + upper) / 2, linestyle="none", markersize=3, **style)
        ax.set_xticks(x, part["sector"].astype(str))
        ax.set_title(f"tolerance {tol:g}" if isinstance(tol, float) else f"tolerance {tol}")
        ax.set_ylabel(ylabel)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize="small", ncols=len(methods))
    axes[-1].set_xlabel("sector")
    if title:
        fig.suptitle(title)
    return fig


#: Line styles of the density methods in :func:`plot_method_comparison`.
DENSITY_STYLE = {
    "montecarlo_kde": {"linestyle": "-", "linewidth": 1.8},
    "perturbation_edgeworth": {"linestyle": "--", "linewidth": 1.4},
    "perturbation_normal": {"linestyle": ":", "linewidth": 1.2},
    "pce": {"linestyle": "-.", "linewidth": 1.4},
}
DISTRIBUTION_COLOR = {"uniform": "tab:blue", "beta": "tab:purple", "normal": "tab:orange",
                      "lognormal": "tab:brown", "dirichlet": "tab:olive"}


def plot_method_comparison(
    densities: pd.DataFrame,
    intervals: pd.DataFrame,
    *,
    multipliers: Sequence[str] = ("output_type1", "income_type2"),
    distribution: str | None = None,
    max_sectors: int = 4,
    title: str | None = None,
) -> Figure:
    """The three families side by side: multiplier densities inside their interval enclosures.

    One row per multiplier (those of ``multipliers`` present in ``densities``), one panel per
    sector (the first ``max_sectors`` sectors with densities, i.e. the largest coefficients of
    variation). Each panel shows, for the main ``distribution`` (default: the first in the
    table), the Monte Carlo kernel density, the perturbation (Edgeworth and normal) densities and
    the PCE-surrogate density; the Monte Carlo densities of the other distributions as thin
    lines; the sharp (else verified) interval hull shaded and the naive interval as dashed lines.

    Parameters
    ----------
    densities : DataFrame
        Long table ``sector, multiplier, method, distribution, x, density``.
    intervals : DataFrame
        Interval results ``sector, multiplier, method, lower, upper`` of the same tolerance.
    """
    dens = densities.copy()
    dens["sector"] = dens["sector"].astype(str)
    iv = intervals.copy()
    iv["sector"] = iv["sector"].astype(str)
    mults = [m for m in multipliers if m in set(dens["multiplier"])]
    if not mults and len(dens):
        raise ValueError("no densities of the requested multipliers")
    if not mults:
        # every distribution is a point mass (tolerance 0): nothing to draw but the statement
        fig, axes = _new_figure(1, 1, 5.0, 1.6)
        ax = axes.reshape(-1)[0]
        ax.axis("off")
        ax.text(0.5, 0.5, "No densities: at this tolerance every multiplier is a point\n"
                "(degenerate distribution; the interval hull is the point too).",
                ha="center", va="center", fontsize="medium", transform=ax.transAxes)
        if title:
            fig.suptitle(title)
        return fig
    dists = list(dict.fromkeys(dens["distribution"]))
    main = distribution if distribution is not None else dists[0]
    ncols = max(1, min(max_sectors, max(dens.loc[dens["multiplier"] == m, "sector"].nunique() for m in mults)))
    fig, axes = _new_figure(len(mults), ncols, 3.2 * ncols, 2.6 * len(mults))
    axes = axes.reshape(len(mults), ncols)
    for r, mult in enumerate(mults):
        part = dens[dens["multiplier"] == mult]
        sectors = list(dict.fromkeys(part["sector"]))[:ncols]
        for c in range(ncols):
            ax = axes[r, c]
            if c >= len(sectors):
                ax.set_visible(False)
                continue
            sec = sectors[c]
            cur = part[part["sector"] == sec]
            for method, style in DENSITY_STYLE.items():
                d = cur[(cur["method"] == method) & (cur["distribution"] == main)]
                if len(d):
                    ax.plot(d["x"], d["density"], color=DISTRIBUTION_COLOR.get(main, "black"),
                            label=f"{method} ({main})", **style)
            for dist in dists:
                if dist == main:
                    continue
                d = cur[(cur["method"] == "montecarlo_kde") & (cur["distribution"] == dist)]
                if len(d):
                    ax.plot(d["x"], d["density"], color=DISTRIBUTION_COLOR.get(dist, "grey"), linewidth=0.9,
                            label=f"montecarlo_kde ({dist})")
            box = iv[(iv["multiplier"] == mult) & (iv["sector"] == sec)]
            hull = box[box["method"] == "sharp"] if (box["method"] == "sharp").any() else box[box["method"] == "verified"]
            if len(hull):
                ax.axvspan(float(hull["lower"].iloc[0]), float(hull["upper"].iloc[0]), color="tab:green", alpha=0.12,
                           label=f"interval hull ({hull['method'].iloc[0]})")
            naive = box[box["method"] == "naive"]
            if len(naive):
                for v in (float(naive["lower"].iloc[0]), float(naive["upper"].iloc[0])):
                    ax.axvline(v, color=METHOD_STYLE["naive"]["color"], linestyle="--", linewidth=1.0)
                ax.plot([], [], color=METHOD_STYLE["naive"]["color"], linestyle="--", label="naive interval")
            ax.set_title(f"{mult}, sector {sec}", fontsize="small")
            ax.set_yticks([])
            ax.tick_params(labelsize="x-small")
    handles, labels = {}, []
    for ax in axes.reshape(-1):
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    fig.legend([handles[lab] for lab in labels], labels, loc="outside lower center", ncols=min(4, len(labels)),
               fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def plot_importance(
    limits: pd.DataFrame,
    zeroing: pd.DataFrame,
    *,
    target: str = "multipliers",
    p: float | None = None,
    title: str | None = None,
) -> Figure:
    """Which coefficients matter: tolerable limits as a matrix, and the zeroing experiment.

    Left: ``min(r+, r-)`` (percent of ``|a_ij|``) of every coefficient for ``target``, on a log
    colour scale (small = important; zero coefficients blank). Right: the largest and the median
    absolute change of each multiplier (percent) when every coefficient below a cut-off is set
    to zero, against the cut-off, with the share of non-zero coefficients dropped.

    Parameters
    ----------
    limits : DataFrame
        ``results/{dataset}/importance/tol-{tol}.csv`` (columns ``row, col, target,
        tolerable_limit_up_pct, tolerable_limit_down_pct``, row-major).
    zeroing : DataFrame
        ``results/{dataset}/importance/zeroing.csv``.
    """
    from matplotlib.colors import LogNorm

    part = limits[limits["target"] == target]
    if part.empty:
        raise ValueError(f"no tolerable limits for target '{target}'")
    codes = list(dict.fromkeys(part["row"].astype(str)))
    n = len(codes)
    r = np.fmin(part["tolerable_limit_up_pct"].to_numpy(float), part["tolerable_limit_down_pct"].to_numpy(float))
    R = r.reshape(n, n)
    fig, axes = _new_figure(1, 2, 11.0, 4.6)
    ax = axes[0]
    finite = R[np.isfinite(R) & (R > 0)]
    lo = max(float(finite.min()), 1e-2) if finite.size else 1e-2
    hi = max(float(finite.max()), lo * 10) if finite.size else 1e2
    img = ax.imshow(np.where(np.isfinite(R) & (R > 0), R, np.nan), norm=LogNorm(vmin=lo, vmax=hi), cmap="viridis",
                    interpolation="nearest")
    fig.colorbar(img, ax=ax, shrink=0.85, label="min(r+, r−), % of |a_ij|" + (f" (p = {p:g}%)" if p else ""))
    if n <= 20:
        ax.set_xticks(range(n), codes, rotation=90, fontsize="x-small")
        ax.set_yticks(range(n), codes, fontsize="x-small")
    ax.set_xlabel("column j (purchasing sector)")
    ax.set_ylabel("row i (supplying sector)")
    ax.set_title(f"tolerable limits, target: {target}", fontsize="small")
    ax = axes[1]
    tw = ax.twinx()
    for k, (mult, z) in enumerate(zeroing.groupby("multiplier", sort=False)):
        g = z.groupby("cutoff")
        change = g["change_pct"].apply(lambda c: c.abs().max())
        med = g["change_pct"].apply(lambda c: c.abs().median())
        colour = f"C{k}"
        pos = lambda v: np.where(v > 0, v, np.nan)  # noqa: E731  (log axis: no change is not drawn)
        ax.plot(change.index, pos(change.to_numpy()), color=colour, marker="o", label=f"{mult}: max |change|")
        ax.plot(med.index, pos(med.to_numpy()), color=colour, linestyle="--", label=f"{mult}: median |change|")
        if k == 0:
            share = g["zeroed_share"].first()
            tw.plot(share.index, 100 * share.to_numpy(), color="grey", linestyle=":", label="coefficients dropped")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cut-off: coefficients below it set to zero")
    ax.set_ylabel("change of the multipliers, %")
    tw.set_ylabel("non-zero coefficients dropped, %", color="grey")
    tw.set_ylim(0, 100)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = tw.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize="x-small", loc="upper left")
    ax.set_title("zeroing experiment (Jensen & West)", fontsize="small")
    ax.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig


#: Colours and markers of the location-quotient methods in :func:`plot_lq_comparison`.
LQ_STYLE = {
    "national": {"color": "black", "marker": "s", "label": "national table"},
    "slq": {"color": "tab:red", "marker": "v", "label": "SLQ"},
    "cilq": {"color": "tab:orange", "marker": "^", "label": "CILQ"},
    "flq": {"color": "tab:blue", "marker": "o", "label": "FLQ"},
    "aflq": {"color": "tab:green", "marker": "D", "label": "AFLQ"},
}


def plot_lq_comparison(comparison: pd.DataFrame, *, title: str | None = None, delta: float | None = None,
                       delta_range: Sequence[float] | None = None) -> Figure:
    """Regional output multipliers per sector under every location-quotient method.

    ``comparison`` is the table of :func:`iouq.regional.lq_comparison`. One panel per output
    multiplier (Type I, Type II); per sector a marker per method (and the national value), and a
    vertical bar for the FLQ/AFLQ range over the delta range when the table has
    ``flq_lower``/``flq_upper`` (``aflq_...``) columns.
    """
    mults = list(dict.fromkeys(comparison["multiplier"]))
    methods = [m for m in ("national", "slq", "cilq", "flq", "aflq") if m in comparison.columns]
    n = int((comparison["multiplier"] == mults[0]).sum())
    fig, axes = _new_figure(len(mults), 1, max(6.5, 0.45 * n + 2.0), 2.9 * len(mults) + 0.6)
    offsets = np.linspace(-0.3, 0.3, len(methods))
    rng_label = "" if delta_range is None else f" (bar: δ in [{delta_range[0]:g}, {delta_range[1]:g}])"
    for ax, mult in zip(axes, mults):
        part = comparison[comparison["multiplier"] == mult].reset_index(drop=True)
        x = np.arange(len(part))
        for off, m in zip(offsets, methods):
            st = LQ_STYLE[m]
            label = st["label"] + (rng_label if m in ("flq", "aflq") and f"{m}_lower" in part else "")
            ax.plot(x + off, part[m].to_numpy(float), linestyle="none", marker=st["marker"], color=st["color"],
                    markersize=4, label=label)
            if f"{m}_lower" in part:
                ax.vlines(x + off, part[f"{m}_lower"].to_numpy(float), part[f"{m}_upper"].to_numpy(float),
                          color=st["color"], linewidth=1.5)
        ax.set_xticks(x, part["sector"].astype(str), rotation=90 if n > 20 else 0, fontsize="small")
        ax.set_ylabel(f"{mult.replace('_', ' ')}\nmultiplier", fontsize="small")
        ax.grid(True, axis="y", alpha=0.3)
    axes[0].legend(fontsize="small", ncols=min(len(methods), 5), loc="lower left", bbox_to_anchor=(0, 1.02))
    axes[-1].set_xlabel("sector")
    if title:
        sub = "" if delta is None else f", FLQ/AFLQ at δ = {delta:g}"
        fig.suptitle(title + sub, fontsize="medium")
    return fig


def plot_footprints(summary: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Uncertainty of every region's footprint: interval hull and Monte Carlo 95% range.

    ``summary`` is the table of :func:`iouq.mrio.footprint_summary`. One panel per account; per
    region the interval bounds (thick bar; solid when ``exact``, dashed when ``enclosure``) and
    the Monte Carlo 2.5-97.5% range (thin bar), both as percent deviation from the point
    footprint (0 = the point value), so that regions of very different size share one scale.
    """
    accounts = list(dict.fromkeys(summary["account"]))
    regions = list(dict.fromkeys(summary["region"]))
    ncols = min(3, len(accounts))
    nrows = -(-len(accounts) // ncols)
    fig, axes = _new_figure(nrows, ncols, max(6.5, 3.2 * ncols), 2.8 * nrows + 0.5)
    x = np.arange(len(regions))
    for ax, acc in zip(axes, accounts):
        part = summary[summary["account"] == acc].set_index("region").loc[regions]
        point = part["footprint"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = {c: 100 * (part[c].to_numpy(float) / point - 1) for c in ("lower", "upper", "mc_q025", "mc_q975")}
        exact = (part["exactness"] == "exact").to_numpy()
        for mask, ls, lab in ((exact, "-", "interval hull (exact)"), (~exact, "--", "interval enclosure")):
            if mask.any():
                ax.vlines(x[mask] - 0.12, rel["lower"][mask], rel["upper"][mask], color="tab:blue", linewidth=4,
                          linestyles=ls, label=lab)
        ax.vlines(x + 0.12, rel["mc_q025"], rel["mc_q975"], color="tab:orange", linewidth=1.8,
                  label="Monte Carlo 95% (log-normal)")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(x, regions, fontsize="small", rotation=90 if len(regions) > 8 else 0)
        ax.set_title(acc, fontsize="small")
        ax.set_ylabel("deviation from the point footprint, %", fontsize="small")
        ax.grid(True, axis="y", alpha=0.3)
    for ax in axes[len(accounts):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize="small")
    if title:
        fig.suptitle(title, fontsize="medium")
    return fig
