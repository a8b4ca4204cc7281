"""Command-line interface (console script ``iouq``).

Subcommands (all write CSV to standard output)::

    iouq tables                              # the bundled tables
    iouq multipliers TABLE                   # point multipliers
    iouq interval TABLE --tol T --multiplier M --method {naive,sharp,verified} [--sat-tol TS]
    iouq extensions TABLE [--account A]          # satellite intensities, effects, multipliers
    iouq importance TABLE [--p 1] [--target {inverse,multipliers,output}]
    iouq stochastic TABLE --tol T --multiplier M --distribution D --method {perturbation,montecarlo,pce}
                    [--samples N] [--seed S] [--sat-tol TS]
    iouq regionalize TABLE --regional FILE --method {slq,cilq,flq,aflq} [--delta D] --out DIR
    iouq footprints TABLE [--account A] [--tol T]
    iouq dynamic TABLE [--scenario FILE] [--engine euler|ivp] [--dt DT]

``M`` is a multiplier or a satellite quantity ``QUANTITY:ACCOUNT`` (e.g. ``effect_type1:CO2``;
see :mod:`iouq.quantities`).

``TABLE`` is the name of a bundled table (see ``iouq tables``) or the path of a table
directory. Floats are printed with ``%.17g`` (round-trip precision), so the output can serve as
a reference; undefined values (e.g. an income multiplier of a sector that pays no household
income) are empty cells.

Errors caused by the input (a bad table, an impossible tolerance, ...) are printed as
``iouq: error: <message>`` on standard error with exit status 2 and no traceback; usage errors
are reported by :mod:`argparse` with the same status.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from typing import TextIO

import pandas as pd

from . import __version__
from .errors import IOUQError

__all__ = ["FLOAT_FORMAT", "build_parser", "main"]

#: Float format of CLI output: 17 significant digits round-trip every IEEE double.
FLOAT_FORMAT = "%.17g"


def _emit(df: pd.DataFrame, out: TextIO) -> None:
    df.to_csv(out, index=False, float_format=FLOAT_FORMAT, lineterminator="\n", na_rep="")


def _plain_float(text: str) -> float:
    """argparse type of a number option: a plain decimal number (as in table cells; Python's
    ``float`` would also take ``1_0`` or full-width digits). ``nan``/``inf`` pass through to the
    command's own range check."""
    from .tables import parse_plain_number

    value = parse_plain_number(text)
    if value is None:
        if text.strip().lower().lstrip("+-") in {"nan", "inf", "infinity"}:
            return float(text)
        raise ValueError(text)
    return value


def _tolerance(text: str) -> float:
    """argparse type of ``--tol``: a plain decimal number (sign and range are checked by the command)."""
    return _plain_float(text)


def _plain_int(text: str) -> int:
    """argparse type of a count or seed: ASCII digits with an optional sign."""
    s = text.strip()
    if not (s.lstrip("+-").isascii() and s.lstrip("+-").isdigit()) or s.count("-") + s.count("+") > 1:
        raise ValueError(text)
    return int(s)


_tolerance.__name__ = "tolerance"
_plain_float.__name__ = "number"
_plain_int.__name__ = "integer"


def _check_tolerance(tol: float) -> float:
    if not math.isfinite(tol) or tol < 0:
        raise IOUQError(
            f"--tol must be a finite number >= 0 (a relative tolerance: 0.01 means every "
            f"coefficient is known to within ±1%), got {tol!r}."
        )
    return tol


# --------------------------------------------------------------------------- commands
def _cmd_tables(args: argparse.Namespace, out: TextIO) -> None:
    from .tables import list_tables

    _emit(list_tables(), out)


def _cmd_multipliers(args: argparse.Namespace, out: TextIO) -> None:
    from .multipliers import MULTIPLIERS, point_multipliers
    from .tables import load_table

    df = point_multipliers(load_table(args.table))
    _emit(df.loc[:, ["sector", *MULTIPLIERS]], out)


def _check_sat_tol(sat_tol: float | None) -> float | None:
    if sat_tol is not None and (not math.isfinite(sat_tol) or sat_tol < 0):
        raise IOUQError(
            f"--sat-tol must be a finite number >= 0 (relative tolerance of the satellite intensities: 0.1 "
            f"means ±10%; default: --tol), got {sat_tol!r}."
        )
    return sat_tol


def _check_quantity_name(name: str) -> str:
    from .quantities import parse_quantity

    return parse_quantity(name).name


def _argparse_type(check, name: str):
    """An argparse type from an iouq check: its :class:`IOUQError` becomes a usage error (exit 2)
    whose message is the check's; ``name`` is what argparse calls the value."""

    def convert(text: str) -> str:
        try:
            return check(text)
        except IOUQError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


def _check_target(text: str) -> str:
    from .importance import check_target

    return check_target(text)


#: argparse type of ``--multiplier``: a multiplier or ``QUANTITY:ACCOUNT``.
_quantity = _argparse_type(_check_quantity_name, "quantity")
#: argparse type of ``importance --target``.
_importance_target = _argparse_type(_check_target, "target")


def _cmd_extensions(args: argparse.Namespace, out: TextIO) -> None:
    from .quantities import EXTENSIONS_COLUMNS, extensions_frame
    from .tables import load_table

    df = extensions_frame(load_table(args.table), args.account)
    _emit(df.loc[:, EXTENSIONS_COLUMNS], out)


def _cmd_interval(args: argparse.Namespace, out: TextIO) -> None:
    from .interval import interval_multiplier
    from .tables import load_table

    tol = _check_tolerance(args.tol)
    sat_tol = _check_sat_tol(args.sat_tol)
    name = _check_quantity_name(args.multiplier)
    table = load_table(args.table)
    df = interval_multiplier(table, tol, name, args.method, sat_tol=sat_tol)
    _emit(df.loc[:, ["sector", "lower", "upper", "exactness"]], out)


def _cmd_importance(args: argparse.Namespace, out: TextIO) -> None:
    from .importance import tolerable_limits_frame
    from .tables import load_table

    df = tolerable_limits_frame(load_table(args.table), args.p, args.target, cutoff=args.cutoff)
    _emit(
        df.loc[
            :,
            [
                "row",
                "col",
                "coefficient",
                "tolerable_limit_up_pct",
                "tolerable_limit_down_pct",
                "inverse_important",
                "importance_band",
            ],
        ],
        out,
    )


def _cmd_dynamic(args: argparse.Namespace, out: TextIO) -> None:
    import dataclasses

    from .dynamic.analysis import run_paths
    from .dynamic.model import build_model, load_scenario
    from .tables import load_table

    scenario = load_scenario(args.scenario)
    if args.dt is not None:
        if not (math.isfinite(args.dt) and args.dt > 0):
            raise IOUQError(f"--dt must be a number > 0 (model time units), got {args.dt!r}.")
        scenario = dataclasses.replace(scenario, dt=args.dt)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = build_model(load_table(args.table), scenario)
        paths = run_paths(model, engine=args.engine)
    for message in dict.fromkeys(str(w.message) for w in caught):  # one line per distinct warning
        print(f"iouq: warning: {message}", file=sys.stderr)
    _emit(paths, out)


def _cmd_stochastic(args: argparse.Namespace, out: TextIO) -> None:
    from .stochastic import EXTRA_COLUMNS, SUMMARY_COLUMNS, stochastic_summary
    from .tables import load_table

    tol = _check_tolerance(args.tol)
    sat_tol = _check_sat_tol(args.sat_tol)
    name = _check_quantity_name(args.multiplier)
    table = load_table(args.table)
    df = stochastic_summary(
        table, tol, name, args.distribution, args.method, n_samples=args.samples, seed=args.seed,
        chunk_size=args.chunk_size, progress=None, sat_tol=sat_tol,
    )
    _emit(df.loc[:, SUMMARY_COLUMNS + EXTRA_COLUMNS], out)


def _cmd_regionalize(args: argparse.Namespace, out: TextIO) -> None:
    import shutil
    import tempfile
    from pathlib import Path

    from .regional import read_regional_csv, regionalize
    from .tables import load_table, write_table_dir

    target = Path(args.out)
    if target.exists() and not (target.is_dir() and (target / "table.yaml").is_file()):
        raise IOUQError(
            f"--out {target}: exists and is not a table directory (no table.yaml); refusing to overwrite it. "
            "Give a new directory name."
        )
    table = load_table(args.table)
    source_dir = table.meta.get("directory")
    if source_dir and target.exists() and target.resolve() == Path(source_dir).resolve():
        raise IOUQError(f"--out {target}: is the national table's own directory; give a new directory for the regional table.")
    data = read_regional_csv(args.regional, table)
    regional = regionalize(table, data, args.method, args.delta, name=target.resolve().name)
    parent = target.resolve().parent
    if not parent.is_dir():
        raise IOUQError(f"--out {target}: its parent directory {parent} does not exist; create it first.")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        write_table_dir(regional, tmp, form="coefficients")
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, old / "table")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    prov = regional.meta["provenance"]
    _emit(pd.DataFrame([{"directory": str(target), "national_table": prov["national_table"], "method": prov["method"],
                         "delta": prov["delta"], "region_size": prov["region_size"],
                         "lambda_star": prov["lambda_star"]}]), out)


def _cmd_footprints(args: argparse.Namespace, out: TextIO) -> None:
    from .mrio import FOOTPRINT_COLUMNS, footprint_interval, footprints
    from .tables import load_table

    table = load_table(args.table)
    if args.tol is None:
        _emit(footprints(table, args.account).loc[:, FOOTPRINT_COLUMNS], out)
        return
    tol = _check_tolerance(args.tol)
    df = footprints(table, args.account).merge(
        footprint_interval(table, tol, account=args.account).drop(columns="footprint"), on=["region", "account"]
    )
    _emit(df.loc[:, [*FOOTPRINT_COLUMNS, "lower", "upper", "exactness"]], out)


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``iouq`` (one subparser per command)."""
    from .interval import METHODS
    from .multipliers import MULTIPLIERS

    parser = argparse.ArgumentParser(
        prog="iouq",
        description=(
            "Uncertainty analysis of input-output (Leontief) models: interval enclosures, "
            "stochastic multiplier densities, importance screening. Output is CSV on stdout."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("tables", help="list the bundled tables", description="List the bundled tables as CSV.")
    p.set_defaults(func=_cmd_tables)

    table_help = "name of a bundled table (see 'iouq tables') or path of a table directory"
    from .quantities import SATELLITE_QUANTITIES

    multiplier_help = (
        f"which multiplier: {', '.join(MULTIPLIERS)}, or a satellite quantity QUANTITY:ACCOUNT with QUANTITY "
        f"one of {', '.join(SATELLITE_QUANTITIES)} (e.g. effect_type1:CO2; 'iouq extensions TABLE' lists them)"
    )
    sat_tol_help = ("relative tolerance of the satellite intensities (satellite quantities only; "
                    "default: the same as --tol)")

    p = sub.add_parser(
        "extensions",
        help="satellite intensities, effects and multipliers",
        description=(
            "Satellite (employment, emissions, value-added) quantities of every account and sector, as CSV: "
            "account, sector, intensity s_j (per unit of output), effect_type1 (s'L)_j, multiplier_type1 "
            "(s'L)_j/s_j, effect_type2 and multiplier_type2 with households endogenous. Empty cells where "
            "undefined (multipliers where s_j = 0, Type II without households)."
        ),
    )
    p.add_argument("table", metavar="TABLE", help=table_help)
    p.add_argument("--account", default=None, metavar="A", help="only this account (default: all)")
    p.set_defaults(func=_cmd_extensions)

    p = sub.add_parser(
        "multipliers",
        help="point multipliers of a table",
        description="Point multipliers (Type I/II output and income) of every sector, as CSV.",
    )
    p.add_argument("table", metavar="TABLE", help=table_help)
    p.set_defaults(func=_cmd_multipliers)

    p = sub.add_parser(
        "interval",
        help="interval enclosure of one multiplier",
        description=(
            "Interval enclosure of one multiplier of every sector when each technical coefficient "
            "a_ij lies in [a_ij (1 - T), a_ij (1 + T)]."
        ),
    )
    p.add_argument("table", metavar="TABLE", help=table_help)
    p.add_argument(
        "--tol", type=_tolerance, required=True, metavar="T",
        help="relative tolerance of every coefficient, >= 0 (0.01 = ±1%%; 0 gives the point value)",
    )
    p.add_argument("--multiplier", required=True, type=_quantity, metavar="M", help=multiplier_help)
    p.add_argument("--sat-tol", type=_tolerance, default=None, metavar="TS", help=sat_tol_help)
    p.add_argument(
        "--method", required=True, choices=METHODS,
        help="naive: interval arithmetic; sharp: exact hull; verified: rigorous (outward-rounded) enclosure",
    )
    p.set_defaults(func=_cmd_interval)

    p = sub.add_parser(
        "importance",
        help="tolerable limits and inverse-important coefficients",
        description=(
            "Tolerable limits of every coefficient a_ij: the largest relative increase (up) and "
            "decrease (down), in percent of |a_ij|, such that no target moves by more than P "
            "percent (one coefficient at a time, exact). inverse_important is true when the smaller "
            "limit is at most the cut-off; importance_band is the Schintke-Staeglin band "
            "(0-5, 5-10, 10-20, >20 percent). Zero coefficients have empty limits."
        ),
    )
    p.add_argument("table", metavar="TABLE", help=table_help)
    p.add_argument(
        "--p", type=_plain_float, default=1.0, metavar="P",
        help="largest tolerated change of any target, percent, > 0 (default 1)",
    )
    p.add_argument(
        "--target", type=_importance_target, default="inverse", metavar="TARGET",
        help="inverse: every element of the Leontief inverse (default); multipliers: every output "
        "multiplier (Type I, and Type II when the table has households); output: every gross output "
        "for the table's own final demand (flow tables only); effects:ACCOUNT: the Type I (and Type II) "
        "effects of a satellite account, e.g. effects:CO2",
    )
    p.add_argument(
        "--cutoff", type=_plain_float, default=20.0, metavar="R",
        help="a coefficient is inverse-important when min(up, down) <= R percent (default 20)",
    )
    p.set_defaults(func=_cmd_importance)

    from .distributions import DISTRIBUTIONS
    from .stochastic import METHODS as STOCHASTIC_METHODS

    p = sub.add_parser(
        "stochastic",
        help="moments, quantiles of a multiplier under random coefficients",
        description=(
            "Distribution of one multiplier when every non-zero coefficient is random with a spread "
            "tied to the tolerance T (uniform/beta on the box [a - T|a|, a + T|a|], normal/lognormal "
            "with the sd of the uniform box, column-consistent dirichlet). Columns: sector, mean, sd, "
            "skew, q025, q500, q975, n_samples (accepted draws; 0 for perturbation; model "
            "evaluations for pce), mc_se_mean, then mc_se_q025, mc_se_q975, mean_cv, "
            "mc_se_mean_cv (control-variate mean), rejection_rate (non-productive draws rejected), "
            "point, pce_inputs, q025_cv, q975_cv, mc_se_q025_cv, mc_se_q975_cv (quantiles with the "
            "exact law of the first-order term as control variate: uniform, beta, normal), "
            "pce_coefficients, pce_variance_share (pce: random coefficients of the matrix, and the "
            "share of the first-order variance carried by the pce_inputs expanded ones; the others "
            "enter through their exact first-order term)."
        ),
    )
    p.add_argument("table", metavar="TABLE", help=table_help)
    p.add_argument("--tol", required=True, type=_tolerance, metavar="T", help="relative tolerance, e.g. 0.01 for ±1%%")
    p.add_argument("--multiplier", required=True, type=_quantity, metavar="M", help=multiplier_help)
    p.add_argument("--sat-tol", type=_tolerance, default=None, metavar="TS", help=sat_tol_help)
    p.add_argument("--distribution", required=True, choices=DISTRIBUTIONS, help="coefficient distribution")
    p.add_argument("--method", required=True, choices=STOCHASTIC_METHODS, help="how the distribution is computed")
    p.add_argument("--samples", type=_plain_int, default=20000, metavar="N", help="Monte Carlo draws (default 20000)")
    p.add_argument("--seed", type=_plain_int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--chunk-size", type=_plain_int, default=1024, metavar="C",
                   help="draws held in memory at a time (does not change the result; default 1024)")
    p.set_defaults(func=_cmd_stochastic)

    from .regional import DEFAULT_DELTA, LQ_METHODS

    p = sub.add_parser(
        "regionalize",
        help="regional table from a national one by location quotients",
        description=(
            "Regional coefficients min(LQ, 1) a_ij by simple (slq), cross-industry (cilq), Flegg (flq) or "
            "augmented Flegg (aflq) location quotients. FILE is a CSV with columns sector,regional (regional "
            "output or employment by sector) and optionally national (default: the table's output). Writes a "
            "coefficients-form table directory DIR (provenance in table.yaml) and prints a one-row summary."
        ),
    )
    p.add_argument("table", metavar="TABLE", help=table_help + " (the national table)")
    p.add_argument("--regional", required=True, metavar="FILE", help="CSV with columns sector,regional[,national]")
    p.add_argument("--method", required=True, choices=LQ_METHODS, help="location-quotient method")
    p.add_argument("--delta", type=_plain_float, default=DEFAULT_DELTA, metavar="D",
                   help=f"FLQ/AFLQ exponent, 0 <= D < 1 (default {DEFAULT_DELTA})")
    p.add_argument("--out", required=True, metavar="DIR", help="table directory to write (replaced if it is one)")
    p.set_defaults(func=_cmd_regionalize)

    p = sub.add_parser(
        "footprints",
        help="consumption-based footprints per region",
        description=(
            "Consumption-based accounts (footprints) of every region: footprint = embodied (s L y_r) + "
            "direct (final-demand emissions F_Y), for each satellite account. A single-region table is one "
            "region named by the table. With --tol T: exact bounds (or an enclosure) when A, the intensities "
            "and final demand are known to ±T."
        ),
    )
    p.add_argument("table", metavar="TABLE", help=table_help)
    p.add_argument("--account", metavar="A", default=None, help="one satellite account (default: all)")
    p.add_argument("--tol", type=_tolerance, default=None, metavar="T",
                   help="relative tolerance of A, intensities and final demand: adds lower,upper,exactness")
    p.set_defaults(func=_cmd_footprints)

    p = sub.add_parser(
        "dynamic",
        help="dynamic input-output (DS/IO) paths and dynamic multipliers of a demand shock",
        description=(
            "Simulate Johnson's dynamic-simulation IO model (Fuentes & Martinez Pellegrini 2021) for a "
            "baseline and a shocked run and print, per reporting period and sector: period, sector, "
            "output (shocked run, per period), capacity (end of period), dynamic_multiplier (cumulative "
            "change in the sector's output per unit of cumulative shock), total_dynamic_multiplier, "
            "baseline_output, delta_output, delta_final_demand, investment, inventory, time. The "
            "scenario YAML holds DynamicScenario keys (README, section Dynamic model)."
        ),
    )
    p.add_argument("table", metavar="TABLE", help=table_help)
    p.add_argument("--scenario", metavar="FILE", default=None, help="scenario YAML file (default: the paper's scenario)")
    p.add_argument("--engine", choices=("euler", "ivp"), default="euler",
                   help="fixed-step Euler (STELLA order, default) or the solve_ivp reference")
    p.add_argument("--dt", type=_plain_float, default=None, metavar="DT", help="Euler step in model time units (default 1/16 year)")
    p.set_defaults(func=_cmd_dynamic)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 success, 2 bad input or usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        args.func(args, out)
        out.flush()
    except IOUQError as exc:
        print(f"iouq: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output piped into a reader that stopped early (e.g. `| head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
