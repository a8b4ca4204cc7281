"""One figure style for every iouq figure.

Figures are drawn at their printed size: :data:`SINGLE` (3.5 in, one column) or :data:`DOUBLE`
(7 in, text width), with every font at least :data:`MIN_FONT_PT` points there, so a figure
included at its native width in a paper is readable without scaling. The style is applied with
:func:`styled` (a :func:`matplotlib.rc_context`, no global state is changed); :func:`new_figure`
makes a figure on the non-interactive Agg canvas (no :mod:`matplotlib.pyplot`);
:func:`write_figure` writes it as PNG and PDF through :func:`iouq.results.write_figure_atomic`.
Method codes get human labels from :func:`label`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["SINGLE", "DOUBLE", "MIN_FONT_PT", "RC", "METHOD_LABELS", "METHOD_STYLE", "DISTRIBUTION_COLOR",
           "label", "styled", "new_figure", "write_figure", "font_sizes"]

SINGLE: float = 3.5  #: width of a one-column figure, inches
DOUBLE: float = 7.0  #: width of a text-width figure, inches
MIN_FONT_PT: float = 7.0  #: smallest font size of any text, points (at the printed width)

#: matplotlib settings of the style.
RC: dict[str, Any] = {
    "font.size": 8.0,
    "axes.titlesize": 8.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "legend.title_fontsize": 7.0,
    "figure.titlesize": 9.0,
    "figure.labelsize": 8.0,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.2,
    "lines.markersize": 4.0,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.4,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "pdf.fonttype": 42,
    "savefig.dpi": 300,
    "svg.fonttype": "none",
}

#: Human labels of the method codes used in the result files.
METHOD_LABELS: dict[str, str] = {
    "published": "published (Jerrell 1995)",
    "naive": "naive interval",
    "sharp": "sharp hull",
    "verified": "verified enclosure",
    "perturbation": "perturbation 95%",
    "montecarlo": "Monte Carlo 95%",
    "montecarlo_range": "Monte Carlo range",
    "pce": "PCE 95%",
    "montecarlo_kde": "Monte Carlo",
    "montecarlo_hist": "Monte Carlo histogram",
    "perturbation_normal": "perturbation, normal approx.",
    "perturbation_edgeworth": "perturbation, Edgeworth",
    "output_type1": "Type I output multiplier",
    "output_type2": "Type II output multiplier",
    "income_type1": "Type I income multiplier",
    "income_type2": "Type II income multiplier",
    "tolerable_limit": "tolerable limit",
    "field_of_influence": "field of influence",
    "variance_share": "variance share",
    "morris": "Morris μ*",
    "sobol": "Sobol total",
}

#: Colour, marker and line style per method (lines that can coincide differ in marker and dash).
METHOD_STYLE: dict[str, dict[str, Any]] = {
    "published": {"color": "black", "marker": "s", "linestyle": "-"},
    "naive": {"color": "#d62728", "marker": "v", "linestyle": "-"},
    "sharp": {"color": "#1f77b4", "marker": "o", "linestyle": "-"},
    "verified": {"color": "#2ca02c", "marker": "x", "linestyle": (0, (4, 2)), "markersize": 5},
    "perturbation": {"color": "#9467bd", "marker": "D", "linestyle": ":"},
    "montecarlo": {"color": "#ff7f0e", "marker": "^", "linestyle": "-"},
    "montecarlo_range": {"color": "#8c564b", "marker": "+", "linestyle": "-."},
    "pce": {"color": "#17becf", "marker": "*", "linestyle": (0, (1, 1))},
}

#: Colour per coefficient distribution.
#: (distinct from the method colours, so a Monte Carlo bar never looks like an interval).
DISTRIBUTION_COLOR: dict[str, str] = {"uniform": "#ff7f0e", "beta": "#e377c2", "normal": "#bcbd22",
                                      "lognormal": "#7f7f7f", "dirichlet": "#393b79"}

_PCE_TOP = re.compile(r"pce_top(\d+)")

F = TypeVar("F", bound=Callable[..., Any])


def label(code: str, distribution: str | None = None) -> str:
    """Human label of a method or multiplier code (``pce_top8`` → ``PCE in 8 coefficients``),
    with the distribution in parentheses when given."""
    m = _PCE_TOP.fullmatch(str(code))
    text = f"PCE in {m.group(1)} coefficients" if m else METHOD_LABELS.get(str(code), str(code).replace("_", " "))
    return f"{text} ({distribution})" if distribution else text


def style_of(method: str) -> dict[str, Any]:
    """Line style of a method (``pce_top{k}`` is drawn like ``pce``)."""
    return dict(METHOD_STYLE.get("pce" if _PCE_TOP.fullmatch(str(method)) else str(method), {"color": "grey"}))


def styled(func: F) -> F:
    """Decorator: draw the figure inside the style's :func:`matplotlib.rc_context`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.rc_context(RC):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(nrows: int, ncols: int, width: float = DOUBLE, height: float | None = None,
               **subplot_kw: Any) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure of ``width`` inches on the Agg canvas and its axes (2-D array).

    Call inside :func:`styled` (the rc settings apply to artists as they are created).
    """
    if height is None:
        height = 0.75 * width / max(1, ncols) * nrows
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def write_figure(fig: Figure, paths: Iterable[str | os.PathLike[str]]) -> list[Any]:
    """Write ``fig`` to every path (format from the suffix: ``.png`` at 300 dpi, ``.pdf``, ``.svg``)
    atomically (:func:`iouq.results.write_figure_atomic`). PDF metadata carry no date, so the same
    figure gives the same PDF bytes."""
    from .results import write_figure_atomic

    written = []
    with matplotlib.rc_context(RC):
        for path in paths:
            kwargs: dict[str, Any] = {"dpi": 300}
            suffix = os.fspath(path).rsplit(".", 1)[-1].lower()
            if suffix == "pdf":
                kwargs["metadata"] = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": "iouq"}
            elif suffix == "svg":
                kwargs["metadata"] = {"Date": None, "Creator": "iouq"}
            elif suffix == "png":
                kwargs["metadata"] = {"Software": "iouq"}
            written.append(write_figure_atomic(fig, path, **kwargs))
    return written


def font_sizes(fig: Figure) -> list[tuple[str, float]]:
    """``(text, size in points)`` of every visible, non-empty text of a drawn figure (for checks)."""
    fig.canvas.draw()
    out = []
    for text in fig.findobj(matplotlib.text.Text):
        if not (text.get_visible() and text.get_text().strip()):
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        if text.get_window_extent().width > 0:
            out.append((text.get_text(), float(text.get_fontsize())))
    return out
