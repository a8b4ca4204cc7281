"""Reading, validating and writing table directories; the bundled tables.

Table-directory format
======================
A table directory holds a ``table.yaml`` file and CSV files. It comes in two forms, *flows*
(money flows, as statistical agencies publish them) and *coefficients* (a ready-made
coefficient matrix).

Codes
-----
Sector, category and household codes are **strings**, compared exactly after removing
surrounding spaces: ``01`` and ``1`` are different codes, and leading zeros are kept.

CSV files
---------
Plain comma-separated UTF-8 text (a byte-order mark, as Excel writes it, is allowed). Every CSV
is a *labelled matrix*: the first row is a header, the first column holds row codes, the rest
of the header holds column codes. The header's first cell (the corner) is ignored; the writer
puts ``code`` there. Completely empty lines are skipped. Every other cell must be a plain
decimal number (``1250``, ``-3.5``, ``1.2e-3``): no empty cells, no ``NaN``/``inf``, no thousands
separators, units or footnote marks. Write ``0`` for no flow. Row codes must be unique, and so
must column codes. Negative numbers and all-zero rows or columns are allowed (real tables have
them: scrap, subsidies, sectors without inputs).

``table.yaml``
--------------
``form`` (required)
    ``flows`` or ``coefficients``.
``name`` (optional)
    Short name of the table; default: the directory name.
``units``, ``source``, ``description`` (optional)
    Free text carried into results.
``households`` (optional mapping)
    The household sector used to close the model for Type II quantities:

    * flows form: ``{consumption: <final_demand.csv column code, e.g. F010>,
      income: <value_added.csv row code, e.g. V001>}``;
    * coefficients form: ``{label: <code of the household row and column in A.csv, e.g. HH>}``.

    Codes with leading zeros must be quoted in YAML (``income: '01'``). Without ``households``
    the table supports Type I quantities only.
``satellite_units`` (optional mapping)
    Unit of each satellite account, e.g. ``{EMP: 1000 persons, CO2: 1000 t}`` (free text).
``satellite_signed`` (optional list)
    Satellite accounts that may be negative (e.g. ``[B1G]`` when subsidies exceed value added);
    every other account must be non-negative. Both keys need ``satellites.csv``.

``provenance`` (optional mapping)
    How a derived table was made (written by ``iouq regionalize``: national table, method,
    delta, region size, regional data); kept as ``meta['provenance']`` and written back.

Other keys are rejected (so that a misspelt key does not pass silently).

Flows form
----------
``Z.csv`` (required)
    Square intermediate flows ``z_ij`` (sales of sector ``i``, row, to sector ``j``, column).
    The header lists the same codes as the first column, in the same order.
``final_demand.csv`` (required)
    Final demand: rows are the sectors (same codes, same order as ``Z.csv``), columns are
    final-demand categories (household consumption, investment, exports, ...).
``value_added.csv`` (required)
    Value added and other primary inputs: rows are categories (compensation of employees,
    taxes, operating surplus, ...), columns are the sectors (same codes, same order).
``output.csv`` (optional)
    Two columns with header ``code,output``: gross output ``x_j`` of each sector, same codes in
    the same order. Without it, ``x_i = sum_j z_ij + sum_k f_ik`` (row sums of ``Z`` plus row
    sums of final demand). Output must be positive for every sector.

The coefficients are ``a_ij = z_ij / x_j`` (each column of ``Z`` divided by that sector's
output). The household closure is computed from the flows, with ``w`` the income row of
``value_added.csv`` and ``f_h`` the consumption column of ``final_demand.csv``:

* household income coefficients ``h_j = w_j / x_j``;
* household consumption coefficients ``c_i = f_h,i / sum_j w_j`` (household purchases per unit
  of household income, taking total income as the households' "output");
* ``a_hh = 0``.

``satellites.csv`` (optional, both forms)
    Satellite accounts (employment, emissions, value added, ...): first column ``account``
    (the corner), then one column per sector code, same codes and order as the table. One row
    per account (unique names). Flows form: totals used or emitted by each sector (e.g. 1000
    persons, 1000 t CO2); the reader divides them by output to get the intensities
    ``s_j = F_j / x_j``. Coefficients form: the intensities themselves (per unit of output).

Coefficients form
-----------------
``A.csv`` (required)
    Square coefficient matrix, header codes equal to the row codes in the same order. If
    ``households.label`` is given, that code must appear as a row and as a column; it is split
    off: the household row (without the household cell) is ``h``, the household column
    (without the household cell) is ``c``, and the household cell is ``a_hh``. The remaining
    codes are the producing sectors.
``output.csv``, ``final_demand.csv``, ``value_added.csv`` (optional)
    As in the flows form (sectors only, without the household code).

Validation
----------
Every problem raises :class:`~iouq.errors.TableError` whose message names the file, the
problem and the fix: missing ``table.yaml`` or required CSV, unknown ``form`` or key, a matrix
that is not square, row codes that differ from column codes, duplicate codes, a cell that is
not a number (row code, column code and the text are named), empty or NaN cells, output that
is zero or negative (sectors named), final-demand / value-added / output codes that do not
match ``Z.csv`` (or ``A.csv``), household codes that are not in the file (the available codes
are listed), satellite accounts with negative values that are not declared in
``satellite_signed``, satellite keys naming accounts that ``satellites.csv`` lacks. A coefficient matrix whose spectral radius is 1 or more raises
:class:`~iouq.errors.NotProductiveError`.

Bundled tables
--------------
:data:`BUNDLED` lists the tables shipped in ``iouq/data/<name>/``; :func:`list_tables` shows
them and :func:`load_table` loads one by name (or any table directory by path).
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import functools
import importlib.resources
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import NotProductiveError, TableError
from .table import IOTable, check_productive

__all__ = [
    "BUNDLED",
    "BundledTable",
    "list_tables",
    "load_table",
    "read_table_dir",
    "write_table_dir",
    "from_pymrio",
    "to_pymrio",
]

FORMS = ("flows", "coefficients")
YAML_KEYS = ("name", "form", "units", "source", "description", "households", "provenance", "satellite_units",
             "satellite_signed")
HOUSEHOLD_KEYS = {"flows": ("consumption", "income"), "coefficients": ("label",)}
#: Files a table directory may contain; :func:`write_table_dir` owns exactly these names.
TABLE_FILES = ("table.yaml", "Z.csv", "A.csv", "output.csv", "final_demand.csv", "value_added.csv", "satellites.csv")
_MAX_LISTED = 8  # how many offending cells / codes a message lists


# ============================================================================ labelled CSV
@dataclass(frozen=True)
class Labelled:
    """A parsed labelled CSV: row codes, column codes and float values."""

    path: Path
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    values: np.ndarray


def _fmt_codes(codes: Sequence[str]) -> str:
    """Format a list of codes for a message, shortening long lists."""
    codes = list(codes)
    shown = ", ".join(repr(c) for c in codes[:_MAX_LISTED])
    if len(codes) > _MAX_LISTED:
        shown += f", ... ({len(codes)} in all)"
    return "[" + shown + "]"


def _read_rows(path: Path) -> list[list[str]]:
    """Read the raw text cells of a CSV file, skipping completely empty lines."""
    if not path.is_file():
        raise TableError(f"{path}: file not found. Create it (see the table-directory format in iouq.tables).")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError:
        raise TableError(f"{path}: not UTF-8 text. Save the file as 'CSV UTF-8 (comma delimited)'.") from None
    except csv.Error as exc:
        raise TableError(f"{path}: not a readable CSV file ({exc}). Save it as plain comma-separated text.") from None
    return [r for r in rows if any(cell.strip() for cell in r)]


def _duplicates(codes: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for c in codes:
        if c in seen and c not in dup:
            dup.append(c)
        seen.add(c)
    return dup


#: A plain decimal number: optional sign, digits with at most one dot, optional exponent. Python's
#: ``float`` also accepts ``1_0``, full-width digits, ``nan``, ``inf`` and surrounding spaces in
#: other scripts; the table format does not (a cell must read the same to a person and to iouq).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_plain_number(text: str) -> float | None:
    """The value of ``text`` if it is a plain decimal number (see :data:`PLAIN_NUMBER`), else None.

    Surrounding ASCII spaces and tabs are ignored. Non-finite results (``1e999``) are returned
    as ``inf`` so that the caller can report them as such.
    """
    s = text.strip(" \t")
    if not PLAIN_NUMBER.fullmatch(s):
        return None
    return float(s)


def _is_nonfinite_word(text: str) -> bool:
    return text.strip().lower().lstrip("+-") in {"nan", "inf", "infinity"}


def _parse_cells(path: Path, rows: Sequence[str], cols: Sequence[str], cells: list[list[str]]) -> np.ndarray:
    """Convert text cells to floats (plain decimal numbers only); name the offending cells on failure."""
    values = np.empty((len(rows), len(cols)))
    empty, text, nonfinite = [], [], []
    for i, row in enumerate(cells):
        for j, cell in enumerate(row):
            v = parse_plain_number(cell)
            if v is not None and math.isfinite(v):
                values[i, j] = v
                continue
            where = f"row {rows[i]!r}, column {cols[j]!r}"
            if not cell.strip():
                empty.append(where)
            elif v is None and not _is_nonfinite_word(cell):
                text.append(f"{where} holds {cell!r}")
            else:
                nonfinite.append(f"{where} holds {cell!r}")
    if text:
        raise TableError(
            f"{path}: cells that are not plain decimal numbers: {'; '.join(text[:_MAX_LISTED])}"
            + (f" (and {len(text) - _MAX_LISTED} more)" if len(text) > _MAX_LISTED else "")
            + ". Write plain decimal numbers such as 1250.5, -3 or 1.2e-3 (ASCII digits, one dot, optional "
            "exponent), without thousands or digit separators, units, NaN/inf or footnote marks."
        )
    if empty:
        raise TableError(
            f"{path}: empty cells at {'; '.join(empty[:_MAX_LISTED])}"
            + (f" (and {len(empty) - _MAX_LISTED} more)" if len(empty) > _MAX_LISTED else "")
            + ". Fill every cell with a number (0 for no flow)."
        )
    if nonfinite:
        raise TableError(
            f"{path}: NaN or infinite values at {'; '.join(nonfinite[:_MAX_LISTED])}. Replace them with "
            "numbers (0 for no flow); a number too large for double precision needs larger units "
            "(e.g. millions instead of units)."
        )
    return values


def read_labelled_csv(path: str | os.PathLike) -> Labelled:
    """Read and check a labelled-matrix CSV file (codes as strings, all other cells numbers).

    Parameters
    ----------
    path : str or path-like
        The CSV file.

    Returns
    -------
    Labelled
        Row codes, column codes and the values as a float array.

    Raises
    ------
    TableError
        If the file is missing, ragged, has empty/duplicate codes or non-numeric/empty cells.
    """
    path = Path(path)
    raw = _read_rows(path)
    if not raw:
        raise TableError(f"{path}: the file is empty. Write a header row of codes and one row per code.")
    header = [c.strip() for c in raw[0]]
    cols = header[1:]
    if not cols:
        raise TableError(
            f"{path}: the header has no column codes. The first line must be a corner cell followed by "
            "the column codes, comma-separated (e.g. 'code,01,02')."
        )
    body = raw[1:]
    if not body:
        raise TableError(f"{path}: the file has a header but no data rows. Add one row per code.")
    for k, r in enumerate(body):
        if len(r) != len(header):
            code = r[0].strip() if r else ""
            raise TableError(
                f"{path}: the row for code {code!r} (data row {k + 1}) has {len(r)} cells but the header has "
                f"{len(header)}. Every row needs its code followed by one value per column "
                f"({len(cols)} values)."
            )
    rows = [r[0].strip() for r in body]
    if "" in cols:
        raise TableError(f"{path}: the header has an empty column code (column {cols.index('') + 2}). Give every column a code.")
    if "" in rows:
        raise TableError(f"{path}: data row {rows.index('') + 1} has no code in the first column. Give every row a code.")
    for what, codes in (("row", rows), ("column", cols)):
        dup = _duplicates(codes)
        if dup:
            raise TableError(f"{path}: duplicate {what} codes {_fmt_codes(dup)}. Every code must appear once; merge or rename them.")
    values = _parse_cells(path, rows, cols, [r[1:] for r in body])
    return Labelled(path, tuple(rows), tuple(cols), values)


def _compare_codes(path: Path, found: Sequence[str], expected: Sequence[str], what: str, ref: str) -> None:
    """Raise unless ``found`` lists exactly the codes ``expected``, in the same order."""
    found, expected = list(found), list(expected)
    if found == expected:
        return
    expected_set, found_set = set(expected), set(found)
    extra = [c for c in found if c not in expected_set]
    missing = [c for c in expected if c not in found_set]
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"codes not in {ref}: {_fmt_codes(extra)}")
        if missing:
            parts.append(f"codes of {ref} missing here: {_fmt_codes(missing)}")
        raise TableError(
            f"{path}: the {what} do not match {ref}; {'; '.join(parts)}. "
            f"Use exactly the codes of {ref} (codes are text: '01' and '1' differ)."
        )
    if len(found) != len(expected):  # same set but a repeat; duplicates are caught earlier
        raise TableError(f"{path}: the {what} list {len(found)} codes, {ref} {len(expected)}. Use each code once.")
    k = next(i for i, (a, b) in enumerate(zip(found, expected)) if a != b)
    raise TableError(
        f"{path}: the {what} have the codes of {ref} but in a different order (position {k + 1}: "
        f"{found[k]!r} where {ref} has {expected[k]!r}). Put them in the order of {ref}."
    )


def _read_square(path: Path) -> Labelled:
    """Read a square labelled matrix whose header codes equal its row codes."""
    m = read_labelled_csv(path)
    if len(m.rows) != len(m.cols):
        raise TableError(
            f"{path}: the matrix is not square: {len(m.rows)} rows but {len(m.cols)} columns. "
            "List every sector once as a row and once as a column (same codes, same order)."
        )
    _compare_codes(path, m.cols, m.rows, "column codes (header)", "the row codes (first column)")
    return m


def _read_output(path: Path, sectors: Sequence[str], ref: str) -> np.ndarray:
    """Read ``output.csv`` (header ``code,output``) for the given sectors."""
    m = read_labelled_csv(path)
    if len(m.cols) != 1:
        raise TableError(
            f"{path}: expected two columns 'code,output', found {len(m.cols) + 1}. "
            "Write one line per sector with its code and its gross output."
        )
    try:
        header_is_number = parse_plain_number(m.cols[0]) is not None
    except ValueError:  # pragma: no cover - parse_plain_number does not raise
        header_is_number = False
    if header_is_number:
        raise TableError(f"{path}: the first line is data, not a header. Start the file with the line 'code,output'.")
    _compare_codes(path, m.rows, sectors, "sector codes", ref)
    x = m.values[:, 0]
    _check_positive_output(path, sectors, x)
    return x


def _check_finite_sums(where: Path | str, what: str, codes: Sequence[str], sums: np.ndarray) -> None:
    """Raise a :class:`TableError` naming the file and the cause when a sum overflowed."""
    bad = [c for c, v in zip(codes, sums) if not math.isfinite(v)]
    if bad:
        raise TableError(
            f"{where}: {what} overflows double precision for {_fmt_codes(bad)}: the numbers are too large "
            "to add up. Express the table in larger units (e.g. millions instead of units)."
        )


def _check_positive_output(where: Path | str, sectors: Sequence[str], x: np.ndarray) -> None:
    bad = [f"{s!r} ({v:g})" for s, v in zip(sectors, x) if not v > 0]
    if bad:
        raise TableError(
            f"{where}: output must be positive, but is zero or negative for sectors {', '.join(bad[:_MAX_LISTED])}"
            + (f" and {len(bad) - _MAX_LISTED} more" if len(bad) > _MAX_LISTED else "")
            + ". Correct the output, or drop or aggregate sectors that produce nothing."
        )


def _frame(m: Labelled) -> pd.DataFrame:
    return pd.DataFrame(
        m.values.copy(),
        index=pd.Index(list(m.rows), dtype=object),
        columns=pd.Index(list(m.cols), dtype=object),
    )


# ============================================================================ table.yaml
@dataclass(frozen=True)
class TableSpec:
    """The parsed and checked contents of ``table.yaml``."""

    name: str
    form: str
    units: str
    source: str
    description: str
    households: dict[str, str] | None
    quoted: dict[str, bool]  # whether each household code was written as a YAML string
    provenance: dict | None = None  # how a derived table was made (e.g. iouq regionalize), free mapping
    satellite_units: dict[str, str] = dataclasses.field(default_factory=dict)
    satellite_signed: tuple[str, ...] = ()


def _text(path: Path, key: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise TableError(f"{path}: '{key}' must be a single line of text, got a {type(value).__name__}. Write it as plain text.")
    return str(value)


def read_spec(directory: Path) -> TableSpec:
    """Read and check ``table.yaml`` of a table directory."""
    path = directory / "table.yaml"
    if not path.is_file():
        raise TableError(
            f"{path}: file not found, so {directory} is not a table directory. Create table.yaml with at "
            "least the line 'form: flows' (Z.csv, final_demand.csv, value_added.csv) or 'form: coefficients' (A.csv)."
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise TableError(f"{path}: not UTF-8 text. Save it as UTF-8.") from None
    except yaml.YAMLError as exc:
        raise TableError(f"{path}: not valid YAML ({' '.join(str(exc).split())}). Write 'key: value' lines.") from None
    if not isinstance(data, dict):
        raise TableError(f"{path}: expected 'key: value' lines (a YAML mapping) with at least 'form: flows' or 'form: coefficients'.")
    unknown = [str(k) for k in data if k not in YAML_KEYS]
    if unknown:
        raise TableError(f"{path}: unknown keys {_fmt_codes(unknown)}. Allowed keys: {', '.join(YAML_KEYS)}.")
    form = data.get("form")
    if form is None:
        raise TableError(f"{path}: the key 'form' is missing. Add 'form: flows' or 'form: coefficients'.")
    if form not in FORMS:
        raise TableError(f"{path}: unknown form {form!r}. Use 'form: flows' (Z.csv with flows) or 'form: coefficients' (A.csv).")
    households = data.get("households")
    quoted: dict[str, bool] = {}
    if households is not None:
        want = HOUSEHOLD_KEYS[form]
        if not isinstance(households, dict) or set(households) != set(want):
            raise TableError(
                f"{path}: for form '{form}', 'households' must be a mapping with exactly the keys "
                f"{', '.join(want)}, e.g. "
                + ("'households: {consumption: F010, income: V001}'" if form == "flows" else "'households: {label: HH}'")
                + "; remove 'households' for a table without households."
            )
        quoted = {k: isinstance(v, str) for k, v in households.items()}
        households = {k: _text(path, f"households.{k}", v).strip() for k, v in households.items()}
        if any(not v for v in households.values()):
            raise TableError(f"{path}: 'households' has an empty code. Give the code of the household {'/'.join(want)}.")
    sat_units = data.get("satellite_units")
    if sat_units is None:
        sat_units = {}
    if not isinstance(sat_units, dict) or any(isinstance(v, (dict, list)) for v in sat_units.values()):
        raise TableError(
            f"{path}: 'satellite_units' must be a mapping from account to unit, e.g. "
            "'satellite_units: {EMP: 1000 persons, CO2: 1000 t}'."
        )
    sat_units = {str(k).strip(): ("" if v is None else str(v)) for k, v in sat_units.items()}
    signed = data.get("satellite_signed")
    if signed is None:
        signed = []
    if not isinstance(signed, list) or any(isinstance(v, (dict, list)) for v in signed):
        raise TableError(
            f"{path}: 'satellite_signed' must be a list of satellite accounts that may be negative, "
            "e.g. 'satellite_signed: [B1G]'; every other account must be non-negative."
        )
    return TableSpec(
        satellite_units=sat_units,
        satellite_signed=tuple(str(v).strip() for v in signed),
        name=_text(path, "name", data.get("name")) or directory.resolve().name,
        form=form,
        units=_text(path, "units", data.get("units")),
        source=_text(path, "source", data.get("source")),
        description=_text(path, "description", data.get("description")),
        households=households,
        quoted=quoted,
        provenance=_provenance(path, data.get("provenance")),
    )


def _provenance(path: Path, value: object) -> dict | None:
    """``provenance`` of table.yaml: a free mapping (kept in ``meta['provenance']``)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TableError(f"{path}: 'provenance' must be a mapping (key: value lines), got {type(value).__name__}.")
    return dict(value)


def _household_code_error(path: Path, spec: TableSpec, key: str, what: str, available: Sequence[str]) -> TableError:
    code = spec.households[key]  # type: ignore[index]
    hint = (
        ""
        if spec.quoted.get(key, True)
        else f" YAML read this code as a number; quote it (e.g. {key}: '01') so that leading zeros are kept."
    )
    return TableError(
        f"{path}: households.{key} in table.yaml is {code!r}, but that code is not {what}. "
        f"Available codes: {_fmt_codes(available)}. Set households.{key} to one of them.{hint}"
    )


# ============================================================================ reading
def _optional(directory: Path, filename: str) -> Path | None:
    p = directory / filename
    return p if p.exists() else None


def _read_final_demand(path: Path, sectors: Sequence[str], ref: str) -> Labelled:
    m = read_labelled_csv(path)
    _compare_codes(path, m.rows, sectors, "row codes (sectors)", ref)
    return m


def _read_value_added(path: Path, sectors: Sequence[str], ref: str) -> Labelled:
    m = read_labelled_csv(path)
    _compare_codes(path, m.cols, sectors, "column codes (sectors)", ref)
    return m


def _read_satellites(directory: Path, spec: TableSpec, sectors: Sequence[str], ref: str,
                     output: np.ndarray | None) -> pd.DataFrame | None:
    """Read ``satellites.csv`` (accounts x sectors) and return the intensities.

    Flows form: the file holds totals per sector, divided by output here; coefficients form: it
    holds intensities. Accounts not listed in ``satellite_signed`` must be non-negative.
    """
    path = directory / "satellites.csv"
    yaml_path = directory / "table.yaml"
    if not path.exists():
        used = [k for k in ("satellite_units", "satellite_signed") if getattr(spec, k)]
        if used:
            raise TableError(
                f"{yaml_path}: {' and '.join(used)} given but {path} does not exist. "
                "Add satellites.csv (first column 'account', one column per sector) or remove the keys."
            )
        return None
    m = read_labelled_csv(path)
    _compare_codes(path, m.cols, sectors, "column codes (sectors)", ref)
    accounts = list(m.rows)
    for key, names in (("satellite_units", list(spec.satellite_units)), ("satellite_signed", list(spec.satellite_signed))):
        unknown = [a for a in names if a not in accounts]
        if unknown:
            raise TableError(
                f"{yaml_path}: {key} names accounts that are not rows of satellites.csv: {_fmt_codes(unknown)}. "
                f"Accounts in satellites.csv: {_fmt_codes(accounts)}; fix the names."
            )
    what = "totals" if spec.form == "flows" else "intensities"
    bad = [
        f"account {accounts[i]!r}, sector {sectors[j]!r} holds {m.values[i, j]:g}"
        for i, j in np.argwhere(m.values < 0)
        if accounts[i] not in spec.satellite_signed
    ]
    if bad:
        raise TableError(
            f"{path}: negative {what} in accounts declared non-negative: {'; '.join(bad[:_MAX_LISTED])}"
            + (f" (and {len(bad) - _MAX_LISTED} more)" if len(bad) > _MAX_LISTED else "")
            + ". Correct the values, or list the account under 'satellite_signed' in table.yaml if it may "
            "legally be negative."
        )
    values = m.values / output[None, :] if spec.form == "flows" else m.values.copy()
    return pd.DataFrame(values, index=pd.Index(accounts, name="account"), columns=list(sectors))


def _satellite_fields(directory: Path, spec: TableSpec, sectors: Sequence[str], ref: str,
                      output: np.ndarray | None) -> dict:
    S = _read_satellites(directory, spec, sectors, ref, output)
    if S is None:
        return {}
    return {"satellites": S, "satellite_units": {a: spec.satellite_units.get(a, "") for a in S.index},
            "satellite_signed": tuple(spec.satellite_signed)}


def _productive(A: np.ndarray, where: str) -> None:
    try:
        check_productive(A, "the coefficient matrix A")
    except NotProductiveError as exc:
        raise NotProductiveError(f"{where}: {exc}") from None


def _household_label(sectors: Sequence[str]) -> str:
    for label in ("HH", "households", "_HH_"):
        if label not in sectors:
            return label
    raise TableError("cannot name the household sector: the codes 'HH', 'households' and '_HH_' are all sectors.")


def _read_flows(directory: Path, spec: TableSpec) -> IOTable:
    z_path = directory / "Z.csv"
    Z = _read_square(z_path)
    sectors = Z.rows
    ref = "Z.csv"
    fd = _read_final_demand(directory / "final_demand.csv", sectors, ref)
    va = _read_value_added(directory / "value_added.csv", sectors, ref)
    out_path = _optional(directory, "output.csv")
    if out_path is not None:
        x = _read_output(out_path, sectors, ref)
        where = f"{z_path} with {out_path}"
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            x = Z.values.sum(axis=1) + fd.values.sum(axis=1)
        _check_finite_sums(
            f"{z_path} + {directory / 'final_demand.csv'}", "output (the row sums of Z.csv plus final_demand.csv)",
            sectors, x,
        )
        _check_positive_output(
            f"{z_path} + {directory / 'final_demand.csv'} (output = row sums, no output.csv)", sectors, x
        )
        where = f"{z_path} (output = row sums of Z.csv and final_demand.csv)"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        A = Z.values / x[None, :]
    if not np.all(np.isfinite(A)):
        i, j = np.argwhere(~np.isfinite(A))[0]
        raise TableError(
            f"{where}: the coefficient a[{sectors[i]!r}, {sectors[j]!r}] = z / x overflows double precision "
            f"(z = {Z.values[i, j]:g}, x = {x[j]:g}). Express the table in larger units or check the output of "
            f"sector {sectors[j]!r}."
        )
    _productive(A, where)

    h = c = None
    label = _household_label(sectors)
    if spec.households is not None:
        cons, inc = spec.households["consumption"], spec.households["income"]
        if cons not in fd.cols:
            raise _household_code_error(fd.path, spec, "consumption", "a column (final-demand category)", fd.cols)
        if inc not in va.rows:
            raise _household_code_error(va.path, spec, "income", "a row (value-added category)", va.rows)
        w = va.values[va.rows.index(inc)]
        with np.errstate(over="ignore", invalid="ignore"):
            total_income = float(w.sum())
        _check_finite_sums(va.path, f"the household income row {inc!r}", ["total"], np.array([total_income]))
        if not total_income > 0:
            raise TableError(
                f"{va.path}: the household income row {inc!r} sums to {total_income:g}; the consumption "
                "coefficients divide by total household income, so it must be positive. Check households.income."
            )
        with np.errstate(over="ignore", invalid="ignore"):
            c = fd.values[:, fd.cols.index(cons)] / total_income
            h = w / x
        _check_finite_sums(va.path, f"the household income coefficients (row {inc!r} / output)", sectors, h)
        _check_finite_sums(fd.path, f"the household consumption coefficients (column {cons!r} / total income)",
                           sectors, c)
    return IOTable(
        name=spec.name,
        sectors=sectors,
        A=A,
        household_income=h,
        household_consumption=c,
        household_self=0.0,
        output=x,
        final_demand=_frame(fd),
        value_added=_frame(va),
        units=spec.units,
        source=spec.source,
        household_label=label,
        meta=_meta(directory, spec),
        **_satellite_fields(directory, spec, sectors, ref, x),
    )


def _read_coefficients(directory: Path, spec: TableSpec) -> IOTable:
    a_path = directory / "A.csv"
    M = _read_square(a_path)
    codes, values = list(M.rows), M.values
    h = c = None
    a_hh = 0.0
    label = _household_label(codes)
    if spec.households is not None:
        label = spec.households["label"]
        if label not in codes:
            raise _household_code_error(a_path, spec, "label", "a row and column", codes)
        k = codes.index(label)
        keep = [i for i in range(len(codes)) if i != k]
        h = values[k, keep]
        c = values[keep, k]
        a_hh = float(values[k, k])
        values = values[np.ix_(keep, keep)]
        codes = [codes[i] for i in keep]
    if not codes:
        raise TableError(f"{a_path}: no producing sectors besides the household code. Add the sectors' rows and columns.")
    ref = "the sector codes of A.csv" + (f" (without {label!r})" if spec.households else "")
    _productive(values, str(a_path))
    x = fd = va = None
    if (p := _optional(directory, "output.csv")) is not None:
        x = _read_output(p, codes, ref)
    if (p := _optional(directory, "final_demand.csv")) is not None:
        fd = _frame(_read_final_demand(p, codes, ref))
    if (p := _optional(directory, "value_added.csv")) is not None:
        va = _frame(_read_value_added(p, codes, ref))
    return IOTable(
        name=spec.name,
        sectors=tuple(codes),
        A=values,
        household_income=h,
        household_consumption=c,
        household_self=a_hh,
        output=x,
        final_demand=fd,
        value_added=va,
        units=spec.units,
        source=spec.source,
        household_label=label,
        meta=_meta(directory, spec),
        **_satellite_fields(directory, spec, codes, ref, None),
    )


def _meta(directory: Path, spec: TableSpec) -> dict:
    return {
        "description": spec.description,
        "form": spec.form,
        "directory": str(directory),
        "households": dict(spec.households) if spec.households else None,
        **({"provenance": spec.provenance} if spec.provenance else {}),
    }


def read_table_dir(path: str | os.PathLike) -> IOTable:
    """Read and validate a table directory.

    Parameters
    ----------
    path : str or path-like
        The directory holding ``table.yaml`` and the CSV files (see the module docstring for
        the format).

    Returns
    -------
    IOTable
        The table. ``meta`` holds ``description``, ``form``, ``directory`` and ``households``
        (the household codes from ``table.yaml``, or None).

    Raises
    ------
    TableError
        For any problem with the files; the message names the file, the problem and the fix.
    NotProductiveError
        If the spectral radius of the coefficient matrix is 1 or more.
    """
    directory = Path(path)
    if not directory.exists():
        raise TableError(f"{directory}: no such table directory. Check the path.")
    if not directory.is_dir():
        raise TableError(f"{directory}: is a file, not a table directory. Give the directory that holds table.yaml.")
    spec = read_spec(directory)
    if spec.form == "flows":
        return _read_flows(directory, spec)
    return _read_coefficients(directory, spec)


# ============================================================================ writing
def _fmt(v: float) -> str:
    """Shortest text that reads back as the same float (``repr``); -0.0 becomes 0.0."""
    v = float(v)
    return "0.0" if v == 0.0 else repr(v)


def _write_labelled(path: Path, rows: Sequence[str], cols: Sequence[str], values: np.ndarray) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", *cols])
        for code, row in zip(rows, np.asarray(values, dtype=float)):
            w.writerow([code, *(_fmt(v) for v in row)])


def _write_frame(path: Path, df: pd.DataFrame) -> None:
    _write_labelled(path, [str(r) for r in df.index], [str(c) for c in df.columns], df.to_numpy(dtype=float))


def _write_yaml(path: Path, table: IOTable, form: str, households: dict[str, str] | None) -> None:
    data: dict[str, object] = {"name": table.name, "form": form}
    for key, value in (("units", table.units), ("source", table.source), ("description", table.meta.get("description", ""))):
        if value:
            data[key] = str(value)
    if households:
        data["households"] = dict(households)
    if table.meta.get("provenance"):
        data["provenance"] = dict(table.meta["provenance"])
    if table.satellites is not None:
        units = {a: str(table.satellite_units.get(a, "")) for a in table.accounts if table.satellite_units.get(a, "")}
        if units:
            data["satellite_units"] = units
        if table.satellite_signed:
            data["satellite_signed"] = list(table.satellite_signed)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")


def _check_frames(table: IOTable) -> None:
    """Check that final demand / value added are labelled by the table's sectors."""
    sectors = list(table.sectors)
    if table.final_demand is not None and [str(s) for s in table.final_demand.index] != sectors:
        raise TableError(f"table '{table.name}': final_demand rows are not the sectors {_fmt_codes(sectors)} in order; reindex it.")
    if table.value_added is not None and [str(s) for s in table.value_added.columns] != sectors:
        raise TableError(f"table '{table.name}': value_added columns are not the sectors {_fmt_codes(sectors)} in order; reindex it.")


def _flow_households(table: IOTable) -> dict[str, str] | None:
    """The household codes for a flows-form table; check the closure can be recomputed."""
    if not table.has_households:
        return None
    hh = table.meta.get("households") or {}
    cons, inc = hh.get("consumption"), hh.get("income")
    fix = "Write it with form='coefficients', which stores h, c and a_hh directly."
    if cons is None or inc is None:
        raise TableError(
            f"table '{table.name}': the flows form stores households as a final-demand column and a "
            "value-added row, but the table does not say which (meta['households'] needs 'consumption' and 'income'). " + fix
        )
    fd, va = table.final_demand, table.value_added
    if cons not in list(fd.columns) or inc not in list(va.index):  # type: ignore[union-attr]
        raise TableError(
            f"table '{table.name}': household codes {cons!r}/{inc!r} are not a final-demand column / value-added row. " + fix
        )
    w = va.loc[inc].to_numpy(dtype=float)  # type: ignore[union-attr]
    h = w / table.output
    c = fd[cons].to_numpy(dtype=float) / w.sum()  # type: ignore[index]
    if not (
        table.household_self == 0.0
        and np.allclose(h, table.household_income, rtol=1e-12, atol=0)
        and np.allclose(c, table.household_consumption, rtol=1e-12, atol=0)
    ):
        raise TableError(
            f"table '{table.name}': its household coefficients are not the ones the flows imply "
            f"({inc!r} / output and {cons!r} / total income, a_hh = 0), so the flows form would change them. " + fix
        )
    return {"consumption": str(cons), "income": str(inc)}


def write_table_dir(table: IOTable, path: str | os.PathLike, form: str = "coefficients") -> Path:
    """Write a table as a table directory that :func:`read_table_dir` reads back.

    Parameters
    ----------
    table : IOTable
        The table to write.
    path : str or path-like
        The directory; created if needed. Files with the names the format defines
        (``table.yaml``, ``Z.csv``, ``A.csv``, ``output.csv``, ``final_demand.csv``,
        ``value_added.csv``) are replaced or, if this form does not use them, removed; other
        files are left alone.
    form : {"coefficients", "flows"}
        ``coefficients`` writes ``A.csv`` (with the household row and column, labelled
        ``table.household_label``, when the table has households) plus any of output, final
        demand and value added the table carries. ``flows`` writes ``Z = A diag(x)`` and needs
        output, final demand and value added; households are written as the codes in
        ``table.meta['households']`` and must equal the closure those flows imply.

    Returns
    -------
    Path
        The directory.

    Raises
    ------
    TableError
        If the form is unknown or the table lacks what the form needs.

    Notes
    -----
    Numbers are written in shortest round-trip form (``repr``), so coefficients read back
    exactly; in flows form ``(A x) / x`` may differ from ``A`` in the last bit.
    """
    if form not in FORMS:
        raise TableError(f"unknown form {form!r} for write_table_dir; use 'coefficients' or 'flows'.")
    _check_frames(table)
    households: dict[str, str] | None
    if form == "flows":
        missing = [k for k in ("output", "final_demand", "value_added") if getattr(table, k) is None]
        if missing:
            raise TableError(
                f"table '{table.name}' has no {', '.join(missing)}, which the flows form needs. "
                "Write it with form='coefficients'."
            )
        households = _flow_households(table)
    else:
        households = None
        if table.has_households:
            if table.household_label in table.sectors:
                raise TableError(
                    f"table '{table.name}': the household label {table.household_label!r} is also a sector code; "
                    "choose another household_label."
                )
            households = {"label": table.household_label}

    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise TableError(f"{directory}: is a file; write_table_dir needs a directory path.")
    directory.mkdir(parents=True, exist_ok=True)
    sectors = list(table.sectors)
    written = {"table.yaml"}
    if form == "flows":
        _write_labelled(directory / "Z.csv", sectors, sectors, table.A * table.output[None, :])  # type: ignore[index]
        written.add("Z.csv")
    else:
        if table.has_households:
            M = table.closed_matrix()
            codes = [*sectors, table.household_label]
        else:
            M, codes = table.A, sectors
        _write_labelled(directory / "A.csv", codes, codes, M)
        written.add("A.csv")
    if table.output is not None:
        with open(directory / "output.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["code", "output"])
            w.writerows([s, _fmt(v)] for s, v in zip(sectors, table.output))
        written.add("output.csv")
    if table.final_demand is not None:
        _write_frame(directory / "final_demand.csv", table.final_demand)
        written.add("final_demand.csv")
    if table.value_added is not None:
        _write_frame(directory / "value_added.csv", table.value_added)
        written.add("value_added.csv")
    if table.satellites is not None:
        S = table.satellites.to_numpy(dtype=float)
        values = S * table.output[None, :] if form == "flows" else S  # type: ignore[index]
        with open(directory / "satellites.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["account", *sectors])
            for account, row in zip(table.accounts, values):
                w.writerow([account, *(_fmt(v) for v in row)])
        written.add("satellites.csv")
    _write_yaml(directory / "table.yaml", table, form, households)
    for stale in set(TABLE_FILES) - written:
        (directory / stale).unlink(missing_ok=True)
    return directory


# ============================================================================ bundled tables
@dataclass(frozen=True)
class BundledTable:
    """Registry entry of a table shipped with iouq (in ``iouq/data/<name>/``)."""

    name: str
    n: int
    households: bool
    form: str
    description: str


BUNDLED: dict[str, BundledTable] = {
    t.name: t
    for t in (
        BundledTable(
            "miernyk", 6, True, "coefficients",
            "Miernyk's hypothetical 6-sector economy with households (Jerrell 1995 example)",
        ),
        BundledTable(
            "bea2002-sector", 15, True, "flows",
            "United States 2002, 15 industries (BEA benchmark, industry by industry)",
        ),
        BundledTable(
            "bea2002-summary", 133, True, "flows",
            "United States 2002, 133 industries (BEA benchmark, industry by industry)",
        ),
        BundledTable(
            "germany1995", 6, True, "flows",
            "Germany 1995, 6 product groups, domestic flows (Eurostat Manual table 15.4)",
        ),
        BundledTable(
            "pymrio-test", 48, False, "pymrio",
            "pymrio's test system: 6 regions x 8 sectors with emissions (pymrio.load_test(), loaded at run time)",
        ),
        BundledTable(
            "bea2002-3sector", 3, True, "flows",
            "United States 2002, 3 sectors (primary, secondary, tertiary; aggregate of bea2002-sector)",
        ),
    )
}
"""The bundled tables by name. Load one with :func:`load_table`."""


def list_tables() -> pd.DataFrame:
    """The bundled tables.

    Returns
    -------
    DataFrame
        Columns ``name``, ``n`` (producing sectors), ``households`` (bool: Type II possible),
        ``form`` and ``description``; one row per table.
    """
    return pd.DataFrame(
        [dataclasses.asdict(t) for t in BUNDLED.values()],
        columns=["name", "n", "households", "form", "description"],
    )


def bundled_path(name: str) -> Path:
    """Directory of a bundled table (for its extra files, e.g. published reference results)."""
    if name not in BUNDLED:
        raise TableError(_unknown_name_message(name))
    return Path(str(importlib.resources.files("iouq") / "data" / name))


#: Bundled tables built at run time from another package rather than read from iouq/data/.
RUNTIME_TABLES = ("pymrio-test",)


def from_pymrio(io_system: object, name: str | None = None) -> IOTable:
    """A pymrio ``IOSystem`` as an :class:`IOTable` (see :func:`iouq.mrio.from_pymrio`)."""
    from .mrio import from_pymrio as _from

    return _from(io_system, name)


def to_pymrio(table: IOTable) -> object:
    """An :class:`IOTable` as a pymrio ``IOSystem`` (see :func:`iouq.mrio.to_pymrio`)."""
    from .mrio import to_pymrio as _to

    return _to(table)


def _pymrio_test_system() -> object:
    """``pymrio.load_test()``, without the handler pymrio adds to the root logger (it would
    duplicate every log line of the program that loads the table, e.g. Snakemake's)."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import pymrio

        return pymrio.load_test()
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)


@functools.lru_cache(maxsize=None)
def _load_bundled(name: str) -> IOTable:
    if name == "pymrio-test":
        table = from_pymrio(_pymrio_test_system(), name=name)
        return dataclasses.replace(table, meta={**table.meta, "form": "pymrio", "description": BUNDLED[name].description})
    with importlib.resources.as_file(importlib.resources.files("iouq") / "data" / name) as d:
        return read_table_dir(d)


def _fresh_copy(table: IOTable) -> IOTable:
    """A copy that shares the read-only arrays but not the mutable DataFrames / meta."""
    return dataclasses.replace(
        table,
        final_demand=None if table.final_demand is None else table.final_demand.copy(),
        value_added=None if table.value_added is None else table.value_added.copy(),
        meta=copy.deepcopy(table.meta),
        satellites=None if table.satellites is None else table.satellites.copy(),
        satellite_units=dict(table.satellite_units),
    )


def _unknown_name_message(name: str) -> str:
    return (
        f"{name!r} is neither a bundled table nor a table directory. Bundled tables: "
        f"{', '.join(BUNDLED)}; otherwise give the path of a directory holding table.yaml."
    )


def load_table(name_or_path: str | os.PathLike) -> IOTable:
    """Load a bundled table by name, or a table directory by path.

    Parameters
    ----------
    name_or_path : str or path-like
        A bundled name (see :data:`BUNDLED`: ``miernyk``, ``bea2002-sector``,
        ``bea2002-summary``, ``germany1995``), a table directory, or the ``table.yaml`` inside
        one. A plain string that is a bundled name means the bundled table even if a directory
        of that name exists; write ``./miernyk`` (or pass a Path) for the directory.

    Returns
    -------
    IOTable
        The table. Bundled tables are parsed once and cached; each call returns a table with
        its own copies of the DataFrames (the arrays are read-only and shared).

    Raises
    ------
    TableError
        If the name is neither bundled nor an existing path (the message lists the bundled
        names), or the directory is malformed.
    """
    if isinstance(name_or_path, str) and name_or_path in BUNDLED:
        return _fresh_copy(_load_bundled(name_or_path))
    path = Path(name_or_path)
    if path.is_dir():
        return read_table_dir(path)
    if path.is_file() and path.name == "table.yaml":
        return read_table_dir(path.parent)
    if path.exists():
        raise TableError(f"{path}: is a file, not a table directory. Give the directory that holds table.yaml.")
    raise TableError(_unknown_name_message(str(name_or_path)))

