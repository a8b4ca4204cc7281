"""Command-line interface (console script ``iouq``).

Subcommands (all write CSV to standard output)::

    iouq tables                              # the bundled tables
    iouq multipliers TABLE                   # point multipliers
    iouq interval TABLE --tol T --multiplier M --method {naive,sharp,verified}
    iouq importance TABLE [--p 1] [--target {inverse,multipliers,output}]
    iouq stochastic TABLE --tol T --multiplier M --distribution D --method {perturbation,montecarlo,pce}
                    [--samples N] [--seed S]

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


def _tolerance(text: str) -> float:
    """argparse type of ``--tol``: a float (sign and range are checked by the command)."""
    return float(text)


_tolerance.__name__ = "tolerance"


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


def _cmd_interval(args: argparse.Namespace, out: TextIO) -> None:
    from .interval import interval_multiplier
    from .tables import load_table

    tol = _check_tolerance(args.tol)
    table = load_table(args.table)
    df = interval_multiplier(table, tol, args.multiplier, args.method)
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


def _cmd_stochastic(args: argparse.Namespace, out: TextIO) -> None:
    from .stochastic import EXTRA_COLUMNS, SUMMARY_COLUMNS, stochastic_summary
    from .tables import load_table

    tol = _check_tolerance(args.tol)
    table = load_table(args.table)
    df = stochastic_summary(
        table, tol, args.multiplier, args.distribution, args.method, n_samples=args.samples, seed=args.seed,
        chunk_size=args.chunk_size, progress=None,
    )
    _emit(df.loc[:, SUMMARY_COLUMNS + EXTRA_COLUMNS], out)


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
    p.add_argument("--multiplier", required=True, choices=MULTIPLIERS, help="which multiplier")
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
        "--p", type=float, default=1.0, metavar="P",
        help="largest tolerated change of any target, percent, > 0 (default 1)",
    )
    p.add_argument(
        "--target", choices=("inverse", "multipliers", "output"), default="inverse",
        help="inverse: every element of the Leontief inverse (default); multipliers: every output "
        "multiplier (Type I, and Type II when the table has households); output: every gross output "
        "for the table's own final demand (flow tables only)",
    )
    p.add_argument(
        "--cutoff", type=float, default=20.0, metavar="R",
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
    p.add_argument("--multiplier", required=True, choices=MULTIPLIERS, help="which multiplier")
    p.add_argument("--distribution", required=True, choices=DISTRIBUTIONS, help="coefficient distribution")
    p.add_argument("--method", required=True, choices=STOCHASTIC_METHODS, help="how the distribution is computed")
    p.add_argument("--samples", type=int, default=20000, metavar="N", help="Monte Carlo draws (default 20000)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--chunk-size", type=int, default=1024, metavar="C",
                   help="draws held in memory at a time (does not change the result; default 1024)")
    p.set_defaults(func=_cmd_stochastic)

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
