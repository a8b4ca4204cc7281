"""Tests of iouq.tables: table directories, validation messages and the bundled tables.

Reference values come from outside the code under test: numbers typed from the publications
(Jerrell 1995, Miller & Blair), the agencies' published results shipped next to the bundled
tables (BEA's total requirements, Eurostat's GVA effects) and hand-computed closures.
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iouq.errors import NotProductiveError, TableError
from iouq.table import IOTable
from iouq.tables import (
    BUNDLED,
    bundled_path,
    list_tables,
    load_table,
    read_table_dir,
    write_table_dir,
)

# ----------------------------------------------------------------------------- helpers


def make_dir(root: Path, name: str = "t", yaml: str = "form: flows\n", **files: str) -> Path:
    """Write a table directory: ``table.yaml`` plus CSV files given as ``Z="..."`` etc."""
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "table.yaml").write_text(textwrap.dedent(yaml))
    for fname, text in files.items():
        (d / f"{fname}.csv").write_text(textwrap.dedent(text).lstrip())
    return d


def read_reference(path: Path) -> pd.DataFrame:
    """Read a reference CSV independently of iouq (codes as text, blanks as NaN)."""
    return pd.read_csv(path, dtype=str, index_col=0).astype(float)


# Miller & Blair (2009), section 2.2: the two-sector example.
MB_Z = "code,1,2\n1,150,500\n2,200,100\n"
MB_FD = "code,f\n1,350\n2,1700\n"
MB_VA = "code,1,2\nW,650,1400\n"

# A small synthetic flows table: codes with leading zeros, a negative flow, a zero column.
SYN_Z = """\
    code,01,02,10
    01,10,20,0
    02,5,-2,0
    10,15,30,0
    """
SYN_FD = """\
    code,HHC,EXP
    01,60,10
    02,40,7
    10,35,20
    """
SYN_VA = """\
    code,01,02,10
    WAGES,40,30,50
    PROFIT,30,52,50
    """
SYN_OUT = "code,output\n01,100\n02,50\n10,100\n"
SYN_YAML = """\
    name: synthetic
    form: flows
    units: widgets
    description: tiny test table
    households:
      consumption: HHC
      income: WAGES
    """


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return make_dir(tmp_path, "syn", SYN_YAML, Z=SYN_Z, final_demand=SYN_FD, value_added=SYN_VA, output=SYN_OUT)


# ----------------------------------------------------------------------------- bundled tables


def test_list_tables_matches_registry_and_loaded_tables():
    df = list_tables()
    assert list(df.columns) == ["name", "n", "households", "form", "description"]
    assert list(df["name"]) == ["miernyk", "bea2002-sector", "bea2002-summary", "germany1995", "pymrio-test",
                                "bea2002-3sector"]
    expected_n = {"miernyk": 6, "bea2002-sector": 15, "bea2002-summary": 133, "germany1995": 6, "pymrio-test": 48,
                  "bea2002-3sector": 3}
    for row in df.itertuples():
        t = load_table(row.name)
        assert isinstance(t, IOTable)
        assert t.n == row.n == expected_n[row.name]
        assert t.has_households == row.households is (row.name != "pymrio-test")
        assert t.meta["form"] == row.form == BUNDLED[row.name].form
        assert t.meta["description"] == row.description
        assert t.name == row.name
        # every extra file shipped must be readable: bundled_path points at the real directory
        assert (bundled_path(row.name) / "README.md").is_file()


def test_miernyk_matrix_as_printed_by_jerrell():
    t = load_table("miernyk")
    assert t.sectors == ("1", "2", "3", "4", "5", "6")
    assert t.A[0, 0] == 0.16
    assert t.A[4, 1] == 0.0
    assert t.A[5, 3] == 0.15
    assert t.household_self == 0.01
    np.testing.assert_array_equal(t.household_income, [0.25, 0.32, 0.18, 0.13, 0.18, 0.20])
    np.testing.assert_array_equal(t.household_consumption, [0.19, 0.24, 0.07, 0.06, 0.12, 0.11])
    assert t.household_label == "HH"
    assert t.output is None and t.final_demand is None


def test_miernyk_published_intervals_transcribed():
    pub = pd.read_csv(bundled_path("miernyk") / "jerrell1995_published.csv", dtype={"sector": str})
    assert list(pub.columns) == ["sector", "tol", "lower", "upper", "diameter"]
    assert len(pub) == 18
    assert sorted(pub["tol"].unique()) == [0.001, 0.01, 0.1]
    row = pub[(pub.sector == "4") & (pub.tol == 0.01)].iloc[0]
    assert (row.lower, row.upper, row.diameter) == (8.58, 10.05, 1.47)
    row = pub[(pub.sector == "3") & (pub.tol == 0.1)].iloc[0]
    assert (row.lower, row.upper, row.diameter) == (3.39, 17.18, 13.79)
    # intervals widen with the tolerance and are nested
    for s, g in pub.groupby("sector"):
        g = g.sort_values("tol")
        assert (np.diff(g["lower"]) < 0).all() and (np.diff(g["upper"]) > 0).all(), s


@pytest.mark.parametrize("name, n", [("bea2002-sector", 15), ("bea2002-summary", 133)])
def test_bea_leontief_inverse_matches_published(name: str, n: int):
    t = load_table(name)
    assert t.n == n
    ref = read_reference(bundled_path(name) / "published_L.csv")
    assert list(ref.index) == list(t.sectors) == list(ref.columns)
    L = np.linalg.inv(np.eye(n) - t.A)
    published = ref.to_numpy()
    mask = ~np.isnan(published)
    assert np.max(np.abs(L - published)[mask]) <= 5e-7
    # the comparison is meaningful: total requirements differ from I + A by far more than that
    assert np.max(np.abs(np.eye(n) + t.A - published)[mask]) > 1e-2


def test_bea_codes_keep_leading_zeros_and_households():
    t = load_table("bea2002-sector")
    assert t.sectors[0] == "01"
    assert list(t.final_demand.columns[:2]) == ["F010", "F020"]
    assert list(t.value_added.index) == ["V001", "V002", "V003"]
    # closure by hand for industry 01: compensation 32415.0, output 271181.9 (BEA use table, T008)
    assert t.household_income[0] == pytest.approx(32415.0 / 271181.9, rel=1e-15)
    assert t.output[0] == 271181.9


def test_bea_summary_negative_coefficients_and_zero_column_load():
    t = load_table("bea2002-summary")
    assert (t.A < 0).sum() > 0
    k = t.sectors.index("8140")  # private households: no intermediate inputs
    assert np.all(t.A[:, k] == 0)
    assert t.output[k] > 0


def test_germany_published_gva_effects_and_leontief_diagonal():
    t = load_table("germany1995")
    assert t.sectors == ("CPA_A", "CPA_B-E", "CPA_F", "CPA_G-I", "CPA_J-N", "CPA_O-T")
    va = t.value_added
    v = (va.loc["D1"] + va.loc["D29_M_D39"] + va.loc["K1"] + va.loc["B2N_B3N"]).to_numpy() / t.output
    L = np.linalg.inv(np.eye(6) - t.A)
    pub = read_reference(bundled_path("germany1995") / "published_results.csv")
    np.testing.assert_array_equal(np.round(v @ L, 4), pub["gva_effect_published"].to_numpy())
    np.testing.assert_array_equal(np.round(np.diag(L)[:3], 4), pub["leontief_inverse_diagonal_published"].to_numpy()[:3])
    # output is the P1 row, not the row totals (manufacturing 1,079,446)
    assert t.output[1] == 1079446.0
    # the columns balance: intermediate + primary inputs (incl. imports, product taxes) = P1
    np.testing.assert_allclose(t.A.sum(axis=0) + va.sum(axis=0).to_numpy() / t.output, 1.0, rtol=1e-14)


def test_germany_household_closure_by_hand():
    t = load_table("germany1995")
    # CPA_A: compensation D1 = 9382, output P1 = 43910; household consumption P3_S14 = 8500,
    # total compensation = 9382 + 296464 + 78819 + 214450 + 124810 + 272975 = 996900
    assert t.household_income[0] == pytest.approx(9382 / 43910, rel=1e-15)
    assert t.household_consumption[0] == pytest.approx(8500 / 996900, rel=1e-15)
    assert t.household_self == 0.0


def test_bundled_tables_are_cached_but_frames_not_shared():
    a, b = load_table("germany1995"), load_table("germany1995")
    a.final_demand.iloc[0, 0] = -1.0
    a.meta["description"] = "changed"
    assert b.final_demand.iloc[0, 0] == 8500.0
    assert load_table("germany1995").meta["description"] != "changed"
    with pytest.raises(ValueError):
        a.A[0, 0] = 1.0  # read-only arrays may be shared safely


# ----------------------------------------------------------------------------- reading


def test_miller_blair_two_sector_example(tmp_path: Path):
    d = make_dir(tmp_path, "mb", "form: flows\n", Z=MB_Z, final_demand=MB_FD, value_added=MB_VA)
    t = read_table_dir(d)
    assert t.name == "mb"  # default name: the directory name
    np.testing.assert_array_equal(t.output, [1000, 2000])  # row sums of Z plus final demand
    np.testing.assert_allclose(t.A, [[0.15, 0.25], [0.2, 0.05]], rtol=1e-15)
    assert not t.has_households


def test_synthetic_flows_closure(synthetic: Path):
    t = read_table_dir(synthetic)
    assert t.name == "synthetic" and t.units == "widgets"
    assert t.sectors == ("01", "02", "10")
    assert t.A[1, 1] == -0.04  # -2 / 50: negative coefficients are legal
    assert np.all(t.A[:, 2] == 0)  # an all-zero column is legal
    # h_j = WAGES_j / x_j ; c_i = HHC_i / sum(WAGES) = HHC_i / 120
    np.testing.assert_allclose(t.household_income, [0.4, 0.6, 0.5], rtol=1e-15)
    np.testing.assert_allclose(t.household_consumption, [0.5, 1 / 3, 35 / 120], rtol=1e-15)
    assert t.meta["households"] == {"consumption": "HHC", "income": "WAGES"}


def test_coefficients_form_household_in_the_middle(tmp_path: Path):
    d = make_dir(
        tmp_path,
        "c",
        "form: coefficients\nhouseholds: {label: H}\n",
        A="code,a,H,b\na,0.1,0.3,0.2\nH,0.4,0.05,0.5\nb,0.2,0.6,0.1\n",
        output="code,output\na,10\nb,20\n",
    )
    t = read_table_dir(d)
    assert t.sectors == ("a", "b")
    np.testing.assert_array_equal(t.A, [[0.1, 0.2], [0.2, 0.1]])
    np.testing.assert_array_equal(t.household_income, [0.4, 0.5])
    np.testing.assert_array_equal(t.household_consumption, [0.3, 0.6])
    assert t.household_self == 0.05 and t.household_label == "H"
    np.testing.assert_array_equal(t.output, [10, 20])


def test_load_table_by_path_and_by_table_yaml(synthetic: Path):
    assert load_table(synthetic).n == 3
    assert load_table(str(synthetic)).n == 3
    assert load_table(synthetic / "table.yaml").n == 3


def test_csv_with_bom_blank_lines_and_spaces(tmp_path: Path):
    d = make_dir(tmp_path, "bom", "form: coefficients\n")
    (d / "A.csv").write_bytes("\ufeffcode, x ,y\n\n x ,0.1,0.2\ny,0.3, 0.4 \n\n".encode())
    t = read_table_dir(d)
    assert t.sectors == ("x", "y")
    np.testing.assert_array_equal(t.A, [[0.1, 0.2], [0.3, 0.4]])


# ----------------------------------------------------------------------------- writing


def assert_same_table(a: IOTable, b: IOTable, rtol: float = 0.0) -> None:
    assert a.sectors == b.sectors and a.name == b.name and a.units == b.units
    np.testing.assert_allclose(b.A, a.A, rtol=rtol, atol=0)
    assert a.has_households == b.has_households
    if a.has_households:
        np.testing.assert_allclose(b.household_income, a.household_income, rtol=rtol, atol=0)
        np.testing.assert_allclose(b.household_consumption, a.household_consumption, rtol=rtol, atol=0)
        assert b.household_self == a.household_self
    for attr in ("output",):
        if getattr(a, attr) is None:
            assert getattr(b, attr) is None
        else:
            np.testing.assert_allclose(getattr(b, attr), getattr(a, attr), rtol=rtol, atol=0)
    for attr in ("final_demand", "value_added"):
        if getattr(a, attr) is None:
            assert getattr(b, attr) is None
        else:
            pd.testing.assert_frame_equal(getattr(b, attr), getattr(a, attr), check_exact=True)


@pytest.mark.parametrize("form", ["coefficients", "flows"])
def test_round_trip_synthetic(synthetic: Path, tmp_path: Path, form: str):
    t = read_table_dir(synthetic)
    out = write_table_dir(t, tmp_path / "out", form=form)
    back = read_table_dir(out)
    assert back.meta["form"] == form
    assert back.meta["description"] == "tiny test table"
    assert_same_table(t, back, rtol=0 if form == "coefficients" else 1e-15)
    # codes stay text on disk
    assert (out / ("A.csv" if form == "coefficients" else "Z.csv")).read_text().startswith("code,01,02,10")


@pytest.mark.parametrize("form", ["coefficients", "flows"])
def test_round_trip_miller_blair(tmp_path: Path, form: str):
    t = read_table_dir(make_dir(tmp_path, "mb", "form: flows\n", Z=MB_Z, final_demand=MB_FD, value_added=MB_VA))
    back = read_table_dir(write_table_dir(t, tmp_path / "mb2", form=form))
    np.testing.assert_allclose(back.A, [[0.15, 0.25], [0.2, 0.05]], rtol=1e-15)
    np.testing.assert_array_equal(back.output, [1000, 2000])
    if form == "flows":
        z = read_reference(tmp_path / "mb2" / "Z.csv").to_numpy()
        np.testing.assert_allclose(z, [[150, 500], [200, 100]], rtol=1e-15)


def test_round_trip_miernyk_coefficients_exact(tmp_path: Path):
    t = load_table("miernyk")
    back = read_table_dir(write_table_dir(t, tmp_path / "m"))
    assert_same_table(t, back)
    # the written matrix is Jerrell's closed 7x7 matrix
    assert (tmp_path / "m" / "A.csv").read_text().splitlines()[-1] == "HH,0.25,0.32,0.18,0.13,0.18,0.2,0.01"


def test_write_over_existing_dir_removes_stale_table_files(synthetic: Path, tmp_path: Path):
    t = read_table_dir(synthetic)
    out = tmp_path / "w"
    write_table_dir(t, out, form="flows")
    (out / "notes.txt").write_text("keep me")
    no_flows = IOTable(name="bare", sectors=t.sectors, A=t.A)
    write_table_dir(no_flows, out)
    assert sorted(p.name for p in out.iterdir()) == ["A.csv", "notes.txt", "table.yaml"]
    assert read_table_dir(out).output is None


def test_write_flows_needs_flows():
    t = IOTable(name="bare", sectors=("a",), A=[[0.1]])
    with pytest.raises(TableError, match="no output, final_demand, value_added.*form='coefficients'"):
        write_table_dir(t, "/nonexistent/never-created", form="flows")


def test_write_flows_refuses_households_the_flows_cannot_express(synthetic: Path, tmp_path: Path):
    t = read_table_dir(synthetic)
    changed = dataclasses.replace(t, household_self=0.1)
    with pytest.raises(TableError, match="form='coefficients'"):
        write_table_dir(changed, tmp_path / "x", form="flows")
    write_table_dir(changed, tmp_path / "x", form="coefficients")
    assert read_table_dir(tmp_path / "x").household_self == 0.1


# ----------------------------------------------------------------------------- bad input


def error_message(exc_type, directory: Path) -> str:
    with pytest.raises(exc_type) as info:
        read_table_dir(directory)
    return str(info.value)


def test_missing_table_yaml(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    msg = error_message(TableError, tmp_path / "empty")
    assert "table.yaml" in msg and "not found" in msg and "form: flows" in msg


def test_missing_required_csv(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=MB_Z, final_demand=MB_FD)
    msg = error_message(TableError, d)
    assert "value_added.csv" in msg and "not found" in msg


def test_bad_form(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flow\n", Z=MB_Z)
    msg = error_message(TableError, d)
    assert "table.yaml" in msg and "unknown form 'flow'" in msg and "form: coefficients" in msg


def test_unknown_yaml_key(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\nhousehold: {consumption: f, income: W}\n", Z=MB_Z)
    msg = error_message(TableError, d)
    assert "unknown keys ['household']" in msg and "households" in msg


def test_not_square(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: coefficients\n", A="code,1,2,3\n1,0.1,0.2,0.3\n2,0.1,0.2,0.3\n")
    msg = error_message(TableError, d)
    assert "A.csv" in msg and "not square: 2 rows but 3 columns" in msg


def test_row_and_column_codes_differ(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z="code,1,2\n1,150,500\n3,200,100\n")
    msg = error_message(TableError, d)
    assert "Z.csv" in msg and "codes not in the row codes (first column): ['2']" in msg and "missing here: ['3']" in msg


def test_row_and_column_codes_in_different_order(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z="code,2,1\n1,150,500\n2,200,100\n")
    msg = error_message(TableError, d)
    assert "Z.csv" in msg and "different order" in msg and "'2' where" in msg


def test_text_cell_names_the_cell(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z="code,1,2\n1,150,abc\n2,200,100\n", final_demand=MB_FD, value_added=MB_VA)
    msg = error_message(TableError, d)
    assert "Z.csv" in msg and "row '1', column '2' holds 'abc'" in msg and "plain decimal numbers" in msg


def test_thousands_separator_is_text(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=MB_Z, final_demand='code,f\n1,350\n2,"1,700"\n', value_added=MB_VA)
    msg = error_message(TableError, d)
    assert "final_demand.csv" in msg and "row '2', column 'f' holds '1,700'" in msg


@pytest.mark.parametrize("cell, problem", [("", "empty cells at row '2', column '1'"), ("NaN", "NaN or infinite")])
def test_empty_and_nan_cells(tmp_path: Path, cell: str, problem: str):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=f"code,1,2\n1,150,500\n2,{cell},100\n", final_demand=MB_FD, value_added=MB_VA)
    msg = error_message(TableError, d)
    assert "Z.csv" in msg and problem in msg


def test_ragged_row(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z="code,1,2\n1,150\n2,200,100\n")
    msg = error_message(TableError, d)
    assert "Z.csv" in msg and "code '1'" in msg and "has 2 cells but the header has 3" in msg


def test_duplicate_codes(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: coefficients\n", A="code,1,1\n1,0.1,0.2\n1,0.1,0.2\n")
    msg = error_message(TableError, d)
    assert "A.csv" in msg and "duplicate row codes ['1']" in msg


@pytest.mark.parametrize("value", ["0", "-5"])
def test_zero_or_negative_output(tmp_path: Path, value: str):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=MB_Z, final_demand=MB_FD, value_added=MB_VA, output=f"code,output\n1,1000\n2,{value}\n")
    msg = error_message(TableError, d)
    assert "output.csv" in msg and f"sectors '2' ({value})" in msg and "positive" in msg


def test_zero_output_from_row_sums(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z="code,1,2\n1,150,0\n2,0,0\n", final_demand="code,f\n1,350\n2,0\n", value_added=MB_VA)
    msg = error_message(TableError, d)
    assert "no output.csv" in msg and "sectors '2' (0)" in msg


def test_output_without_header(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=MB_Z, final_demand=MB_FD, value_added=MB_VA, output="1,1000\n2,2000\n")
    msg = error_message(TableError, d)
    assert "output.csv" in msg and "code,output" in msg


def test_final_demand_codes_must_match_z(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=MB_Z, final_demand="code,f\n1,350\n02,1700\n", value_added=MB_VA)
    msg = error_message(TableError, d)
    assert "final_demand.csv" in msg and "do not match Z.csv" in msg and "['02']" in msg and "'01' and '1' differ" in msg


def test_value_added_codes_must_match_z(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=MB_Z, final_demand=MB_FD, value_added="code,1,3\nW,650,1400\n")
    msg = error_message(TableError, d)
    assert "value_added.csv" in msg and "['3']" in msg


def test_household_code_not_found_flows(tmp_path: Path):
    yaml = "form: flows\nhouseholds: {consumption: PCE, income: W}\n"
    d = make_dir(tmp_path, yaml=yaml, Z=MB_Z, final_demand=MB_FD, value_added=MB_VA)
    msg = error_message(TableError, d)
    assert "final_demand.csv" in msg and "'PCE'" in msg and "Available codes: ['f']" in msg


def test_household_code_not_found_coefficients_with_unquoted_number(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: coefficients\nhouseholds: {label: 07}\n", A="code,1,2\n1,0.1,0.2\n2,0.1,0.2\n")
    msg = error_message(TableError, d)
    assert "A.csv" in msg and "households.label" in msg and "Available codes: ['1', '2']" in msg and "quote it" in msg


def test_households_wrong_keys_for_form(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: coefficients\nhouseholds: {consumption: f, income: W}\n", A="code,1\n1,0.1\n")
    msg = error_message(TableError, d)
    assert "table.yaml" in msg and "label" in msg


def test_not_productive(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: coefficients\n", A="code,a,b\na,0.6,0.6\nb,0.6,0.6\n")
    msg = error_message(NotProductiveError, d)
    assert "A.csv" in msg and "spectral radius is 1.2" in msg


def test_not_productive_flows_names_z(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: flows\n", Z=MB_Z, final_demand=MB_FD, value_added=MB_VA, output="code,output\n1,100\n2,200\n")
    msg = error_message(NotProductiveError, d)
    assert "Z.csv" in msg and "output.csv" in msg and "not productive" in msg


def test_unknown_bundled_name():
    with pytest.raises(TableError) as info:
        load_table("miernik")
    msg = str(info.value)
    assert "'miernik'" in msg
    for name in ("miernyk", "bea2002-sector", "bea2002-summary", "germany1995"):
        assert name in msg


def test_path_that_is_a_file(tmp_path: Path):
    f = tmp_path / "Z.csv"
    f.write_text(MB_Z)
    with pytest.raises(TableError, match="is a file, not a table directory"):
        load_table(f)


def test_invalid_yaml(tmp_path: Path):
    d = make_dir(tmp_path, yaml="form: [flows\n")
    msg = error_message(TableError, d)
    assert "table.yaml" in msg and "not valid YAML" in msg
