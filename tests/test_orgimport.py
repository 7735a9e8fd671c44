"""Tests of the org-chart import: valid tables, one test per error kind, ties, round trip."""

from __future__ import annotations

import hashlib
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.orgchart import INDEX, ROOT, build_org, complete_org, levels_of
from simulator.orgimport import (
    OrgChartError,
    file_digest,
    load_org_csv,
    read_org_table,
    read_ties_table,
    write_org_csv,
)
from simulator.params import OrgParams

DATA = Path(__file__).parent / "data" / "orgcharts"
SEVEN = DATA / "seven.csv"
IDS7 = ("ceo", "cfo", "cto", "acc", "dev1", "dev2", "ops")


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def write(tmp_path: Path, text: str, name: str = "org.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, ids: tuple[str, ...] | None = None) -> str:
    """The message of the OrgChartError raised by reading ``path`` (one line, names it)."""
    with pytest.raises(OrgChartError) as info:
        if ids is None:
            read_org_table(path)
        else:
            read_ties_table(path, ids)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


# --- valid tables -------------------------------------------------------------------------


def test_seven_person_table_with_units_titles_levels() -> None:
    org = load_org_csv(SEVEN, OrgParams(), rng())
    assert org.ids == IDS7
    assert org.manager.tolist() == [ROOT, 0, 0, 1, 2, 2, 5]
    assert org.level.tolist() == [0, 1, 1, 3, 3, 2, 4]  # grades as given, not depths
    assert org.unit_names == ("Finance", "Platform", "Tech", "Top team")
    units = [org.unit_names[u] for u in org.unit]
    # empty cells inherit the manager's unit; the top leader gets "Top team"
    assert units == ["Top team", "Finance", "Tech", "Finance", "Tech", "Platform", "Platform"]
    assert org.titles[0] == "Chief Executive"
    assert org.titles[4] == "Developer, backend"
    assert org.n_reports.tolist() == [2, 1, 2, 0, 0, 1, 0]


def test_levels_and_units_from_the_tree(tmp_path: Path) -> None:
    text = (
        " ID ,Manager ID,Notes\n"
        "acc,cfo,x\ncfo,ceo,\nceo,,top\ncto,ceo,\ndev1,cto,\ndev2,cto,\nops,dev2,\n"
    )
    org = load_org_csv(write(tmp_path, text), OrgParams(), rng())
    assert org.ids == ("acc", "cfo", "ceo", "cto", "dev1", "dev2", "ops")
    assert org.manager.tolist() == [1, 2, ROOT, 2, 3, 3, 5]
    assert org.level.tolist() == [2, 1, 0, 1, 2, 2, 3]
    assert np.array_equal(org.level, levels_of(org.manager))
    assert org.unit_names == ("Top team", "Unit 1", "Unit 2")
    assert org.unit.tolist() == [1, 1, 0, 2, 2, 2, 2]
    assert org.titles == ("",) * 7


def test_bom_blank_rows_quotes_and_empty_level_column(tmp_path: Path) -> None:
    text = '\ufeffid,manager_id,level,title\n"b, x",,,\n\n,,,\n"a","b, x",,"T"\nc,"b, x",,\n'
    table = read_org_table(write(tmp_path, text))
    assert table.ids == ("b, x", "a", "c")
    assert table.manager.tolist() == [ROOT, 0, 0]
    assert table.level is None  # an entirely empty level column counts as absent
    assert table.titles == ("", "T", "")


@pytest.mark.parametrize("sep", [";", "\t"])
@pytest.mark.parametrize(("bom", "newline"), [("", "\n"), ("\ufeff", "\r\n")])
def test_semicolon_and_tab_separated_tables(
    tmp_path: Path, sep: str, bom: str, newline: str
) -> None:
    """European spreadsheets save 'CSV' with semicolons (and a decimal comma)."""
    lines = ["ID;Manager ID;unit;title;level", "ceo;;Sales, EMEA;CEO;0", 'a;ceo;;"R;D";1,0']
    text = bom + newline.join(line.replace(";", sep) for line in lines) + newline
    table = read_org_table(write(tmp_path, text))
    assert table.ids == ("ceo", "a")
    assert table.manager.tolist() == [ROOT, 0]
    assert table.unit_names == ("Sales, EMEA",)
    assert table.titles == ("CEO", f"R{sep}D")
    assert table.level is not None and table.level.tolist() == [0, 1]
    ties = write(tmp_path, f"source{sep}target\nceo{sep}cfo\n", "ties.csv")
    assert read_ties_table(ties, IDS7).tolist() == [[0, 1]]


def test_comma_separated_whatever_the_cells_hold(tmp_path: Path) -> None:
    """The separator comes from the header line; a comma there means commas."""
    text = 'id,manager_id,title,level\nceo,,a;b,0\nx,ceo,"c\td",1\n'
    assert read_org_table(write(tmp_path, text)).titles == ("a;b", "c\td")
    quoted = '"id;x",manager_id\nceo,\nx,ceo\n'  # (a comma outside the quotes)
    assert "missing column id" in error_of(write(tmp_path, quoted))
    decimal = 'id,manager_id,level\nceo,,0\na,ceo,"1,0"\n'  # a comma is not a decimal mark
    assert "row 3, column level: invalid level '1,0'" in error_of(write(tmp_path, decimal))


def test_random_ties_drawn_as_for_generated_orgs() -> None:
    org = load_org_csv(SEVEN, OrgParams(lateral_within=3), rng(5))
    again = complete_org(
        org.manager,
        OrgParams(lateral_within=3),
        rng(5),
        level=org.level,
        unit=org.unit,
        unit_names=org.unit_names,
    )
    assert len(org.lateral) > 0
    assert np.array_equal(org.lateral, again.lateral)
    assert np.array_equal(org.follows, again.follows)


@pytest.mark.filterwarnings("error")  # (and no warning)
def test_ties_file_gives_exactly_those_ties() -> None:
    org = load_org_csv(SEVEN, OrgParams(lateral_within=5), rng(), ties=DATA / "seven_ties.csv")
    # acc-dev1 (three times, both directions) and ops-cfo, as (i, j) with i < j
    assert org.lateral.tolist() == [[1, 6], [3, 4]]
    assert org.lateral.dtype == INDEX  # whole numbers, not the float of a parsed table
    assert org.layers["lateral"].nnz == 4


def test_empty_ties_file_gives_no_ties_and_says_so(tmp_path: Path) -> None:
    """A header-only ties file means no informal ties, not drawn ones as without one."""
    ties = write(tmp_path, "Source,TARGET\n\n", "ties.csv")
    with pytest.warns(UserWarning) as record:
        org = load_org_csv(SEVEN, OrgParams(), rng(), ties=ties)
    assert org.lateral.shape == (0, 2)
    assert [str(w.message) for w in record] == [
        f"{ties}: no ties (a header and no rows), so the organisation has no informal ties"
        " at all; without a ties table they are drawn from org.lateral_within and"
        " org.lateral_across"
    ]


def test_ties_columns_not_used_are_named(tmp_path: Path) -> None:
    """Ties are unweighted: a weight column would silently do nothing."""
    ties = write(tmp_path, "source,target,Weight,\nacc,dev1,0.5,\nops,cfo,3,\n", "ties.csv")
    with pytest.warns(UserWarning) as record:
        pairs = read_ties_table(ties, IDS7)
    assert pairs.tolist() == [[1, 6], [3, 4]]
    assert [str(w.message) for w in record] == [
        f"{ties}: column 'Weight' not used: ties are unweighted (every informal tie has the"
        " weight attention.lateral_weight)"
    ]


def test_file_digest(tmp_path: Path) -> None:
    data = SEVEN.read_bytes()
    assert file_digest(SEVEN) == hashlib.sha256(data).hexdigest()
    assert file_digest(write(tmp_path, data.decode(), "copy.csv")) == file_digest(SEVEN)
    (tmp_path / "changed.csv").write_bytes(data.replace(b"dev2", b"dev3"))
    assert file_digest(tmp_path / "changed.csv") != file_digest(SEVEN)
    with pytest.raises(OrgChartError, match=r"nope\.csv: file not found"):
        file_digest(tmp_path / "nope.csv")


def test_round_trip_of_a_generated_org(tmp_path: Path) -> None:
    org = build_org(OrgParams(size=200), np.random.default_rng(3))
    path = tmp_path / "export.csv"
    write_org_csv(org, path)
    back = load_org_csv(path, OrgParams(), rng())
    assert back.ids == org.ids
    assert np.array_equal(back.manager, org.manager)
    assert np.array_equal(back.level, org.level)
    names = [org.unit_names[u] for u in org.unit]
    assert [back.unit_names[u] for u in back.unit] == names
    assert back.titles == org.titles


def test_large_and_deep_tables_are_read(tmp_path: Path) -> None:
    """100,000 people, and one reporting line 100,000 levels deep (no recursion: a recursive
    walk stopped at Python's recursion limit). (Their speed is not asserted: a timing assert
    failed a CI run on a loaded machine.)"""
    org = build_org(OrgParams(size=100_000), rng())
    path = tmp_path / "big.csv"
    write_org_csv(org, path)
    chain = tmp_path / "chain.csv"  # one long reporting line: 100,000 levels deep
    chain.write_text("id,manager_id\n0,\n" + "".join(f"{i},{i - 1}\n" for i in range(1, 100_000)))
    back = load_org_csv(path, OrgParams(), rng())
    deep = read_org_table(chain)
    assert np.array_equal(back.manager, org.manager)
    assert np.array_equal(deep.depth, np.arange(100_000))


# --- errors in the org table ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in error_of(tmp_path / "nope.csv")


def test_errors_survive_pickling(tmp_path: Path) -> None:
    with pytest.raises(OrgChartError) as info:
        read_org_table(write(tmp_path, "id,manager_id\nceo,\na,boss\n"))
    back = pickle.loads(pickle.dumps(info.value))
    assert str(back) == str(info.value)
    assert (back.path, back.row, back.column) == (str(tmp_path / "org.csv"), 3, "manager_id")


def test_empty_file(tmp_path: Path) -> None:
    assert "is empty" in error_of(write(tmp_path, ""))


def test_no_header(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "\nceo,\na,ceo\n"))
    assert "no header" in message and "row 1" in message


def test_first_row_is_data_not_a_header(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "ceo,\na,ceo\n"))
    assert "missing columns id, manager_id" in message and "'ceo'" in message


def test_missing_required_column(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "ID,Boss,Unit\nceo,,\na,ceo,\n"))
    assert "missing column manager_id" in message
    assert "found: 'ID', 'Boss', 'Unit'" in message


def test_column_given_twice(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id,ID\nceo,,x\na,ceo,y\n"))
    assert "column id appears twice" in message and "columns 1 and 3" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("id,manager_id\nJosé,\nb,José\n".encode("latin-1"))
    assert "not UTF-8" in error_of(path)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_is_named(tmp_path: Path, encoding: str) -> None:
    """Excel's "Unicode Text" (UTF-16 with a byte order mark, tab-separated) read as 'not
    UTF-8 text (bad byte at offset 0)'."""
    path = tmp_path / "unicode.txt"
    text = "id\tmanager_id\nceo\t\na\tceo\n"
    path.write_bytes("\ufeff".encode(encoding) + text.encode(encoding))
    assert error_of(path) == (
        f"{path}: this file is UTF-16 (Excel's 'Unicode Text'); save it as 'CSV UTF-8'"
    )


def test_empty_id(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id,title\nceo,,\n,ceo,Clerk\n"))
    assert "row 3, column id: empty id" in message


def test_duplicate_id(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id\nceo,\na,ceo\nb,ceo\na,b\n"))
    assert "row 5, column id" in message
    assert "duplicate id 'a' (first seen at row 3, again at row 5)" in message


def test_ids_are_exact_strings(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id\n7,\n8,7.0\n"))
    assert "row 3, column manager_id: unknown manager '7.0'" in message


def test_unknown_manager_after_blank_row(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id\nceo,\n\na,ceo\nb,zed\n"))
    assert "row 5, column manager_id: unknown manager 'zed'" in message


def test_own_manager(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id\nceo,\na,ceo\nb,b\n"))
    assert "row 4, column manager_id: 'b' is their own manager" in message


def test_no_people(tmp_path: Path) -> None:
    assert "no people" in error_of(write(tmp_path, "id,manager_id\n"))


def test_one_person(tmp_path: Path) -> None:
    assert "only 1 person" in error_of(write(tmp_path, "id,manager_id\nceo,\n"))


def test_no_top_leader(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id\na,b\nb,a\n"))
    assert "no top leader" in message and "needs an empty" in message


def test_several_top_leaders(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id\nceo,\na,ceo\nboss2,\nc,\n"))
    assert "3 people have an empty manager_id" in message
    assert "row 2 'ceo', row 4 'boss2', row 5 'c'" in message
    assert "exactly one top leader" in message


def test_manager_loop(tmp_path: Path) -> None:
    text = "id,manager_id\nceo,\nx,ceo\nhang,b\na,c\nb,a\nc,b\n"
    message = error_of(write(tmp_path, text))
    # the loop a -> c -> b -> a, named from its first row; 'hang' hangs below it
    assert "row 5, column manager_id: the manager chain loops: " in message
    assert "'a' (row 5) -> 'c' (row 7) -> 'b' (row 6) -> 'a';" in message
    assert "4 people do not lead up to the top leader 'ceo' (row 2)" in message


@pytest.mark.parametrize("value", ["x", "-1", "1.5", "1e3", "two", "1001"])
def test_bad_level(tmp_path: Path, value: str) -> None:
    message = error_of(write(tmp_path, f"id,manager_id,level\nceo,,0\na,ceo,{value}\n"))
    assert f"row 3, column level: invalid level '{value}'" in message
    assert "level must be a whole number >= 0" in message


def test_whole_number_levels_from_a_spreadsheet(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="nobody is at levels 0, 1, 2, 4, 5, 6 "):
        table = read_org_table(write(tmp_path, "id,manager_id,level\nceo,,3.0\na,ceo, 07\n"))
    assert table.level is not None and table.level.tolist() == [3, 7]


def test_empty_level_cell(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "id,manager_id,level\nceo,,0\na,ceo,1\nb,ceo,\n"))
    assert "row 4, column level: empty level" in message


def test_levels_numbered_from_the_bottom_are_refused(tmp_path: Path) -> None:
    """HR grades (the top person highest) would have run as an upside-down hierarchy."""
    text = "id,manager_id,level\nceo,,2\nvp,ceo,1\nx,vp,0\ny,vp,0\n"
    message = error_of(write(tmp_path, text))
    assert "row 3, column level: 'vp' (level 1) reports to 'ceo' (level 2, row 2)" in message
    assert "3 rows break this" in message
    same = "id,manager_id,level\nceo,,0\nvp,ceo,2\nx,vp,2\n"  # equal levels are allowed
    with pytest.warns(UserWarning, match="nobody is at level 1 "):
        assert read_org_table(write(tmp_path, same)).level.tolist() == [0, 2, 2]


def test_grades_with_gaps_load_with_a_warning(tmp_path: Path) -> None:
    """With nobody at level 1, leaders.levels = 2 reaches the top leader only."""
    text = "id,manager_id,level\nceo,,0\nvp,ceo,3\nvp2,ceo,3\nx,vp,5\ny,vp2,7\n"
    path = write(tmp_path, text)
    with pytest.warns(UserWarning) as record:
        org = load_org_csv(path, OrgParams(), rng())
    assert org.level.tolist() == [0, 3, 3, 5, 7]  # as given: gaps are legitimate data
    assert [str(w.message) for w in record] == [
        f"{path}: nobody is at levels 1, 2, 4, 6 (the level column has 0, 3, 5, 7);"
        " leaders.levels and org.follow_levels count levels from 0 (the top), so they reach"
        " fewer people than with grades numbered 0, 1, 2, ... (at the default 2 they reach"
        " 1 person here, not the 3 of the top two grades): renumber the grades 0, 1, 2, ..."
        " or set leaders.levels and org.follow_levels accordingly"
    ]
    deeper = "id,manager_id,level\nceo,,1\na,ceo,1\nb,a,2\n"  # (nobody at the top level 0)
    with pytest.warns(UserWarning, match=r"nobody is at level 0 \(the level column has 1, 2\)"):
        read_org_table(write(tmp_path, deeper))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_org_table(SEVEN)  # levels 0 to 4, no gap: no warning


def test_warnings_reach_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = write(tmp_path, "id,manager_id,level\nceo,,0\na,ceo,2\nb,ceo,2\n")
    ties = write(tmp_path, "source,target\n", "ties.csv")
    args = ["run", "--org-csv", str(chart), "--ties-csv", str(ties), "--steps", "2", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2  # one line each, once
    assert err[0].startswith(f"orgsim: warning: {chart}: nobody is at level 1 (the level column")
    assert err[1].startswith(f"orgsim: warning: {ties}: no ties (a header and no rows)")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('id,manager_id,title\nceo,,CEO\na,ceo,"Head of sales\nb,ceo,x\nc,ceo,y\n', "row 3"),
        ('id,manager_id\nceo,\n"a,ceo\nb,ceo\n"c",ceo\n', "row 3"),
    ],
)
def test_a_quote_left_open_is_named_not_read_to_the_end(
    tmp_path: Path, text: str, where: str
) -> None:
    """An unclosed quote swallowed every later row into one cell: 2 people, no error."""
    message = error_of(write(tmp_path, text))
    assert f"{where}: not a readable CSV file" in message and "quoted cell opens" in message


def test_a_cell_over_several_lines_is_refused(tmp_path: Path) -> None:
    text = 'id,manager_id,title,notes\nceo,,"Chief\nExecutive",\na,ceo,x,"ok\nhere"\n'
    message = error_of(write(tmp_path, text))
    assert "row 2, column title: the cell 'Chief\\nExecutive' runs over 2 lines" in message


def test_a_row_with_an_unquoted_comma_is_refused(tmp_path: Path) -> None:
    """Excel writes ``Sales, EMEA`` unquoted: the title became 'EMEA' and 'VP' was lost."""
    text = "id,manager_id,unit,title\nA,,Exec,CEO\nB,A,Sales, EMEA,VP\nC,B,Sales,Rep\n"
    path = write(tmp_path, text)
    with pytest.raises(OrgChartError) as info:
        read_org_table(path)
    assert str(info.value) == (
        f"{path}, row 3: 5 fields where the header has 4 ('B', 'A', 'Sales', ' EMEA', 'VP');"
        " an unquoted comma inside a cell splits it in two: put that cell in quotes (here"
        ' perhaps "Sales, EMEA")'
    )
    assert (info.value.row, info.value.column) == (3, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a cell over two lines (in a column not read) before: the editor's line differs
            'id,manager_id,notes\nceo,,"two\nlines"\na,ceo,x,y\n',
            "row 3: 4 fields where the header has 3 ('a', 'ceo', 'x', 'y'; line 4 of the file);"
            " an unquoted comma inside a cell splits it in two: put that cell in quotes (as in"
            ' "Sales, EMEA")',
        ),
        (
            "id;manager_id;unit\nceo;;X\na;ceo;R; D\n",
            "row 3: 4 fields where the header has 3 ('a', 'ceo', 'R', ' D'); an unquoted"
            " semicolon inside a cell splits it in two: put that cell in quotes (here perhaps"
            ' "R; D")',
        ),
        (
            "id,manager_id,unit,title\nE0001,,Exec,CEO\n,,,,,,\nE8001\nE0002,E0001,Exec,VP\n",
            "row 4: 1 field where the header has 4 ('E8001'); every row needs a cell for each"
            " column, empty ones too (a row cut short, or a comma missing?)",
        ),
        (  # (an extra cell that is not empty shifts a column, whatever the trailing ones)
            "id,manager_id,unit,,\nceo,,X,,\na,ceo,X,Y,\n",
            "row 3: 5 fields where the header has 3 ('a', 'ceo', 'X', 'Y', ''); an unquoted"
            ' comma inside a cell splits it in two: put that cell in quotes (as in "Sales,'
            ' EMEA")',
        ),
    ],
)
def test_rows_with_more_or_fewer_fields_than_the_header(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert error_of(write(tmp_path, text)) == f"{tmp_path / 'org.csv'}, {expected}"


@pytest.mark.parametrize(
    "text",
    [
        "id,manager_id\nceo,,\na,ceo,\n",  # rows end with a separator the header lacks
        "id,manager_id,,,\nceo,\na,ceo\n",  # the header's trailing empty columns
        "id,manager_id,unit\nceo,,\na,ceo\n",  # a row leaves off its empty last cell
        "sep=;\nid;manager_id\nceo;\na;ceo\n",  # Excel's line naming the separator
        "id;manager_id;Unit, Dept\nceo;;X\na;ceo;X\n",  # a comma in a column's name
        "id;manager_id;Unit, Dept, Team\nceo;;X\na;ceo;X\n",  # as many commas as semicolons
        "id\tmanager_id\tnotes; a; b\nceo\t\tx\na\tceo\ty\n",  # semicolons in one, tabs
    ],
)
def test_cells_that_shift_nothing_load_as_they_did(tmp_path: Path, text: str) -> None:
    """Tables that loaded before rows were checked against the header (helper-40): empty
    cells beyond it and short rows that fill the needed columns shift no cell."""
    table = read_org_table(write(tmp_path, text))
    assert table.ids == ("ceo", "a") and table.manager.tolist() == [ROOT, 0]


def test_a_repeated_header_is_named(tmp_path: Path) -> None:
    """Two exports pasted one under the other: was "unknown manager 'manager_id'"."""
    text = "id,manager_id,unit\nceo,,X\na,ceo,X\n ID,Manager ID,unit\nb,ceo,Y\n"
    message = error_of(write(tmp_path, text))
    assert message.endswith(
        "row 4: a repeated header (' ID', 'Manager ID', 'unit'); only row 1 may name the"
        " columns (tables pasted one under the other?): delete this row"
    )


# --- errors in the ties table --------------------------------------------------------------


def test_ties_need_source_and_target(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "a,b\nceo,cfo\n", "ties.csv"), IDS7)
    assert "missing columns source, target" in message and "found: 'a', 'b'" in message


def test_tie_to_unknown_id(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "source,target\nceo,cfo\ncto,ghost\n", "ties.csv"), IDS7)
    assert "row 3, column target: unknown id 'ghost'" in message


def test_tie_with_empty_end(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "source,target\n,cfo\n", "ties.csv"), IDS7)
    assert "row 2, column source: empty source" in message


def test_self_tie(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "source,target\nceo,cfo\nacc,acc\n", "ties.csv"), IDS7)
    assert "row 3, column target: self-tie 'acc'" in message


def test_tie_rows_with_more_fields_than_the_header(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "source,target\nceo,cfo\nacc,dev1,2\n", "ties.csv"), IDS7)
    assert "ties.csv, row 3: 3 fields where the header has 2 ('acc', 'dev1', '2')" in message


def test_load_reports_ties_errors(tmp_path: Path) -> None:
    ties = write(tmp_path, "source,target\nceo,nobody\n", "ties.csv")
    with pytest.raises(OrgChartError, match=r"ties\.csv, row 2, column target: unknown id"):
        load_org_csv(SEVEN, OrgParams(), rng(), ties=ties)


# --- garbage in: a clear error or an org, never anything else ------------------------------

CELLS = st.sampled_from(["a", "b", "c", "d", "", " ", "0", "1", "-1", "2.5", '"', '"a,b"', ","])
GOOD_HEADERS = st.sets(st.sampled_from(["unit", "title", "level", "x"])).flatmap(
    lambda extra: st.permutations(["id", "manager_id", *sorted(extra)])
)
BAD_HEADERS = st.lists(
    st.sampled_from(["id", "manager_id", "Manager ID", "unit", "title", "level", "x", ""]),
    max_size=6,
)
HEADERS = st.one_of(GOOD_HEADERS, GOOD_HEADERS, BAD_HEADERS)
LINES = st.lists(st.lists(CELLS, max_size=6).map(",".join), max_size=8)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check_loads_or_fails_clearly(path: Path, ties: Path | None = None) -> None:
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            org = load_org_csv(path, OrgParams(), rng(), ties=ties)
    except OrgChartError as err:
        assert "\n" not in str(err)
        return
    for w in record:  # grades with gaps, no ties: one line naming the file
        assert w.category is UserWarning and "\n" not in str(w.message)
        assert str(w.message).startswith((f"{path}: ", f"{ties}: "))
    assert org.n >= 2 and (org.manager == ROOT).sum() == 1
    assert org.unit.max() < len(org.unit_names)
    assert org.layers["manager"].nnz == org.n - 1


@SETTINGS
@given(header=HEADERS, lines=LINES, newline=st.sampled_from(["\n", "\r\n"]))
def test_garbage_tables_load_or_raise_org_chart_error(
    tmp_path: Path, header: list[str], lines: list[str], newline: str
) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(newline.join([",".join(header), *lines]).encode())
    check_loads_or_fails_clearly(path)


NAMES = ("a", "b", "c", "d", "e", "f", "g")


@st.composite
def tree_rows(draw: st.DrawFn) -> list[str]:
    """Rows of a random tree (person i reports to an earlier one), perhaps damaged."""
    n = draw(st.integers(0, 7))
    bosses = [""] + [draw(st.sampled_from(NAMES[:i])) for i in range(1, n)]
    for _ in range(draw(st.integers(0, 2)) if n else 0):  # new managers: roots, loops, typos
        bosses[draw(st.integers(0, n - 1))] = draw(st.sampled_from(["", *NAMES[:n], "z"]))
    units = st.sampled_from(["", "", "U", "V", '"W,X"'])
    titles = st.sampled_from(["", "Boss", '"Lead, sales"', "x y"])
    if draw(st.booleans()):
        levels = [draw(st.sampled_from(["0", "1", "2", "1.0", "x"])) for _ in range(n)]
    else:
        levels = [""] * n
    return [f"{NAMES[i]},{bosses[i]},{draw(units)},{draw(titles)},{levels[i]}" for i in range(n)]


@SETTINGS
@given(rows=tree_rows(), garbage=LINES, damage=st.booleans())
def test_tree_like_tables_load_or_raise_org_chart_error(
    tmp_path: Path, rows: list[str], garbage: list[str], damage: bool
) -> None:
    """Mostly well-formed rows: trees, several roots, loops, unknown managers, bad levels."""
    path = tmp_path / "tree.csv"
    lines = ["id,manager_id,unit,title,level", *rows, *garbage[: int(damage)]]
    path.write_text("\n".join(lines))
    check_loads_or_fails_clearly(path)


@SETTINGS
@given(text=st.text(st.characters(exclude_categories=["Cs"]), max_size=200))
def test_random_text_loads_or_raises_org_chart_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "text.csv"
    path.write_bytes(("id,manager_id\n" + text).encode())
    check_loads_or_fails_clearly(path)


@SETTINGS
@given(lines=LINES, header=st.sampled_from(["source,target", "Target , SOURCE", "source"]))
def test_garbage_ties_load_or_raise_org_chart_error(
    tmp_path: Path, lines: list[str], header: str
) -> None:
    org = tmp_path / "org.csv"
    org.write_text("id,manager_id\nroot,\na,root\nb,a\nc,a\nd,root\n")
    ties = tmp_path / "ties.csv"
    ties.write_text("\n".join([header, *lines]))
    check_loads_or_fails_clearly(org, ties)


def test_the_file_line_after_excels_separator_line(tmp_path: Path) -> None:
    """After a 'sep=;' line the editor's line was one short for rows below a cell over two
    lines (helper-41)."""
    text = 'sep=;\nid;manager_id;notes\nceo;;"two\nlines"\na;ceo;x;y\n'
    message = error_of(write(tmp_path, text))
    assert "row 3: 4 fields where the header has 3 ('a', 'ceo', 'x', 'y'; line 5 of the" in message
