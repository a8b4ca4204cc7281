"""The three families side by side: comparison tables, summaries and LaTeX.

Pure functions on the result frames the pipeline writes (or the library returns): they read
nothing and write nothing. The rules of ``workflow/rules/compare.smk`` call them and write the
results with :func:`iouq.results.write_csv_atomic`.

The comparison table (:func:`comparison_table`) has one row per sector × multiplier × (family,
method, distribution), with the range each method gives:

- ``interval``: ``naive``, ``sharp``, ``verified`` enclosures (Jerrell 1995; Rohn 1980;
  Neumaier 1990); ``center`` is the point multiplier.
- ``stochastic``: ``perturbation`` (2.5%/97.5% Cornish–Fisher quantiles of the second-order
  moments of West 1986), ``montecarlo`` (2.5%/97.5% sample quantiles, the control-variate ones
  of the diagnostics where they exist), ``montecarlo_range`` (smallest and largest accepted
  draw) and ``pce`` (quantiles of the surrogate). A PCE in only ``k`` of the coefficients is
  labelled ``pce_top{k}`` by the stochastic family; it is a *reduced model* and is kept out of
  the width ratios (``width_ratio_sharp`` empty).

Derived columns: ``rel_width = (upper - lower) / |point|``; ``width_ratio_sharp`` = width / the
sharp width of the same sector and multiplier; ``inside_verified`` = ``[lower, upper]`` lies in
the verified enclosure. For a distribution whose draws stay inside the tolerance box
(:data:`BOX_BOUNDED`: uniform, beta) the Monte Carlo range must lie in the verified enclosure
(the enclosure contains the multiplier of every matrix of the box); for normal, lognormal and
dirichlet draws (which can leave the box) the flag is reported, not required.

References
----------
Jerrell, M.E. (1995). Applications of interval computations to economic input-output models.
Rohn, J. (1980). Input-output model with interval data. Econometrica 48(3), 767-769.
West, G.R. (1986). A stochastic analysis of an input-output model. Econometrica 54(2), 363-374.
Hewings, G.J.D. (1984). The role of prior information in updating regional input-output models.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import IOUQError

__all__ = [
    "COMPARE_COLUMNS", "SUMMARY_COLUMNS", "IMPORTANCE_TOP_COLUMNS", "BOX_BOUNDED", "TOP_K",
    "is_reduced_model", "comparison_table", "select_sectors", "summary_widths", "importance_top",
    "latex_comparison", "latex_summary", "latex_jerrell", "method_label", "dynamic_comparison",
    "DYNAMIC_COMPARE_COLUMNS",
]

#: The contract: first columns of ``results/{dataset}/compare/tol-{tol}.csv``.
COMPARE_COLUMNS: list[str] = [
    "sector", "multiplier", "family", "method", "distribution", "point", "center", "lower", "upper",
    "rel_width", "width_ratio_sharp", "inside_verified",
]
#: Further columns (extensions): the stochastic sd (empty for intervals), whether the row's
#: distribution keeps every draw inside the tolerance box, whether the row is a reduced model.
EXTRA_COLUMNS: list[str] = ["sd", "box_bounded", "reduced_model"]

#: Columns of ``results/summary/widths.csv``.
SUMMARY_COLUMNS: list[str] = [
    "dataset", "tol", "multiplier", "family", "method", "distribution", "median_rel_width", "max_rel_width",
    "median_width_ratio_sharp", "median_sd_ratio_perturbation_mc",
]

#: Columns of ``results/{dataset}/compare/importance_top.csv``.
IMPORTANCE_TOP_COLUMNS: list[str] = [
    "ranking", "rank", "row", "col", "coefficient", "score", "variance_share", "cumulative_variance_share",
    "checkpoint",
]

#: Distributions whose draws never leave the tolerance box (so their Monte Carlo range must lie
#: inside the verified enclosure).
BOX_BOUNDED: frozenset[str] = frozenset({"uniform", "beta"})

#: Values of k at which importance_top.csv reports the cumulative variance share.
TOP_K: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100)

INTERVAL_METHODS: tuple[str, ...] = ("naive", "sharp", "verified")
_REDUCED = re.compile(r"pce_top(\d+)")


def is_reduced_model(method: str) -> bool:
    """Whether ``method`` names a reduced model (``pce_top{k}``: a PCE in k coefficients only)."""
    return _REDUCED.fullmatch(str(method)) is not None


def _point_long(point: pd.DataFrame, extensions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Point values in long form (``sector, multiplier, point``): the multipliers, then the
    satellite quantities of ``extensions`` (``results/{dataset}/extensions.csv``) named
    ``QUANTITY:ACCOUNT`` as in the family files (:mod:`iouq.quantities`)."""
    long = point.melt(id_vars="sector", var_name="multiplier", value_name="point")
    long["sector"] = long["sector"].astype(str)
    parts = [long]
    if extensions is not None and len(extensions):
        _check_columns(extensions, ["account", "sector"], "the satellite extensions table")
        ext = extensions.assign(sector=extensions["sector"].astype(str))
        quantities = [c for c in ext.columns if c not in ("account", "sector")]
        sat = ext.melt(id_vars=["account", "sector"], value_vars=quantities, var_name="quantity", value_name="point")
        sat["multiplier"] = sat["quantity"] + ":" + sat["account"].astype(str)
        parts.append(sat[["sector", "multiplier", "point"]])
    return pd.concat(parts, ignore_index=True).dropna(subset=["point"])


def _check_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise IOUQError(f"{what} lacks the columns {missing}; give the file the pipeline writes for it.")


def comparison_table(
    point: pd.DataFrame,
    intervals: pd.DataFrame,
    stochastic: pd.DataFrame | None = None,
    diagnostics: pd.DataFrame | None = None,
    extensions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The long comparison table of one dataset and tolerance.

    Parameters
    ----------
    point : DataFrame
        Point multipliers, ``results/{dataset}/multipliers.csv`` (``sector`` and one column per
        multiplier; NaN where undefined).
    intervals : DataFrame
        ``results/{dataset}/interval/tol-{tol}.csv`` (``sector, multiplier, method, lower, upper``).
    stochastic : DataFrame, optional
        ``results/{dataset}/stochastic/tol-{tol}.csv`` (``sector, multiplier, method,
        distribution, mean, sd, q025, q975``).
    diagnostics : DataFrame, optional
        ``results/{dataset}/stochastic/tol-{tol}_diagnostics.csv``; supplies the control-variate
        quantiles ``q025_cv, q975_cv`` and mean ``mean_cv`` of the Monte Carlo rows and the
        sampled extremes ``sample_min, sample_max`` (the ``montecarlo_range`` rows, written only
        when these columns exist).
    extensions : DataFrame, optional
        ``results/{dataset}/extensions.csv`` of a table with satellite accounts: the point values
        of the satellite quantities (``effect_type1:CO2``, ...), so that their interval and
        stochastic rows enter the comparison like the multipliers'.

    Returns
    -------
    DataFrame
        :data:`COMPARE_COLUMNS` followed by :data:`EXTRA_COLUMNS`. Sectors in table order (the
        order of ``point``); within a sector the multipliers, then interval rows (naive, sharp,
        verified) before stochastic rows (per distribution: perturbation, montecarlo,
        montecarlo_range, then PCE). ``width_ratio_sharp`` is empty where the sharp width is 0
        or missing and for reduced models; ``inside_verified`` is empty without a verified row.
    """
    _check_columns(point, ["sector"], "the point multipliers")
    _check_columns(intervals, ["sector", "multiplier", "method", "lower", "upper"], "the interval table")
    pl = _point_long(point, extensions)
    rows = []
    iv = intervals.assign(sector=intervals["sector"].astype(str))
    iv = iv.merge(pl, on=["sector", "multiplier"], how="inner", validate="many_to_one")
    rows.append(pd.DataFrame({
        "sector": iv["sector"], "multiplier": iv["multiplier"], "family": "interval", "method": iv["method"],
        "distribution": "", "point": iv["point"], "center": iv["point"], "lower": iv["lower"],
        "upper": iv["upper"], "sd": np.nan,
    }))
    if stochastic is not None and len(stochastic):
        _check_columns(stochastic, ["sector", "multiplier", "method", "distribution", "mean", "sd", "q025", "q975"],
                       "the stochastic table")
        keys = ["sector", "multiplier", "method", "distribution"]
        extra = [c for c in ("mean_cv", "q025_cv", "q975_cv", "sample_min", "sample_max")
                 if diagnostics is not None and c in diagnostics]
        # the point comes from ``point``; the diagnostics' columns replace the summary's own
        st = stochastic.assign(sector=stochastic["sector"].astype(str)).drop(columns=["point", *extra], errors="ignore")
        if extra:
            dg = diagnostics.assign(sector=diagnostics["sector"].astype(str))[keys + extra]
            st = st.merge(dg, on=keys, how="left", validate="one_to_one")
        st = st.merge(pl, on=["sector", "multiplier"], how="inner", validate="many_to_one")
        mc = st["method"] == "montecarlo"
        center, lower, upper = st["mean"].copy(), st["q025"].copy(), st["q975"].copy()
        for col, target in (("mean_cv", center), ("q025_cv", lower), ("q975_cv", upper)):
            if col in st:
                target[mc] = st.loc[mc, col].where(st.loc[mc, col].notna(), target[mc])
        rows.append(pd.DataFrame({
            "sector": st["sector"], "multiplier": st["multiplier"], "family": "stochastic",
            "method": st["method"], "distribution": st["distribution"], "point": st["point"], "center": center,
            "lower": lower, "upper": upper, "sd": st["sd"],
        }))
        if {"sample_min", "sample_max"} <= set(st.columns):
            r = st[mc & st["sample_min"].notna()]
            rows.append(pd.DataFrame({
                "sector": r["sector"], "multiplier": r["multiplier"], "family": "stochastic",
                "method": "montecarlo_range", "distribution": r["distribution"], "point": r["point"],
                "center": r["mean"], "lower": r["sample_min"], "upper": r["sample_max"], "sd": r["sd"],
            }))
    out = pd.concat(rows, ignore_index=True)
    out = _order(out, list(dict.fromkeys(pl["sector"])), list(dict.fromkeys(pl["multiplier"])))
    scale = out["point"].abs()
    width = out["upper"] - out["lower"]
    out["rel_width"] = width / scale.where(scale > 0)
    key = ["sector", "multiplier"]
    sharp = out[(out["family"] == "interval") & (out["method"] == "sharp")].set_index(key)
    sharp_width = (sharp["upper"] - sharp["lower"]).reindex(pd.MultiIndex.from_frame(out[key])).to_numpy()
    reduced = out["method"].map(is_reduced_model).astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(sharp_width > 0, width.to_numpy() / np.where(sharp_width > 0, sharp_width, 1.0), np.nan)
    out["width_ratio_sharp"] = np.where(reduced, np.nan, ratio)
    ver = out[(out["family"] == "interval") & (out["method"] == "verified")].set_index(key)
    idx = pd.MultiIndex.from_frame(out[key])
    vlo, vhi = ver["lower"].reindex(idx).to_numpy(), ver["upper"].reindex(idx).to_numpy()
    inside = (out["lower"].to_numpy() >= vlo) & (out["upper"].to_numpy() <= vhi)
    out["inside_verified"] = pd.array(np.where(np.isnan(vlo), None, inside), dtype="boolean")
    out["box_bounded"] = out["distribution"].isin(BOX_BOUNDED) & (out["family"] == "stochastic")
    out["reduced_model"] = reduced
    return out[COMPARE_COLUMNS + EXTRA_COLUMNS]


#: Columns of ``results/{dataset}/compare/dynamic_tol-{tol}.csv``: the comparison columns, then
#: the exactness of the long-run hull and the number of Monte Carlo draws.
DYNAMIC_COMPARE_COLUMNS: list[str] = COMPARE_COLUMNS + ["exactness", "mc_draws"]


def dynamic_comparison(multipliers: pd.DataFrame, distribution: str) -> pd.DataFrame:
    """The dynamic model's families side by side, in the long form of :func:`comparison_table`.

    Parameters
    ----------
    multipliers : DataFrame
        ``results/{dataset}/dynamic/multipliers_tol-{tol}.csv`` (:data:`iouq.dynamic.analysis.MULTIPLIER_COLUMNS`).
    distribution : str
        The coefficient distribution of its Monte Carlo draws (``dynamic.distribution``).

    Returns
    -------
    DataFrame
        :data:`DYNAMIC_COMPARE_COLUMNS`; per sector: ``long_run`` (family ``interval``, method
        ``hull``: the interval bounds over the A/B/parameter box, ``exactness`` as computed; family
        ``stochastic``, method ``montecarlo``: the 2.5/97.5% quantiles of the long-run multiplier of
        the draws) and ``peak_dynamic`` (``montecarlo``: quantiles of the peak cumulative dynamic
        multiplier). ``width_ratio_sharp`` is the width over the hull's (long-run rows only);
        ``inside_verified`` whether the row lies inside the hull (long-run rows only).
    """
    _check_columns(multipliers, ["sector", "long_run", "long_run_lower", "long_run_upper", "peak_dynamic",
                                 "mc_q025", "mc_q975", "exactness", "mc_long_run_q025", "mc_long_run_q975",
                                 "mc_draws"], "the dynamic multipliers table")
    m = multipliers.assign(sector=multipliers["sector"].astype(str))
    nan = np.full(len(m), np.nan)
    parts = [
        pd.DataFrame({"sector": m["sector"], "multiplier": "long_run", "family": "interval", "method": "hull",
                      "distribution": "", "point": m["long_run"], "center": m["long_run"],
                      "lower": m["long_run_lower"], "upper": m["long_run_upper"], "exactness": m["exactness"],
                      "mc_draws": 0, "order": 0}),
        pd.DataFrame({"sector": m["sector"], "multiplier": "long_run", "family": "stochastic",
                      "method": "montecarlo", "distribution": distribution, "point": m["long_run"], "center": nan,
                      "lower": m["mc_long_run_q025"], "upper": m["mc_long_run_q975"], "exactness": "",
                      "mc_draws": m["mc_draws"], "order": 1}),
        pd.DataFrame({"sector": m["sector"], "multiplier": "peak_dynamic", "family": "stochastic",
                      "method": "montecarlo", "distribution": distribution, "point": m["peak_dynamic"],
                      "center": nan, "lower": m["mc_q025"], "upper": m["mc_q975"], "exactness": "",
                      "mc_draws": m["mc_draws"], "order": 2}),
    ]
    out = pd.concat(parts, ignore_index=True)
    sector_rank = {s: i for i, s in enumerate(dict.fromkeys(m["sector"]))}
    out = out.assign(_s=out["sector"].map(sector_rank)).sort_values(["_s", "order"], kind="stable")
    out = out.drop(columns=["_s", "order"]).reset_index(drop=True)
    scale = out["point"].abs()
    width = out["upper"] - out["lower"]
    out["rel_width"] = width / scale.where(scale > 0)
    hull = out[out["method"] == "hull"].set_index("sector")
    hlo = out["sector"].map(hull["lower"]).to_numpy(float)
    hhi = out["sector"].map(hull["upper"]).to_numpy(float)
    long_run = (out["multiplier"] == "long_run").to_numpy()
    hw = hhi - hlo
    with np.errstate(divide="ignore", invalid="ignore"):
        out["width_ratio_sharp"] = np.where(long_run & (hw > 0), width.to_numpy() / np.where(hw > 0, hw, 1.0), np.nan)
    inside = (out["lower"].to_numpy(float) >= hlo) & (out["upper"].to_numpy(float) <= hhi)
    out["inside_verified"] = pd.array(np.where(long_run, inside, None), dtype="boolean")
    return out[DYNAMIC_COMPARE_COLUMNS]


_STOCHASTIC_ORDER = {"perturbation": 0, "montecarlo": 1, "montecarlo_range": 2}


def _order(df: pd.DataFrame, sectors: list[str], multipliers: list[str]) -> pd.DataFrame:
    """Deterministic row order: sector (table order), multiplier, family, distribution, method."""
    interval_rank = {m: i for i, m in enumerate(INTERVAL_METHODS)}
    dist_order = list(dict.fromkeys(df.loc[df["family"] == "stochastic", "distribution"]))
    keys = pd.DataFrame({
        "s": df["sector"].map({s: i for i, s in enumerate(sectors)}),
        "m": df["multiplier"].map({m: i for i, m in enumerate(multipliers)}),
        "f": (df["family"] == "stochastic").astype(int),
        "d": df["distribution"].map({d: i for i, d in enumerate(dist_order)}).fillna(-1),
        "k": [interval_rank.get(m, 9) if f == "interval" else _STOCHASTIC_ORDER.get(m, 3)
              for f, m in zip(df["family"], df["method"])],
        "name": df["method"],
    })
    order = keys.sort_values(["s", "m", "f", "d", "k", "name"], kind="stable").index
    return df.loc[order].reset_index(drop=True)


def select_sectors(comparison: pd.DataFrame, multiplier: str, count: int) -> list[str]:
    """The ``count`` sectors of ``multiplier`` with the largest coefficient of variation, largest first.

    The CV is ``sd / |point|`` of the Monte Carlo rows of the first distribution in the table
    (perturbation rows when there is no Monte Carlo; without stochastic rows, the sharp — else
    any — interval's relative width). Ties keep table order.
    """
    part = comparison[comparison["multiplier"] == multiplier]
    if part.empty:
        return []
    st = part[part["family"] == "stochastic"]
    score = None
    for method in ("montecarlo", "perturbation"):
        rows = st[st["method"] == method]
        if len(rows):
            rows = rows[rows["distribution"] == rows["distribution"].iloc[0]]
            score = rows["sd"] / rows["point"].abs()
            sectors = rows["sector"]
            break
    if score is None:
        iv = part[part["family"] == "interval"]
        rows = iv[iv["method"] == "sharp"] if (iv["method"] == "sharp").any() else iv[iv["method"] == iv["method"].iloc[0]]
        score, sectors = rows["rel_width"], rows["sector"]
    ranked = pd.DataFrame({"sector": sectors.to_numpy(), "score": score.fillna(-np.inf).to_numpy()})
    ranked = ranked.sort_values("score", ascending=False, kind="stable")
    return ranked["sector"].head(int(count)).tolist()


def summary_widths(comparisons: Mapping[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    """Median and largest relative widths per dataset, tolerance, multiplier and method.

    Parameters
    ----------
    comparisons : mapping of (dataset, tol) to DataFrame
        Comparison tables (:func:`comparison_table`); ``tol`` as spelled in the configuration.

    Returns
    -------
    DataFrame
        :data:`SUMMARY_COLUMNS`; medians over the sectors where the value is defined.
        ``median_width_ratio_sharp`` is empty for reduced models (``pce_top{k}``);
        ``median_sd_ratio_perturbation_mc`` (median over sectors of the perturbation sd over the
        Monte Carlo sd of the same distribution) is filled on the perturbation rows only.
    """
    frames = []
    for (dataset, tol), comp in comparisons.items():
        if comp.empty:
            continue
        keys = ["multiplier", "family", "method", "distribution"]
        g = comp.groupby(keys, sort=False, dropna=False)
        s = g.agg(median_rel_width=("rel_width", "median"), max_rel_width=("rel_width", "max"),
                  median_width_ratio_sharp=("width_ratio_sharp", "median")).reset_index()
        pert = comp[comp["method"] == "perturbation"].set_index(["sector", "multiplier", "distribution"])["sd"]
        mc = comp[comp["method"] == "montecarlo"].set_index(["sector", "multiplier", "distribution"])["sd"]
        both = pd.concat({"p": pert, "m": mc}, axis=1, join="inner")
        both = both[both["m"] > 0]
        ratio = (both["p"] / both["m"]).groupby(level=["multiplier", "distribution"]).median()
        s["median_sd_ratio_perturbation_mc"] = [
            ratio.get((m, d), np.nan) if meth == "perturbation" else np.nan
            for m, d, meth in zip(s["multiplier"], s["distribution"], s["method"])
        ]
        s.loc[s["method"].map(is_reduced_model).astype(bool), "median_width_ratio_sharp"] = np.nan
        s.insert(0, "tol", tol)
        s.insert(0, "dataset", dataset)
        frames.append(s)
    if not frames:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out[SUMMARY_COLUMNS]


#: Rankings of importance_top.csv: (name, column of importance/tol-*.csv, larger is more important).
RANKINGS: tuple[tuple[str, str, bool], ...] = (
    ("tolerable_limit", "tolerable_limit", False),
    ("field_of_influence", "field_of_influence", True),
    ("variance_share", "variance_share", True),
    ("morris", "morris_mu_star", True),
    ("sobol", "sobol_total", True),
)


def importance_top(limits: pd.DataFrame, *, target: str = "multipliers", k_values: Sequence[int] = TOP_K,
                   grouped: str | None = None) -> pd.DataFrame:
    """The most important coefficients by each ranking, and the variance they carry.

    Parameters
    ----------
    limits : DataFrame
        ``results/{dataset}/importance/tol-{tol}.csv`` (columns ``row, col, coefficient, target,
        tolerable_limit_up_pct, tolerable_limit_down_pct, field_of_influence, variance_share,
        morris_mu_star, sobol_total``).
    target : str
        Rows of this target are ranked (default the multipliers, whose first-order variance the
        ``variance_share`` column splits).
    k_values : sequence of int
        The ``checkpoint`` ranks (capped at the number of coefficients); rows are written for
        every rank up to the largest of them.
    grouped : str, optional
        ``"column"`` or ``"row"`` when the Morris and Sobol values are those of coefficient groups
        (tables analysed in groups); their rankings are then named ``morris_column`` etc. (ties
        within a group keep row-major order).

    Returns
    -------
    DataFrame
        :data:`IMPORTANCE_TOP_COLUMNS`: per ranking, rank 1, 2, ... with the coefficient, its
        score (``min(r+, r-)`` in percent for the tolerable limit, smaller is more important;
        larger is more important for the others), its variance share and the cumulative share
        of the ranks up to it. Zero coefficients and rankings without values are left out.
    """
    part = limits[limits["target"] == target].copy()
    if part.empty:
        raise IOUQError(f"the importance table has no rows for target '{target}'.")
    part = part[part["coefficient"] != 0]
    part["tolerable_limit"] = np.fmin(part["tolerable_limit_up_pct"].astype(float),
                                      part["tolerable_limit_down_pct"].astype(float))
    share = part["variance_share"].astype(float).fillna(0.0).to_numpy()
    kmax = min(max(int(k) for k in k_values), len(part))
    checkpoints = {min(int(k), len(part)) for k in k_values}
    frames = []
    for name, column, larger in RANKINGS:
        if column not in part or part[column].isna().all():
            continue
        score = part[column].astype(float).to_numpy()
        key = np.where(np.isnan(score), np.inf, -score if larger else score)
        order = np.argsort(key, kind="stable")[:kmax]
        label = f"{name}_{grouped}" if grouped and name in ("morris", "sobol") else name
        frames.append(pd.DataFrame({
            "ranking": label, "rank": np.arange(1, len(order) + 1),
            "row": part["row"].astype(str).to_numpy()[order], "col": part["col"].astype(str).to_numpy()[order],
            "coefficient": part["coefficient"].to_numpy()[order], "score": score[order],
            "variance_share": share[order], "cumulative_variance_share": np.cumsum(share[order]),
            "checkpoint": np.isin(np.arange(1, len(order) + 1), sorted(checkpoints)),
        }))
    if not frames:
        return pd.DataFrame(columns=IMPORTANCE_TOP_COLUMNS)
    return pd.concat(frames, ignore_index=True)[IMPORTANCE_TOP_COLUMNS]


# ============================================================================ LaTeX
_LABELS = {
    "naive": "naive interval", "sharp": "sharp hull", "verified": "verified enclosure",
    "perturbation": "perturbation 95\\%", "montecarlo": "Monte Carlo 95\\%",
    "montecarlo_range": "Monte Carlo range", "pce": "PCE 95\\%",
}


def method_label(method: str, distribution: str = "", *, latex: bool = False) -> str:
    """Human label of a comparison row, e.g. ``Monte Carlo 95% (uniform)``."""
    m = _REDUCED.fullmatch(str(method))
    label = f"PCE in {m.group(1)} coefficients 95\\%" if m else _LABELS.get(method, str(method))
    if not latex:
        label = label.replace("\\%", "%")
    dist = "" if distribution is None or (isinstance(distribution, float) and math.isnan(distribution)) else str(distribution)
    return f"{label} ({dist})" if dist else label


def _tex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text (codes, dataset names)."""
    out = []
    for ch in str(text):
        out.append({"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#", "$": r"\$",
                    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}.get(ch, ch))
    return "".join(out)


def _fmt(value: float, decimals: int) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or pd.isna(value):
        return "--"
    return f"{float(value):.{decimals}f}".replace("-", "$-$", 1) if value < 0 else f"{float(value):.{decimals}f}"


def _decimals_for(widths: np.ndarray, lo: int = 3, hi: int = 8) -> int:
    """Decimals that show the smallest positive width with at least two significant digits."""
    w = widths[np.isfinite(widths) & (widths > 0)]
    if not w.size:
        return lo
    return int(min(hi, max(lo, 1 - math.floor(math.log10(float(w.min()))))))


def _tabular(header: list[str], body: list[list[str]], align: str, caption: str, label: str,
             rules_after: set[int] = frozenset()) -> str:
    lines = [r"\begin{longtable}{" + align + "}", r"\caption{" + caption + r"}\label{" + label + r"}\\",
             r"\toprule", " & ".join(header) + r" \\", r"\midrule", r"\endfirsthead",
             r"\toprule", " & ".join(header) + r" \\", r"\midrule", r"\endhead",
             r"\bottomrule", r"\endfoot"]
    for i, row in enumerate(body):
        lines.append(" & ".join(row) + r" \\")
        if i in rules_after and i != len(body) - 1:
            lines.append(r"\midrule")
    lines.append(r"\end{longtable}")
    return "\n".join(lines) + "\n"


def latex_comparison(comparison: pd.DataFrame, *, dataset: str, tol: str, sectors: int = 3,
                     decimals: int | None = None) -> str:
    """LaTeX (booktabs, longtable) of one comparison table: per multiplier the ``sectors``
    sectors with the largest CV (:func:`select_sectors`), the point value and every method's range.

    Columns: sector, point, method, lower, upper, relative width (percent, two decimals), width /
    sharp width (two decimals). Values are rounded to ``decimals`` decimals (default: enough to
    show the smallest sharp width with two significant digits); ``--`` marks an empty cell.
    Needs ``\\usepackage{booktabs, longtable}``.
    """
    parts = []
    for mult in list(dict.fromkeys(comparison["multiplier"])):
        chosen = select_sectors(comparison, mult, sectors)
        cur = comparison[(comparison["multiplier"] == mult) & comparison["sector"].isin(chosen)]
        if cur.empty:
            continue
        sharp = cur[cur["method"] == "sharp"]
        d = decimals if decimals is not None else _decimals_for((sharp["upper"] - sharp["lower"]).to_numpy(float)
                                                               if len(sharp) else (cur["upper"] - cur["lower"]).to_numpy(float))
        body, rules = [], set()
        for sec in chosen:
            rows = cur[cur["sector"] == sec]
            for i, r in enumerate(rows.itertuples(index=False)):
                body.append([
                    _tex_escape(str(sec)) if i == 0 else "", _fmt(r.point, d) if i == 0 else "",
                    method_label(r.method, r.distribution, latex=True), _fmt(r.lower, d), _fmt(r.upper, d),
                    _fmt(100 * r.rel_width, 2), _fmt(r.width_ratio_sharp, 2),
                ])
            rules.add(len(body) - 1)
        caption = (f"{_tex_escape(dataset)}, tolerance $\\pm{100 * float(tol):g}\\%$, "
                   f"{_tex_escape(mult)}: the {len(chosen)} sectors with the largest coefficient of variation; "
                   "ranges of every method (relative width in percent of the point value).")
        parts.append(_tabular(["Sector", "Point", "Method", "Lower", "Upper", r"Rel.\ width (\%)", "/ sharp"],
                              body, "lrlrrrr", caption,
                              f"tab:compare:{dataset}:{tol}:{mult}", rules))
    return "\n".join(parts)


def latex_summary(summary: pd.DataFrame, *, multipliers: Sequence[str] | None = None) -> str:
    """LaTeX (booktabs, longtable) of the width summary: per dataset and multiplier, one row per
    method with the median relative width (percent, three decimals) at every tolerance, and the median width / sharp width at every tolerance
    (two decimals). ``--`` marks an empty cell."""
    tols = sorted(dict.fromkeys(summary["tol"].astype(str)), key=float)
    parts = []
    for (dataset, mult), part in summary.groupby(["dataset", "multiplier"], sort=False):
        if multipliers is not None and mult not in multipliers:
            continue
        body = []
        for (fam, meth, dist), rows in part.groupby(["family", "method", "distribution"], sort=False, dropna=False):
            by_tol = rows.set_index(rows["tol"].astype(str))
            cells = [method_label(meth, "" if pd.isna(dist) else dist, latex=True)]
            cells += [_fmt(100 * by_tol["median_rel_width"].get(t, np.nan), 3) for t in tols]
            cells += [_fmt(by_tol["median_width_ratio_sharp"].get(t, np.nan), 2) for t in tols]
            body.append(cells)
        header = ["Method"] + [f"$\\pm{100 * float(t):g}\\%$" for t in tols] + [f"$\\pm{100 * float(t):g}\\%$" for t in tols]
        caption = (f"{_tex_escape(str(dataset))}, {_tex_escape(str(mult))}: median relative width over the sectors "
                   f"(percent of the point value; first {len(tols)} columns) and median width over the sharp "
                   f"width (last {len(tols)} columns), per tolerance.")
        parts.append(_tabular(header, body, "l" + "r" * (2 * len(tols)), caption,
                              f"tab:widths:{dataset}:{mult}"))
    return "\n".join(parts)


def latex_jerrell(jerrell: pd.DataFrame, comparisons: Mapping[str, pd.DataFrame] | None = None, *,
                  decimals: int = 3, distribution: str = "uniform") -> str:
    """LaTeX (booktabs, longtable) of Jerrell's (1995) check: per sector and tolerance the
    published, naive, sharp and verified intervals of the Type II income multiplier and the
    Monte Carlo 95% range under ``distribution`` (from ``comparisons``: tolerance as spelled in
    the configuration to comparison table; ``--`` where that tolerance was not run).
    Published values are printed with the two decimals Jerrell gives, the recomputed ones with
    ``decimals`` (default 3)."""
    mc = {}
    for tol, comp in (comparisons or {}).items():
        r = comp[(comp["multiplier"] == "income_type2") & (comp["method"] == "montecarlo")
                 & (comp["distribution"] == distribution)]
        mc[float(tol)] = r.set_index("sector")[["lower", "upper"]]
    body = []
    rules = set()
    rows = jerrell.assign(sector=jerrell["sector"].astype(str))
    tols = sorted(rows["tol"].astype(float).unique())
    for tol in tols:
        for r in rows[rows["tol"].astype(float) == tol].itertuples(index=False):
            m = mc.get(tol)
            lo = m["lower"].get(r.sector, np.nan) if m is not None else np.nan
            hi = m["upper"].get(r.sector, np.nan) if m is not None else np.nan
            cells = [_tex_escape(r.sector), f"{100 * tol:g}"]
            for method in ("published", "naive", "sharp", "verified"):
                d = 2 if method == "published" else decimals
                cells.append(f"[{_fmt(getattr(r, method + '_lower'), d)}, {_fmt(getattr(r, method + '_upper'), d)}]")
            cells.append(f"[{_fmt(lo, decimals)}, {_fmt(hi, decimals)}]" if np.isfinite(lo) else "--")
            body.append(cells)
        rules.add(len(body) - 1)
    caption = ("Miernyk's table: Type II income multiplier intervals published by Jerrell (1995) next to the "
               f"recomputed naive, sharp and verified enclosures and the Monte Carlo 95\\% range ({distribution}).")
    return _tabular(["Sector", r"$t$ (\%)", "Published", "Naive", "Sharp", "Verified", "Monte Carlo 95\\%"],
                    body, "lrlllll", caption, "tab:jerrell", rules)
