"""Checks of a pipeline configuration that a JSON schema cannot express.

The Snakemake workflow validates ``config/config.yaml`` against its JSON schema first (types,
allowed keys, enumerations); this module checks the constraints that relate values to each
other or to the tables, so that every mistake is reported *before the first job starts*, in one
line that names the key and the fix:

* ``tolerances`` and ``importance.agreement_tol`` are plain decimal numbers in range;
* ``importance.bands`` increase strictly;
* ``seed`` is positive where SALib runs (SALib reads a seed of 0 as "no seed");
* every tolerance keeps every dataset's tolerance box productive (for ``A`` and, with households,
  for the household-closed matrix), otherwise the interval and stochastic families must refuse.

Every check raises :class:`ConfigError` (an :class:`~iouq.errors.IOUQError`); the workflow turns
it into a ``WorkflowError`` carrying the message alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .errors import BoxNotProductiveError, IOUQError
from .table import IOTable

__all__ = ["ConfigError", "check_settings", "check_dataset", "check_datasets", "parse_tolerance", "salib_runs"]


class ConfigError(IOUQError):
    """A configuration value violates a constraint (the message names the key and the fix)."""


def parse_tolerance(text: str, key: str, *, allow_zero: bool = True) -> float:
    """The value of a tolerance given as a quoted string, checked: a plain decimal number with
    ``0 <= t < 1`` (``0 < t < 1`` when not ``allow_zero``)."""
    from .tables import parse_plain_number

    value = parse_plain_number(str(text)) if isinstance(text, str) else None
    if value is None or not math.isfinite(value):
        raise ConfigError(
            f"invalid configuration: key '{key}': {text!r} is not a plain decimal number; write a "
            "fraction as a quoted string such as \"0.01\" (±1%)."
        )
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value < 1):
        bound = "0 <= t < 1" if allow_zero else "0 < t < 1"
        raise ConfigError(
            f"invalid configuration: key '{key}': {text!r} is outside {bound}; tolerances are fractions "
            "(\"0.01\" means ±1%), so write e.g. \"0.015\" for ±1.5%."
        )
    return value


def check_settings(config: Mapping) -> None:
    """Check the table-independent constraints of a schema-valid configuration."""
    for k, tol in enumerate(config["tolerances"]):
        parse_tolerance(tol, f"tolerances/{k}")
    importance = config.get("importance")
    if importance is not None:
        parse_tolerance(importance["agreement_tol"], "importance/agreement_tol", allow_zero=False)
        bands = list(importance["bands"])
        for k in range(1, len(bands)):
            if not bands[k] > bands[k - 1]:
                raise ConfigError(
                    f"invalid configuration: key 'importance/bands': {bands} must increase strictly (they are "
                    f"the upper edges of the importance bands in percent); sort them, e.g. {sorted(set(bands))}."
                )


def salib_runs(table: IOTable, salib: Mapping) -> bool:
    """Whether the importance family runs SALib on ``table`` (per coefficient, or grouped)."""
    from .sensitivity import factor_count

    return factor_count(table) <= int(salib["max_factors"]) or salib["grouping"] != "none"


def check_dataset(name: str, table: IOTable, config: Mapping) -> None:
    """Check the constraints that involve one dataset's table.

    Raises
    ------
    ConfigError
        When the largest configured tolerance leaves the productive box of ``A`` or of the
        household-closed matrix, or when SALib runs on the table with ``seed: 0``.
    """
    from .interval import check_box_productive

    texts = {parse_tolerance(t, "tolerances"): ("tolerances", t) for t in config["tolerances"]}
    importance = config.get("importance")
    if importance is not None:  # SALib samples the box at agreement_tol
        agreement = parse_tolerance(importance["agreement_tol"], "importance/agreement_tol", allow_zero=False)
        texts.setdefault(agreement, ("importance/agreement_tol", importance["agreement_tol"]))
    worst = max(texts)
    if worst > 0:
        matrices = [("A", table.A)]
        if table.has_households:
            matrices.append(("the household-closed matrix (Type II)", table.closed_matrix()))
        for what, M in matrices:
            try:
                check_box_productive(M, worst, f"dataset '{name}', {what}")
            except BoxNotProductiveError as exc:
                key, text = texts[worst]
                raise ConfigError(f"invalid configuration: key '{key}': {text!r}: {exc}") from None
    if importance is not None and int(config["seed"]) == 0 and worst > 0 and salib_runs(table, importance["salib"]):
        raise ConfigError(
            f"invalid configuration: key 'seed': 0 with SALib on (dataset '{name}'): SALib reads a seed of 0 as "
            "'no seed', which makes the Morris and Sobol results irreproducible. Use a positive seed, e.g. "
            "seed: 1 (or importance/salib/grouping: none with tables above max_factors)."
        )


def check_datasets(tables: Mapping[str, IOTable], config: Mapping) -> None:
    """:func:`check_dataset` for every ``name -> table`` of ``tables``."""
    for name, table in tables.items():
        check_dataset(name, table, config)
