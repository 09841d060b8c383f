"""Reading a customer CSV for the audit command: every row kept, every problem named.

A file that cannot be read as a UTF-8 CSV with an `id` column stops with a message naming the
file and line. Row-level problems (a row with too few or too many fields, an id missing or
repeated, an absurdly long field) do not stop the run: the row is kept and the problem is
listed in the report, so the output never has silently fewer rows than the input.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from integration_pipeline.cleansing.standardise import RECORD_COLUMNS

MAX_FIELD_CHARS = 1_000  # longer values are not names or addresses: kept out of matching
_CSV_FIELD_LIMIT = 64 * 1024 * 1024


class CustomerCsvError(Exception):
    """The file cannot be read at all; the message names the file and, where known, the line."""


@dataclass
class RowProblem:
    line: int
    problem: str


@dataclass
class CustomerCsv:
    path: Path
    frame: pd.DataFrame  # RECORD_COLUMNS as strings (None when empty), one row per data row
    problems: list[RowProblem] = field(default_factory=list)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise CustomerCsvError(
            f"{path}: the file is empty (expected a header line with an id column)"
        )
    if b"\x00" in data[:65536]:
        raise CustomerCsvError(f"{path}: this is not a CSV text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CustomerCsvError(
            f"{path}, line {line}: not UTF-8 (byte 0x{data[error.start]:02x}); save the file as "
            "UTF-8 (Excel: 'CSV UTF-8'; iconv -f WINDOWS-1256 -t UTF-8 for Persian Windows files)"
        ) from error


def read_customer_csv(path: Path, progress=lambda _: None) -> CustomerCsv:
    text = _decode(path)
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise CustomerCsvError(f"{path}, line 1: {error}") from error
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    if "id" not in names:
        raise CustomerCsvError(
            f"{path}, line 1: no 'id' column in the header ({', '.join(names[:12]) or 'empty'}); "
            f"expected the columns {', '.join(RECORD_COLUMNS)} (any may be empty)"
        )
    positions = {name: names.index(name) for name in RECORD_COLUMNS if name in names}
    columns: dict[str, list[str | None]] = {name: [] for name in RECORD_COLUMNS}
    problems: list[RowProblem] = []
    seen: set[str] = set()
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line is not a record
            if len(row) != len(names):
                problems.append(
                    RowProblem(line, f"{len(row)} fields where the header has {len(names)}")
                )
            for name in RECORD_COLUMNS:
                index = positions.get(name)
                value = row[index].strip() if index is not None and index < len(row) else ""
                if len(value) > MAX_FIELD_CHARS:
                    problems.append(
                        RowProblem(
                            line, f"{name} is {len(value):,} characters; left out of matching"
                        )
                    )
                    value = ""
                columns[name].append(value or None)
            record_id = columns["id"][-1]
            if record_id is None:
                columns["id"][-1] = record_id = f"line-{line}"
                problems.append(RowProblem(line, f"no id; called {record_id} in the output"))
            elif record_id in seen:
                problems.append(RowProblem(line, f"id {record_id} appears more than once"))
            seen.add(record_id)
            if line % 200_000 == 0:
                progress(f"read {len(columns['id']):,} rows")
    except csv.Error as error:
        raise CustomerCsvError(f"{path}, line {reader.line_num}: {error}") from error
    if not columns["id"]:
        raise CustomerCsvError(f"{path}: a header but no rows")
    return CustomerCsv(path, pd.DataFrame(columns, dtype=object), problems)
