"""Build the tables bundled with iouq (``src/iouq/data/<name>/``) from the source data.

Run from anywhere::

    .venv/bin/python tools/build_bundled_data.py

It reads the agency data in ``../shared/data`` (relative to the repository root; override with
the environment variable ``IOUQ_SHARED_DATA``), writes ``table.yaml`` and the CSV files of each
bundled table, and prints the consistency checks. The provenance ``README.md`` of each bundled
directory is written by hand and left untouched.

The script deliberately does not import :mod:`iouq`: the bundled files are built independently
of the reader they test. Numbers are written with ``repr`` (shortest round-trip form), so no
precision is lost.

Tables
------
miernyk
    Miernyk (1965) hypothetical 6-sector + households coefficient matrix as printed by Jerrell
    (1995), coefficients form, plus Jerrell's published interval Type II multipliers.
bea2002-sector, bea2002-summary
    U.S. BEA 2002 benchmark (after redefinitions), industry-by-industry flows:
    ``Z = A diag(g)``, ``A = D B`` (BEA's industry-technology model), final demand ``D F``
    (industry rows), value added V001-V003, output ``g``.
germany1995
    Eurostat Manual (2008) table 15.4, Germany 1995, 6 product groups, domestic flows; imports
    and product taxes are kept as value-added rows so that the columns balance to output P1.
    Satellite accounts (``satellites.csv``, totals): employment EMP, EMP_WS, EMP_SE (1000
    persons), gross value added B1G (million EUR) and the air emissions of the producing groups
    (1000 t), units in ``table.yaml``.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("IOUQ_SHARED_DATA", REPO.parent / "shared" / "data"))
OUT = REPO / "src" / "iouq" / "data"


# ----------------------------------------------------------------------------- small CSV helpers
def read_labelled(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """Read a CSV with a code column and a header of codes; blanks become NaN."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r]
    header = [c.strip() for c in rows[0][1:]]
    codes = [r[0].strip() for r in rows[1:]]
    values = np.array([[float(v) if v.strip() else np.nan for v in r[1:]] for r in rows[1:]])
    return codes, header, values


def fmt(v: float) -> str:
    """Shortest text that reads back as exactly the same float."""
    v = float(v)
    if v == 0.0:
        return "0.0"  # also turns -0.0 into 0.0
    return repr(v)


def write_labelled(path: Path, corner: str, rows: list[str], cols: list[str], values: np.ndarray) -> None:
    """Write a labelled matrix: first column row codes, header ``corner`` + column codes."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([corner, *cols])
        for code, row in zip(rows, values):
            w.writerow([code, *(fmt(v) for v in row)])


def write_output(path: Path, codes: list[str], x: np.ndarray) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "output"])
        for code, v in zip(codes, x):
            w.writerow([code, fmt(v)])


def yaml_quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def write_yaml(path: Path, items: dict) -> None:
    """Tiny YAML writer for flat string keys and one nested mapping (households)."""
    lines = []
    for key, val in items.items():
        if isinstance(val, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {yaml_quote(v)}" for k, v in val.items())
        elif key == "form":
            lines.append(f"{key}: {val}")
        else:
            lines.append(f"{key}: {yaml_quote(val)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fresh_dir(name: str) -> Path:
    """Create ``OUT/name``, removing generated files (keeps the hand-written README.md)."""
    d = OUT / name
    d.mkdir(parents=True, exist_ok=True)
    for f in d.iterdir():
        if f.name != "README.md" and f.is_file():
            f.unlink()
    return d


def spectral_radius(M: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(M))))


# ----------------------------------------------------------------------------- miernyk
MIERNYK_CODES = ["1", "2", "3", "4", "5", "6", "HH"]
# Jerrell (1995), APIC'95 extended abstract, section "An Example": Miernyk's A matrix.
MIERNYK_A = [
    [0.16, 0.26, 0.03, 0.05, 0.13, 0.13, 0.19],
    [0.08, 0.07, 0.18, 0.03, 0.08, 0.18, 0.24],
    [0.11, 0.04, 0.21, 0.03, 0.13, 0.07, 0.07],
    [0.17, 0.02, 0.05, 0.21, 0.16, 0.09, 0.06],
    [0.06, 0.00, 0.03, 0.36, 0.08, 0.04, 0.12],
    [0.03, 0.11, 0.18, 0.15, 0.05, 0.13, 0.11],
    [0.25, 0.32, 0.18, 0.13, 0.18, 0.20, 0.01],
]
# Jerrell (1995), the three tables "A +- 0.001A", "A +- 0.01A", "A +- 0.1A":
# industry, lower, upper, diameter exactly as printed (the printed diameter is not always
# upper - lower of the rounded bounds, e.g. industry 2 at 0.001: 3.85 - 3.79 = 0.06 vs 0.05).
JERRELL_PUBLISHED = {
    "0.001": [
        ("1", "4.81", "4.88", "0.07"),
        ("2", "3.79", "3.85", "0.05"),
        ("3", "6.34", "6.44", "0.09"),
        ("4", "9.20", "9.35", "0.15"),
        ("5", "6.04", "6.13", "0.09"),
        ("6", "5.71", "5.80", "0.08"),
    ],
    "0.01": [
        ("1", "4.51", "5.22", "0.71"),
        ("2", "3.57", "4.10", "0.52"),
        ("3", "5.94", "6.89", "0.95"),
        ("4", "8.58", "10.05", "1.47"),
        ("5", "5.65", "6.56", "0.91"),
        ("6", "5.35", "6.20", "0.85"),
    ],
    "0.1": [
        ("1", "2.62", "12.84", "10.21"),
        ("2", "2.15", "9.69", "7.54"),
        ("3", "3.39", "17.18", "13.79"),
        ("4", "4.71", "26.17", "21.46"),
        ("5", "3.21", "16.49", "13.28"),
        ("6", "3.09", "15.34", "12.26"),
    ],
}


def build_miernyk() -> dict:
    d = fresh_dir("miernyk")
    A = np.array(MIERNYK_A)
    write_labelled(d / "A.csv", "code", MIERNYK_CODES, MIERNYK_CODES, A)
    with open(d / "jerrell1995_published.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["sector", "tol", "lower", "upper", "diameter"])
        for tol, rows in JERRELL_PUBLISHED.items():
            for sector, lo, hi, diam in rows:
                w.writerow([sector, tol, lo, hi, diam])
    write_yaml(
        d / "table.yaml",
        {
            "name": "miernyk",
            "form": "coefficients",
            "units": "dimensionless (inputs per unit of output)",
            "source": "Miernyk (1965), Input-Output Analysis, Random House; as printed in Jerrell (1995), "
            "Applications of Interval Computations to Economic Input-Output Models, APIC'95",
            "description": "Miernyk's hypothetical 6-sector economy with households (Jerrell 1995 example)",
            "households": {"label": "HH"},
        },
    )
    return {"n": 6, "rho_A": spectral_radius(A[:6, :6]), "rho_closed": spectral_radius(A)}


# ----------------------------------------------------------------------------- BEA 2002
def build_bea(level: str) -> dict:
    src = SHARED / "bea_2002_benchmark" / level
    name = f"bea2002-{level}"
    d = fresh_dir(name)

    ind, ind2, A = read_labelled(src / "derived_A_industry_by_industry.csv")
    assert ind == ind2
    g_codes, _, g = read_labelled(src / "industry_output.csv")
    assert g_codes == ind
    g = g[:, 0]
    D_rows, D_cols, D = read_labelled(src / "derived_market_shares_D_industry_by_commodity.csv")
    F_rows, F_cols, F = read_labelled(src / "use_final_demand_commodity_by_category.csv")
    va_rows, va_cols, VA = read_labelled(src / "use_value_added_by_industry.csv")
    assert D_rows == ind and va_cols == ind
    assert D_cols == F_rows[: len(D_cols)], "commodity order of D and F differ"
    # D has no columns for commodities with no domestic make (they have q = 0); their final use
    # is not produced by any industry, so they contribute nothing to industry final demand.
    extra = F_rows[len(D_cols):]
    assert not np.isnan(D).any() and not np.isnan(F).any() and not np.isnan(VA).any()
    FD = D @ F[: len(D_cols)]
    Z = A * g[None, :]

    A_back = Z / g[None, :]
    L_codes, L_cols, L_pub = read_labelled(src / "published_total_requirements_industry_by_industry.csv")
    assert L_codes == ind and L_cols == ind
    L = np.linalg.inv(np.eye(len(ind)) - A_back)
    mask = ~np.isnan(L_pub)

    write_labelled(d / "Z.csv", "code", ind, ind, Z)
    write_labelled(d / "final_demand.csv", "code", ind, F_cols, FD)
    write_labelled(d / "value_added.csv", "code", va_rows, ind, VA)
    write_output(d / "output.csv", ind, g)
    shutil.copyfile(src / "published_total_requirements_industry_by_industry.csv", d / "published_L.csv")
    shutil.copyfile(src / "industries.csv", d / "industries.csv")
    n = len(ind)
    write_yaml(
        d / "table.yaml",
        {
            "name": name,
            "form": "flows",
            "units": "million US dollars at producers' prices",
            "source": "U.S. Bureau of Economic Analysis, 2002 Benchmark Input-Output Accounts "
            f"({level} level, after redefinitions); industry-by-industry table derived as in BEA's MathIO note",
            "description": f"United States 2002, {n} industries (BEA benchmark, industry by industry)",
            "households": {"consumption": "F010", "income": "V001"},
        },
    )
    inc = VA[va_rows.index("V001")]
    cons = FD[:, F_cols.index("F010")]
    h, c = inc / g, cons / inc.sum()
    M = np.zeros((n + 1, n + 1))
    M[:n, :n], M[:n, n], M[n, :n] = A, c, h
    return {
        "n": n,
        "commodities_without_D_column": extra,
        "max_abs(Z/g - derived A)": float(np.max(np.abs(A_back - A))),
        "max_abs(inv(I-A) - published IxI TR)": float(np.max(np.abs(L - L_pub)[mask])),
        "suppressed (blank) published IxI cells": int((~mask).sum()),
        "max_rel(rowsum Z + rowsum FD - g)": float(np.max(np.abs(Z.sum(1) + FD.sum(1) - g) / g)),
        "max_abs(colsum Z + colsum VA - g)": float(np.max(np.abs(Z.sum(0) + VA.sum(0) - g))),
        "rho_A": spectral_radius(A),
        "rho_closed": spectral_radius(M),
    }


# ----------------------------------------------------------------------------- Germany 1995
GERMANY_VA_ROWS = ["P7", "D21_M_D31", "D1", "D29_M_D39", "K1", "B2N_B3N"]
GERMANY_FD_COLS = ["P3_S14", "P3_S13", "P51", "P52", "P6"]
# air emissions by producing group (the source's 'Total' row adds different gases and is dropped;
# the households' own emissions are not a producing-sector account)
GERMANY_AIR = ["CO2", "CH4", "N2O", "SO2", "NOx", "CO", "NMVOC", "Dust"]


def build_germany() -> dict:
    src = SHARED / "eurostat_manual_germany_1995"
    d = fresh_dir("germany1995")
    codes, cols, Z = read_labelled(src / "domestic_intermediate_flows_Z.csv")
    assert codes == cols
    fd_rows, fd_cols, FD = read_labelled(src / "domestic_final_demand.csv")
    assert fd_rows == codes and fd_cols == GERMANY_FD_COLS
    # primary_inputs_and_output.csv has a 'label' column after the code column.
    with open(src / "primary_inputs_and_output.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    idx = [header.index(c) for c in codes]
    prim = {r[0]: np.array([float(r[i]) for i in idx]) for r in rows[1:]}
    VA = np.array([prim[r] for r in GERMANY_VA_ROWS])
    x = prim["P1"]
    with open(src / "employment_thousand_persons.csv", newline="", encoding="utf-8") as fh:
        erows = list(csv.reader(fh))
    eidx = [erows[0].index(c) for c in codes]
    emp = {r[0]: [float(r[i]) for i in eidx] for r in erows[1:]}

    write_labelled(d / "Z.csv", "code", codes, codes, Z)
    write_labelled(d / "final_demand.csv", "code", codes, fd_cols, FD)
    write_labelled(d / "value_added.csv", "code", GERMANY_VA_ROWS, codes, VA)
    write_output(d / "output.csv", codes, x)
    # satellite accounts (totals by producing group; the reader divides by output P1)
    with open(src / "air_emissions_thousand_tonnes.csv", newline="", encoding="utf-8") as fh:
        arows = list(csv.reader(fh))
    aidx = [arows[0].index(c) for c in codes]
    air = {r[0]: [float(r[i]) for i in aidx] for r in arows[1:]}
    sat_rows = [
        ("EMP", emp["EMP"], "1000 persons"),
        ("EMP_WS", emp["EMP-WS"], "1000 persons"),  # wage and salary earners
        ("EMP_SE", emp["EMP-FTE"], "1000 persons"),  # self-employed (source row code EMP-FTE)
        ("B1G", list(prim["B1G"]), "million EUR"),
    ] + [(g, air[g], "1000 t") for g in GERMANY_AIR]
    for name, vals, _ in sat_rows:
        assert all(v >= 0 for v in vals), name
    assert np.allclose(np.array(emp["EMP-WS"]) + np.array(emp["EMP-FTE"]), emp["EMP"])
    write_labelled(d / "satellites.csv", "account", [r[0] for r in sat_rows], codes,
                   np.array([r[1] for r in sat_rows]))
    shutil.copyfile(src / "published_results_subset.csv", d / "published_results.csv")
    shutil.copyfile(src / "products.csv", d / "products.csv")
    write_yaml(
        d / "table.yaml",
        {
            "name": "germany1995",
            "form": "flows",
            "units": "million EUR at basic prices",
            "source": "Eurostat (2008), Eurostat Manual of Supply, Use and Input-Output Tables, ch. 15 (J. Beutel), "
            "Table 15.4, Germany 1995; values via the R package iotables (rOpenGov)",
            "description": "Germany 1995, 6 product groups, domestic flows (Eurostat Manual table 15.4)",
            "households": {"consumption": "P3_S14", "income": "D1"},
            "satellite_units": {r[0]: r[2] for r in sat_rows},
        },
    )
    n = len(codes)
    A = Z / x[None, :]
    L = np.linalg.inv(np.eye(n) - A)
    gva = (prim["D1"] + prim["D29_M_D39"] + prim["K1"] + prim["B2N_B3N"]) / x
    inc = prim["D1"]
    h, c = inc / x, FD[:, 0] / inc.sum()
    M = np.zeros((n + 1, n + 1))
    M[:n, :n], M[:n, n], M[n, :n] = A, c, h
    return {
        "n": n,
        "max_abs(colsum Z + colsum VA - P1)": float(np.max(np.abs(Z.sum(0) + VA.sum(0) - x))),
        "max_abs(rowsum Z + rowsum FD - P1)": float(np.max(np.abs(Z.sum(1) + FD.sum(1) - x))),
        "round(v L, 4)": np.round(gva @ L, 4).tolist(),
        "round(emp L, 4)": np.round((np.array(emp["EMP"]) / x) @ L, 4).tolist(),
        "max_abs(B1G - sum of net components)": float(np.max(np.abs(prim["B1G"] - gva * x))),
        "round(diag L, 4)[:3]": np.round(np.diag(L), 4)[:3].tolist(),
        "rho_A": spectral_radius(A),
        "rho_closed": spectral_radius(M),
    }


def main() -> int:
    if not SHARED.is_dir():
        print(f"source data not found at {SHARED}; set IOUQ_SHARED_DATA", file=sys.stderr)
        return 1
    report = {
        "miernyk": build_miernyk(),
        "bea2002-sector": build_bea("sector"),
        "bea2002-summary": build_bea("summary"),
        "germany1995": build_germany(),
    }
    for name, checks in report.items():
        print(name)
        for k, v in checks.items():
            print(f"  {k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
