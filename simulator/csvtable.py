"""Read a table of an org chart (a CSV file, as spreadsheets save it) into rows by column.

The org and ties tables of :mod:`simulator.orgimport` are read here, by :func:`read_table`:
UTF-8 text (a byte order mark is skipped; UTF-16, as Excel's "Unicode Text" saves it, is
named as such), a header row naming the columns (matched case-insensitively, spaces and
dashes read as ``_``), then one row per record. Cells are
separated by whichever of commas, tabs and semicolons the header line has most of
(:func:`_separator`; or as Excel's first line ``sep=;`` says); a cell holding a separator is
quoted. A row has no more cells than the header but empty ones, reaches the required columns
and does not repeat the header (:func:`_check_fields`), and no cell of a known column runs over
lines. Every problem raises :class:`OrgChartError` with one line naming the file, the row (as
a spreadsheet shows it: the header is row 1), the column, the value and what is allowed.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "org.csv"
>>> _ = path.write_text('sep=;\\nID;Manager ID;Unit\\nceo;;\\na;ceo;"Sales; EMEA"\\n')
>>> table = read_table(path, ("id", "manager_id"), ("unit",))
>>> table.separator, table.rows[1]
(';', (3, {'id': 'a', 'manager_id': 'ceo', 'unit': 'Sales; EMEA'}))
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

Path = str | os.PathLike[str]
Rows = list[tuple[int, dict[str, str]]]


class OrgChartError(ValueError):
    """A bad org-chart or ties table; ``str(err)`` is one readable line.

    Attributes ``path``, ``row`` (as a spreadsheet numbers it: the header is row 1) and
    ``column`` locate the problem where that makes sense, else they are ``None``.
    """

    def __init__(
        self, path: str, problem: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        where = path + (f", row {row}" if row else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {problem}")
        self.path, self.row, self.column, self.problem = path, row, column, problem

    def __reduce__(self) -> tuple[object, ...]:  # keep it picklable (worker processes)
        kwargs = {"row": self.row, "column": self.column}
        return (_rebuild_error, (self.path, self.problem, kwargs))


def _rebuild_error(path: str, problem: str, kwargs: dict[str, Any]) -> OrgChartError:
    return OrgChartError(path, problem, **kwargs)


def quote(value: str) -> str:
    """A cell value quoted for a one-line message (escaped, shortened)."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


class Table(NamedTuple):
    """What :func:`read_table` gives: the rows, the separator and the unused named columns."""

    rows: Rows
    separator: str
    unused: list[str]


_SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


def _separator(header: str, wanted: Sequence[str] = ()) -> str:
    """The first of ``,``, a tab and ``;`` that splits the header line into the ``wanted``
    columns, else whichever it has most of outside quotes, in that order on a tie (European
    spreadsheets save 'CSV' with semicolons; a column name may hold a comma, ``Unit, Dept``,
    or a semicolon).

    >>> _separator("id;manager_id;unit"), _separator('"a,b";c'), _separator("id,x;y")
    (';', ';', ',')
    >>> _separator("id;manager_id;Unit, Dept, Team", ["id", "manager_id"])
    ';'
    """
    line = header.rstrip("\r\n")
    for sep in (",", "\t", ";"):
        names = {_column_name(cell) for cell in next(csv.reader([line], delimiter=sep), [])}
        if wanted and all(c in names for c in wanted):
            return sep
    bare = re.sub(r'"[^"]*"?', "", line)
    counts = {sep: bare.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])  # (the first of the most: a comma)
    return best if counts[best] else ","


def _column_name(cell: str) -> str:
    """A header cell as a column name: ``" Manager ID"`` is ``manager_id``."""
    return re.sub(r"[\s-]+", "_", cell.strip().lower())


def _cells(record: list[str]) -> str:
    """A row's cells for a one-line message (the first 8)."""
    return ", ".join(quote(cell) for cell in record[:8]) + (", ..." if len(record) > 8 else "")


def _check_fields(
    name: str, record: list[str], row: int, line: int, header: list[str], sep: str, need: int
) -> None:
    """Refuse a data row that repeats the header, has cells beyond the header's (an unquoted
    separator shifts them), or stops before the ``need`` columns it must fill. Empty cells
    beyond the header (a spreadsheet's trailing separators) and a row that leaves off its
    last, optional, empty cells are taken, as they can shift nothing."""
    named = [k for k, col in enumerate(header) if col]
    if all(k < len(record) and _column_name(record[k]) == header[k] for k in named):
        problem = (
            f"a repeated header ({_cells(record)}); only row 1 may name the columns"
            " (tables pasted one under the other?): delete this row"
        )
        raise OrgChartError(name, problem, row=row)
    width = named[-1] + 1  # (a header's trailing empty columns name nothing)
    extra = record[width:]
    if need <= len(record) and not any(cell.strip() for cell in extra):
        return
    header = header[:width]
    at = f"; line {line} of the file" if line != row else ""  # (after a cell over lines)
    fields = f"{len(record)} field{'s' * (len(record) != 1)}"
    problem = f"{fields} where the header has {len(header)} ({_cells(record)}{at})"
    word = _SEPARATORS[sep]
    if len(record) > len(header):
        problem += f"; an unquoted {word} inside a cell splits it in two: put that cell in quotes"
        if sep != "\t":  # (a cell that starts with a space was likely split off its left one)
            k = next((k for k in range(1, len(record)) if re.match(r" +\S", record[k])), 0)
            cell = f"{record[k - 1]}{sep}{record[k]}" if k else f"Sales{sep} EMEA"
            cell = cell if len(cell) <= 40 else cell[:37] + "..."
            problem += f' ({"here perhaps " if k else "as in "}"{cell}")'
    else:
        problem += (
            f"; every row needs a cell for each column, empty ones too (a row cut short, or a"
            f" {word} missing?)"
        )
    raise OrgChartError(name, problem, row=row)


def _starts_utf16(path: Path) -> bool:
    """Whether the file opens with a UTF-16 byte order mark, as Excel's "Unicode Text"
    (tab-separated UTF-16) does."""
    with open(path, "rb") as f:
        return f.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_table(path: Path, wanted: Sequence[str], optional: Sequence[str] = ()) -> Table:
    """Non-blank rows as ``(row number, {column: stripped cell})`` for the known columns.

    The separator is what :func:`_separator` finds in the header line (or Excel's first
    line ``sep=;`` names). A non-blank row must not repeat the header, nor hold more
    non-empty cells than it, nor stop before the required columns (:func:`_check_fields`).
    """
    name = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            first = f.readline()
            named = re.fullmatch(r"sep=([,;\t|])\r?\n?", first)  # (Excel's first line)
            sep = named.group(1) if named else _separator(first, wanted)
            f.seek(0)
            if named:
                f.readline()
            reader = csv.reader(f, delimiter=sep, strict=True)
            records: list[list[str]] = []
            lines: list[int] = []  # the line of the file where each record starts
            try:
                skipped = 1 if named else 0  # (the reader counts from the line after)
                start = 1 + skipped
                for record in reader:
                    records.append(record)
                    lines.append(start)
                    start = reader.line_num + 1 + skipped
            except csv.Error as err:
                problem = f"not a readable CSV file ({err})"
                if "end of data" in str(err) or "expected after" in str(err):
                    problem += (
                        ": a quoted cell opens in this row and is not closed where it should be"
                    )
                raise OrgChartError(name, problem, row=len(records) + 1) from err
    except FileNotFoundError as err:
        raise OrgChartError(name, "file not found") from err
    except UnicodeDecodeError as err:
        problem = f"not UTF-8 text (bad byte at offset {err.start}); save it as 'CSV UTF-8'"
        if _starts_utf16(path):
            problem = "this file is UTF-16 (Excel's 'Unicode Text'); save it as 'CSV UTF-8'"
        raise OrgChartError(name, problem) from err
    except OSError as err:
        raise OrgChartError(name, f"cannot read the file ({err.strerror or err})") from err
    need = ", ".join(wanted)
    if not records:
        raise OrgChartError(name, f"the file is empty; expected a header row ({need}, ...)")
    header = [_column_name(cell) for cell in records[0]]
    if not any(header):
        raise OrgChartError(name, f"no header: row 1 is empty; it must name the columns {need}")
    columns: dict[str, int] = {}
    for k, col in enumerate(header):
        if col in (*wanted, *optional) and col in columns:
            problem = f"column {col} appears twice (columns {columns[col] + 1} and {k + 1})"
            raise OrgChartError(name, problem, row=1)
        columns.setdefault(col, k)
    missing = [c for c in wanted if c not in columns]
    if missing:
        found = ", ".join(quote(cell.strip()) for cell in records[0][:12])
        raise OrgChartError(
            name,
            f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)} (found: {found}); "
            f"row 1 must be a header naming the columns {need}",
        )
    index = [(c, columns[c]) for c in (*wanted, *optional) if c in columns]
    for number, record in enumerate(records, start=1):
        for c, k in index:
            if k < len(record) and "\n" in record[k]:
                problem = (
                    f"the cell {quote(record[k])} runs over {record[k].count(chr(10)) + 1}"
                    " lines (a quote opened and closed far apart?); each cell must be on one"
                    " line"
                )
                raise OrgChartError(name, problem, row=number, column=c)
        if number > 1 and any(cell.strip() for cell in record):
            filled = max(columns[c] for c in wanted) + 1  # (the cells a row must reach)
            _check_fields(name, record, number, lines[number - 1], header, sep, filled)
    rows = [
        (number, {c: record[k].strip() if k < len(record) else "" for c, k in index})
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    known = (*wanted, *optional)
    unused = [records[0][k].strip() for k, col in enumerate(header) if col and col not in known]
    return Table(rows, sep, unused)
