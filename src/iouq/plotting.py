"""Figures of the result tables.

The functions take the result tables (as written by the pipeline or returned by the library)
and return a :class:`matplotlib.figure.Figure` drawn on the non-interactive Agg canvas in the
style of :mod:`iouq.plotstyle` (3.5 in or 7 in wide, fonts >= 7 pt at that size, human labels).
They do not touch :mod:`matplotlib.pyplot` or its global state, so they work headless and
inside notebooks alike; save with :func:`iouq.plotstyle.write_figure` (PNG and PDF) or
:func:`iouq.results.write_figure_atomic`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import plotstyle as ps
from .compare import is_reduced_model, select_sectors

__all__ = ["relative_widths", "plot_interval_widths", "plot_jerrell_comparison", "plot_method_comparison",
           "plot_importance", "plot_lq_comparison", "plot_footprints", "plot_cross_family",
           "plot_width_tolerance", "plot_variance_share", "density_sector_order", "pce_legend_label"]

#: Colours and markers per method, shared by all figures (see :data:`iouq.plotstyle.METHOD_STYLE`).
METHOD_STYLE = ps.METHOD_STYLE


def _new_figure(nrows: int, ncols: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    fig, axes = ps.new_figure(nrows, ncols, width, height)
    return fig, axes.reshape(-1)


def _shared_legend(fig: Figure, axes: Sequence, ncols: int = 3) -> None:
    handles: dict[str, object] = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=min(ncols, len(handles)))


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


def _loglog_panel(ax, tols: np.ndarray, multiplier: str) -> None:
    if len(tols):
        ax.plot(tols, 2 * tols, linestyle=":", color="grey", linewidth=0.8, label="2·t (one coefficient's box)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(ps.label(multiplier))
    ax.set_xlabel("tolerance t")
    ax.set_ylabel("median relative width")
    ax.grid(True, which="major")


@ps.styled
def plot_interval_widths(
    intervals: Mapping[str, pd.DataFrame], point: pd.DataFrame, *, title: str | None = None
) -> Figure:
    """Median (over sectors) relative width of the enclosures against the tolerance.

    One panel per multiplier, one line per method, log-log axes, one shared legend; sharp and
    verified (which coincide to within rounding) are drawn with different markers and dashes.
    The dotted line is ``2 t``, the relative width of each coefficient's own interval. Tolerance
    0 and zero widths cannot be shown on log axes and are left out.
    """
    rel = relative_widths(intervals, point)
    summary = (
        rel.groupby(["multiplier", "method", "tol"], sort=True)["relative_width"].median().reset_index()
    )
    shown = summary[(summary["tol"] > 0) & (summary["relative_width"] > 0)]
    multipliers = [m for m in point.columns if m != "sector" and m in set(summary["multiplier"])]
    ncols = min(2, max(1, len(multipliers)))
    nrows = max(1, -(-len(multipliers) // ncols))
    fig, axes = _new_figure(nrows, ncols, ps.DOUBLE if ncols > 1 else ps.SINGLE, 2.3 * nrows + 0.5)
    tols = np.array(sorted({float(t) for t in intervals if float(t) > 0}))
    for ax, multiplier in zip(axes, multipliers):
        part = shown[shown["multiplier"] == multiplier]
        for method, line in part.groupby("method", sort=False):
            ax.plot(line["tol"], line["relative_width"], label=ps.label(method), **ps.style_of(method))
        _loglog_panel(ax, tols, multiplier)
    return _finish_panels(fig, axes, len(multipliers), ncols=4, title=title)


def _finish_panels(fig: Figure, axes, used: int, *, ncols: int, title: str | None) -> Figure:
    """Hide the panels beyond the first ``used``, add one shared legend and the title."""
    for ax in axes[used:]:
        ax.set_visible(False)
    _shared_legend(fig, axes[:used], ncols=ncols)
    if title:
        fig.suptitle(title)
    return fig


@ps.styled
def plot_jerrell_comparison(
    comparison: pd.DataFrame,
    *,
    methods: Sequence[str] = ("published", "naive", "sharp"),
    point: Mapping[str, float] | pd.Series | None = None,
    title: str | None = "Jerrell (1995) published intervals vs recomputed enclosures",
    ylabel: str = "Type II income multiplier",
) -> Figure:
    """Intervals per sector, published by Jerrell (1995) next to the recomputed ones.

    ``comparison`` is the table of :func:`iouq.interval.jerrell_comparison` (columns
    ``sector, tol`` and ``<method>_lower``, ``<method>_upper``). One panel per tolerance; each
    sector shows a vertical bar from lower to upper bound per method, side by side. With
    ``point`` (sector code to the point multiplier) the bounds are drawn as percent deviation
    from the point, so every tolerance reads on a comparable axis; otherwise on the multiplier's
    own scale. The sharp/naive width ratio (column ``sharp_naive_width_ratio``) is written above
    each sector.
    """
    tols = sorted(comparison["tol"].unique(), key=float)
    fig, axes = _new_figure(len(tols), 1, ps.DOUBLE, 1.9 * max(1, len(tols)) + 0.5)
    offsets = np.linspace(-0.25, 0.25, len(methods)) if len(methods) > 1 else np.zeros(1)
    pt = None if point is None else pd.Series(point, dtype=float).rename(index=str)
    for ax, tol in zip(axes, tols):
        part = comparison[comparison["tol"] == tol].reset_index(drop=True)
        sectors = part["sector"].astype(str)
        x = np.arange(len(part))
        ref = pt.reindex(sectors).to_numpy(float) if pt is not None else None
        tops = []
        for offset, method in zip(offsets, methods):
            lower, upper = part[f"{method}_lower"].to_numpy(float), part[f"{method}_upper"].to_numpy(float)
            if ref is not None:
                lower, upper = 100 * (lower - ref) / np.abs(ref), 100 * (upper - ref) / np.abs(ref)
            tops.append(upper)
            style = ps.style_of(method)
            ax.vlines(x + offset, lower, upper, color=style.get("color"), linewidth=3.0, label=ps.label(method))
        if "sharp_naive_width_ratio" in part:
            top = np.nanmax(np.vstack(tops), axis=0)
            for xi, yi, ratio in zip(x, top, part["sharp_naive_width_ratio"].to_numpy(float)):
                ax.annotate(f"sharp/naive {ratio:.2f}", (xi, yi), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=7)
        if ref is not None:
            ax.axhline(0, color="black", linewidth=0.6)
        ax.margins(y=0.25)
        ax.set_xticks(x, sectors)
        ax.set_title(f"tolerance ±{100 * float(tol):g}%")
        ax.set_ylabel("deviation from point, %" if ref is not None else ylabel)
        ax.grid(True, axis="y")
    axes[-1].set_xlabel("sector")
    _shared_legend(fig, axes, ncols=len(methods))
    if title:
        fig.suptitle(title + (f" ({ylabel})" if ref is not None else ""))
    return fig


#: Line styles of the density methods in :func:`plot_method_comparison`.
DENSITY_STYLE = {
    "montecarlo_kde": {"linestyle": "-", "linewidth": 1.6},
    "perturbation_edgeworth": {"linestyle": "--", "linewidth": 1.2},
    "perturbation_normal": {"linestyle": ":", "linewidth": 1.2},
    "pce": {"linestyle": "-.", "linewidth": 1.2},
}
DISTRIBUTION_COLOR = ps.DISTRIBUTION_COLOR


def density_sector_order(densities: pd.DataFrame, multiplier: str,
                         summary: pd.DataFrame | None = None, distribution: str | None = None) -> list[str]:
    """Sectors with densities of ``multiplier``, largest coefficient of variation first.

    With ``summary`` (``results/{dataset}/stochastic/tol-{tol}.csv``) the CV is ``sd / |mean|``
    of its Monte Carlo rows (perturbation rows when there is no Monte Carlo) of ``distribution``
    (default: the first distribution of the densities); without it, the order of the densities
    table (which the library writes in CV order).
    """
    part = densities[densities["multiplier"] == multiplier]
    sectors = list(dict.fromkeys(part["sector"].astype(str)))
    if summary is None or summary.empty:
        return sectors
    dist = distribution if distribution is not None else str(part["distribution"].iloc[0])
    st = summary.assign(sector=summary["sector"].astype(str))
    st = st[(st["multiplier"] == multiplier) & (st["distribution"] == dist) & st["sector"].isin(sectors)]
    for method in ("montecarlo", "perturbation"):
        rows = st[st["method"] == method]
        if len(rows):
            cv = (rows["sd"] / rows["mean"].abs()).fillna(-np.inf).to_numpy()
            order = np.argsort(-cv, kind="stable")
            ranked = rows["sector"].to_numpy()[order].tolist()
            return ranked + [s for s in sectors if s not in ranked]
    return sectors


@ps.styled
def plot_method_comparison(
    densities: pd.DataFrame,
    intervals: pd.DataFrame,
    *,
    multipliers: Sequence[str] = ("output_type1", "income_type2"),
    distribution: str | None = None,
    max_sectors: int = 4,
    summary: pd.DataFrame | None = None,
    pce_label: str | None = None,
    title: str | None = None,
) -> Figure:
    """The three families side by side: multiplier densities inside their interval enclosures.

    One row per multiplier (those of ``multipliers`` present in ``densities``), one panel per
    sector: the ``max_sectors`` sectors with the largest coefficient of variation, in that order
    (:func:`density_sector_order`; pass the stochastic ``summary`` to rank by it). Each panel
    shows, for the main ``distribution`` (default: the first in the table), the Monte Carlo
    kernel density, the perturbation (Edgeworth and normal) densities and the PCE-surrogate
    density (labelled ``pce_label``, e.g. with the number of coefficients it expands); the Monte
    Carlo densities of the other distributions as thin lines; the sharp (else verified) interval
    hull shaded and the naive interval as dashed lines. The y axis is the probability density.

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
    fig, axes = _new_figure(len(mults), ncols, ps.DOUBLE, 1.75 * len(mults) + 0.9)
    axes = axes.reshape(len(mults), ncols)
    for r, mult in enumerate(mults):
        part = dens[dens["multiplier"] == mult]
        sectors = density_sector_order(dens, mult, summary, main)[:ncols]
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
                    name = pce_label if (method == "pce" and pce_label) else ps.label(method)
                    ax.plot(d["x"], d["density"], color=DISTRIBUTION_COLOR.get(main, "black"),
                            label=f"{name} ({main})", **style)
            for dist in dists:
                if dist == main:
                    continue
                d = cur[(cur["method"] == "montecarlo_kde") & (cur["distribution"] == dist)]
                if len(d):
                    ax.plot(d["x"], d["density"], color=DISTRIBUTION_COLOR.get(dist, "grey"), linewidth=0.9,
                            label=f"Monte Carlo ({dist})")
            box = iv[(iv["multiplier"] == mult) & (iv["sector"] == sec)]
            hull = box[box["method"] == "sharp"] if (box["method"] == "sharp").any() else box[box["method"] == "verified"]
            if len(hull):
                ax.axvspan(float(hull["lower"].iloc[0]), float(hull["upper"].iloc[0]), color="#2ca02c", alpha=0.12,
                           label=ps.label(str(hull["method"].iloc[0])))
            naive = box[box["method"] == "naive"]
            if len(naive):
                for v in (float(naive["lower"].iloc[0]), float(naive["upper"].iloc[0])):
                    ax.axvline(v, color=METHOD_STYLE["naive"]["color"], linestyle="--", linewidth=0.9)
                ax.plot([], [], color=METHOD_STYLE["naive"]["color"], linestyle="--", label=ps.label("naive"))
            ax.set_title(f"sector {sec}")
            ax.xaxis.set_major_locator(MaxNLocator(3))
            ax.yaxis.set_major_locator(MaxNLocator(3))
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
            if c == 0:
                ax.set_ylabel(f"density\n{ps.label(mult)}")
    for ax in axes[-1]:
        if ax.get_visible():
            ax.set_xlabel("multiplier value")
    _shared_legend(fig, axes.reshape(-1), ncols=3)
    if title:
        fig.suptitle(title)
    return fig


@ps.styled
def plot_importance(
    limits: pd.DataFrame,
    zeroing: pd.DataFrame,
    *,
    target: str = "multipliers",
    p: float | None = None,
    cutoff: float | None = 20.0,
    clip: float = 100.0,
    title: str | None = None,
) -> Figure:
    """Which coefficients matter: tolerable limits as a matrix, and the zeroing experiment.

    Left: ``min(r+, r-)`` (percent of ``|a_ij|``) of every coefficient for ``target``, on a log
    colour scale clipped at ``clip`` percent (larger limits, all unimportant, share the top
    colour; small = important; zero coefficients blank), the importance ``cutoff`` marked on the
    colour bar, sector codes on tables of up to 20 sectors. Right: the largest and the median
    absolute change of each multiplier (percent) when every coefficient below a cut-off is set
    to zero, against the cut-off (markers at the computed cut-offs), with the share of non-zero
    coefficients dropped.

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
    fig, axes = _new_figure(1, 2, ps.DOUBLE, 3.3)
    ax = axes[0]
    shown = np.isfinite(R) & (R > 0) | np.isposinf(R)
    finite = R[np.isfinite(R) & (R > 0)]
    lo = min(max(float(finite.min()), 1e-2), clip / 10) if finite.size else clip / 100
    img = ax.imshow(np.where(shown, np.minimum(R, clip), np.nan), norm=LogNorm(vmin=lo, vmax=clip), cmap="viridis",
                    interpolation="nearest")
    marked = cutoff is not None and lo < cutoff < clip
    bar = fig.colorbar(img, ax=ax, shrink=0.85, extend="max",
                       label=f"min(r+, r−), % of |a_ij| (clipped at {clip:g}%)"
                       + (f"\np = {p:g}%" if p else "") + (f"; red: cut-off {cutoff:g}%" if marked else ""))
    if marked:
        bar.ax.axhline(cutoff, color="red", linewidth=1.5)
    if n <= 20:
        ax.set_xticks(range(n), codes, rotation=90)
        ax.set_yticks(range(n), codes)
    where = "" if n <= 20 else ", position in the table"
    ax.set_xlabel(f"column j (purchasing sector{where})")
    ax.set_ylabel(f"row i (supplying sector{where})")
    ax.set_title(f"tolerable limits, target: {target}")
    ax = axes[1]
    tw = ax.twinx()
    markers = "osD^v"
    for k, (mult, z) in enumerate(zeroing.groupby("multiplier", sort=False)):
        g = z.groupby("cutoff")
        change = g["change_pct"].apply(lambda c: c.abs().max())
        med = g["change_pct"].apply(lambda c: c.abs().median())
        colour = f"C{k}"
        pos = lambda v: np.where(v > 0, v, np.nan)  # noqa: E731  (log axis: no change is not drawn)
        ax.plot(change.index, pos(change.to_numpy()), color=colour, marker=markers[k % 5],
                label=f"{ps.label(mult)}: max")
        ax.plot(med.index, pos(med.to_numpy()), color=colour, marker=markers[k % 5], markerfacecolor="none",
                linestyle="--", label=f"{ps.label(mult)}: median")
        if k == 0:
            share = g["zeroed_share"].first()
            tw.plot(share.index, 100 * share.to_numpy(), color="grey", linestyle=":", marker=".",
                    label="coefficients dropped (right axis)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cut-off: coefficients below it set to zero")
    ax.set_ylabel("|change| of the multipliers, %")
    tw.set_ylabel("non-zero coefficients dropped, %", color="grey")
    tw.set_ylim(0, 100)
    tw.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = tw.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=7)
    ax.set_title("zeroing experiment (Jensen & West)")
    ax.grid(True)
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
#: Stochastic methods drawn as ranges in :func:`plot_cross_family`.
_CROSS_INTERVAL = ("naive", "sharp", "verified")


@ps.styled
def plot_cross_family(
    comparison: pd.DataFrame,
    *,
    multipliers: Sequence[str] = ("output_type1", "income_type2"),
    max_sectors: int = 4,
    distribution: str | None = None,
    pce_label: str | None = None,
    title: str | None = None,
) -> Figure:
    """The three families side by side as ranges, in percent deviation from the point.

    One panel per multiplier (those of ``multipliers`` in ``comparison``); for the ``max_sectors``
    sectors with the largest coefficient of variation (in that order, top first;
    :func:`iouq.compare.select_sectors`), one horizontal bar per method: naive, sharp and verified
    intervals, the perturbation and PCE 95% ranges of the main ``distribution`` (default the
    first), the Monte Carlo 95% range of every distribution and the Monte Carlo range (smallest
    to largest draw) of the main one as a thin line. x = ``100 (bound - point) / |point|``, so
    every tolerance reads on comparable axes; the point is the vertical line at 0.

    Parameters
    ----------
    comparison : DataFrame
        The table of :func:`iouq.compare.comparison_table`.
    pce_label : str, optional
        Legend label of the PCE bar (e.g. with the number of coefficients it expands).
    """
    comp = comparison.copy()
    comp["sector"] = comp["sector"].astype(str)
    mults = [m for m in multipliers if m in set(comp["multiplier"])]
    if not mults:
        raise ValueError("no comparison rows of the requested multipliers")
    dists = [d for d in dict.fromkeys(comp.loc[comp["family"] == "stochastic", "distribution"]) if d]
    main = distribution if distribution is not None else (dists[0] if dists else "")
    entries: list[tuple[str, str, str]] = []  # (method, distribution, label)
    present = set(zip(comp["method"], comp["distribution"].fillna("")))
    for m in _CROSS_INTERVAL:
        if (m, "") in present:
            entries.append((m, "", ps.label(m)))
    if ("perturbation", main) in present:
        entries.append(("perturbation", main, ps.label("perturbation", main)))
    for meth in sorted({m for m, d in present if d == main and (m == "pce" or is_reduced_model(m))}):
        entries.append((meth, main, f"{pce_label} ({main})" if pce_label else ps.label(meth, main)))
    for d in dists:
        if ("montecarlo", d) in present:
            entries.append(("montecarlo", d, ps.label("montecarlo", d)))
    if ("montecarlo_range", main) in present:
        entries.append(("montecarlo_range", main, ps.label("montecarlo_range", main)))
    per = len(entries)
    nsec = max(len(select_sectors(comp, m, max_sectors)) for m in mults)
    height = 0.9 + nsec * (per * 0.085 + 0.12)
    fig, axes = _new_figure(1, len(mults), ps.DOUBLE if len(mults) > 1 else ps.SINGLE, height)
    for ax, mult in zip(axes, mults):
        sectors = select_sectors(comp, mult, max_sectors)
        yticks, ylabels = [], []
        for i, sec in enumerate(sectors):
            rows = comp[(comp["multiplier"] == mult) & (comp["sector"] == sec)]
            base = i * (per + 1.5)
            for j, (meth, dist, lab) in enumerate(entries):
                r = rows[(rows["method"] == meth) & (rows["distribution"].fillna("") == dist)]
                y = base + j
                if r.empty:
                    continue
                pt = float(r["point"].iloc[0])
                lo, hi = (100 * (float(r[c].iloc[0]) - pt) / abs(pt) for c in ("lower", "upper"))
                style = ps.style_of(meth)
                colour = ps.DISTRIBUTION_COLOR.get(dist, style["color"]) if meth == "montecarlo" else style["color"]
                if meth == "montecarlo_range":
                    ax.errorbar([(lo + hi) / 2], [y], xerr=[[(hi - lo) / 2], [(hi - lo) / 2]], fmt="none",
                                ecolor=colour, elinewidth=0.9, capsize=2, label=lab)
                else:
                    ax.barh(y, hi - lo, left=lo, height=0.75, color=colour,
                            alpha=0.55 if meth == "verified" else 0.9,
                            hatch="////" if meth == "verified" else None, edgecolor=colour, linewidth=0.4,
                            label=lab)
            yticks.append(base + (per - 1) / 2)
            ylabels.append(f"sector {sec}")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(yticks, ylabels)
        ax.invert_yaxis()
        ax.set_xlabel("deviation from the point multiplier, %")
        ax.set_title(ps.label(mult))
        ax.grid(True, axis="x")
        ax.xaxis.set_major_locator(MaxNLocator(5))
    _shared_legend(fig, axes, ncols=3)
    if title:
        fig.suptitle(title)
    return fig


@ps.styled
def plot_width_tolerance(summary: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Median relative width against the tolerance, every method of every family, log–log.

    ``summary`` is ``results/summary/widths.csv`` restricted to one dataset. One panel per
    multiplier, one line per (method, distribution): the interval methods and, for the first
    distribution, perturbation, Monte Carlo and PCE in their method colours; the Monte Carlo
    95% ranges of the other distributions in their distribution colours. Sharp and verified
    differ in marker and dash (they coincide to within rounding). One shared legend.
    """
    s = summary.copy()
    s["tol_f"] = s["tol"].astype(float)
    s = s[(s["tol_f"] > 0) & (s["median_rel_width"] > 0)]
    s["distribution"] = s["distribution"].fillna("")
    mults = list(dict.fromkeys(s["multiplier"]))
    if not mults:
        raise ValueError("no positive widths to draw")
    dists = [d for d in dict.fromkeys(s.loc[s["family"] == "stochastic", "distribution"]) if d]
    main = dists[0] if dists else ""
    ncols = min(2, len(mults))
    nrows = -(-len(mults) // ncols)
    fig, axes = _new_figure(nrows, ncols, ps.DOUBLE if ncols > 1 else ps.SINGLE, 2.2 * nrows + 1.0)
    tols = np.array(sorted(s["tol_f"].unique()))
    for ax, mult in zip(axes, mults):
        part = s[s["multiplier"] == mult]
        for (fam, meth, dist), line in part.groupby(["family", "method", "distribution"], sort=False):
            line = line.sort_values("tol_f")
            style = ps.style_of(meth)
            if fam == "stochastic" and dist != main:
                if meth != "montecarlo":
                    continue
                style = {"color": ps.DISTRIBUTION_COLOR.get(dist, "grey"), "marker": "^", "linestyle": "--",
                         "linewidth": 0.9}
            ax.plot(line["tol_f"], line["median_rel_width"], label=ps.label(meth, dist or None), **style)
        _loglog_panel(ax, tols, mult)
    return _finish_panels(fig, axes, len(mults), ncols=3, title=title)


@ps.styled
def plot_variance_share(top: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Cumulative first-order variance share of the k most important coefficients against k.

    ``top`` is ``results/{dataset}/compare/importance_top.csv``: one line (with markers) per
    ranking. How few coefficients carry most of the multipliers' variance — those deserve the
    data effort. x logarithmic.
    """
    fig, axes = _new_figure(1, 1, ps.SINGLE, 2.8)
    ax = axes[0]
    markers = "osD^vx"
    for i, (name, part) in enumerate(top.groupby("ranking", sort=False)):
        base = str(name).rsplit("_column", 1)[0].rsplit("_row", 1)[0]
        lab = ps.label(base) + (" (groups)" if base != name else "")
        ax.plot(part["rank"], 100 * part["cumulative_variance_share"], marker=markers[i % 6], markevery=0.15,
                label=lab)
    ax.set_xscale("log")
    ax.set_ylim(0, 102)
    ax.set_xlabel("k most important coefficients")
    ax.set_ylabel("share of first-order variance, %")
    ax.grid(True, which="major")
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    return fig


def pce_legend_label(diagnostics: pd.DataFrame) -> str | None:
    """Legend label of the PCE rows of a stochastic diagnostics table.

    ``pce`` (the expansion plus the exact first-order term of every other coefficient) reads e.g.
    ``PCE: 8 expanded (2% of 1st-order var.) + linear rest``; a reduced model ``pce_top8`` reads
    ``PCE in 8 coefficients only (2% of 1st-order var.)``. ``k`` is ``pce_inputs`` and the share
    the median of ``pce_variance_share``. ``None`` without PCE rows."""
    rows = diagnostics[diagnostics["method"].astype(str).str.fullmatch(r"pce(_top\d+)?")]
    if rows.empty or "pce_inputs" not in rows:
        return None
    k = int(rows["pce_inputs"].max())
    share = ""
    if "pce_variance_share" in rows:
        v = pd.to_numeric(rows["pce_variance_share"], errors="coerce").median()
        if np.isfinite(v):
            share = f" ({100 * v:.0f}% of 1st-order var.)"
    if rows["method"].astype(str).str.startswith("pce_top").any():
        return f"PCE in {k} coefficients only{share}"
    return f"PCE: {k} expanded{share} + linear rest"
