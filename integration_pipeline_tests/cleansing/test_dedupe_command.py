"""The audit command as a user runs it: every row out, a profile, clear errors on bad files."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from integration_pipeline.cleansing.customer_csv import CustomerCsvError, read_customer_csv

HEADER = (
    "id,first_name,last_name,company,email,phone,street,city,postal_code,country,"
    "national_id,birth_date,notes\n"
)
ROWS = [
    "1,علی,کریمی,,ali.karimi@example.ir,09121234567,خ. انقلاب ۱۲,تهران,1201071364,IR,,"
    "1370/05/12,vip\n",
    "2,علي,كريمي,,Ali.Karimi@Example.IR,+98 912 123 4567,خیابان انقلاب 12,Tehran,"
    "۱۲۰۱۰۷۱۳۶۴,ایران,,1991-08-03,\n",
    "3,Sara,Ahmadi,,sara@example.com,02188881234,,Shiraz,,IR,,,\n",
    "4,,,شرکت پارس (سهامی خاص),info@pars.ir,021 4444 5555,,تهران,,IR,,,\n",
    "5,,,پارس,INFO@PARS.IR,۰۲۱۴۴۴۴۵۵۵۵,,Tehran,,Iran,,,\n",
]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "integration-pipeline"), "dedupe", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.slow
def test_dedupe_writes_every_row_and_groups_the_same_customer(tmp_path):
    source = _write(tmp_path / "in.csv", HEADER + "".join(ROWS * 1))
    out = tmp_path / "out.csv"
    result = _cli(str(source), "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    cluster = {r["id"]: r["cluster_id"] for r in rows}
    assert cluster["1"] == cluster["2"] and cluster["4"] == cluster["5"]
    assert cluster["3"] not in (cluster["1"], cluster["4"])
    assert "5 rows" in result.stderr and "duplicates: 2 rows" in result.stderr
    assert "reading" in result.stderr and "wrote" in result.stderr  # progress as it goes


@pytest.mark.slow
def test_link_mode_writes_the_accepted_pairs_left_to_right(tmp_path):
    left = _write(tmp_path / "crm.csv", HEADER + ROWS[0] + ROWS[2] + ROWS[3])
    right = _write(
        tmp_path / "erp.csv",
        HEADER + ROWS[1].replace("2,", "E2,", 1) + ROWS[4].replace("5,", "E5,", 1),
    )
    out = tmp_path / "links.csv"
    result = _cli(str(left), "--link", str(right), "--out", str(out))
    assert result.returncode == 0, result.stderr
    pairs = {(r["left_id"], r["right_id"]) for r in csv.DictReader(out.open())}
    assert pairs == {("1", "E2"), ("4", "E5")}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"name,email\nAli,a@b.ir\n", "line 1: no 'id' column"),
        (HEADER.encode() + "1,علي,كريمي\n".encode("cp1256"), "line 2: not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file"),
        (b'id,first_name\n1,"unterminated\n', "line 2"),
        (HEADER.encode(), "a header but no rows"),
    ],
)
def test_unreadable_files_get_a_clear_error_naming_file_and_line(tmp_path, content, message):
    path = _write(tmp_path / "bad.csv", content)
    with pytest.raises(CustomerCsvError, match=message) as error:
        read_customer_csv(path)
    assert str(path) in str(error.value)
    result = _cli(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 2 and "error:" in result.stderr and "Traceback" not in result.stderr


def test_row_problems_are_reported_and_the_rows_kept(tmp_path):
    huge = "x" * 10_000_000
    path = _write(
        tmp_path / "ragged.csv",
        HEADER
        + ROWS[0]
        + "7,Reza\n"
        + f"8,{huge},Rahimi,,,,,,,,,,\n"
        + ",No,Id,,,,,,,,,,\n"
        + ROWS[0].replace("vip", "vip,extra"),
    )
    data = read_customer_csv(path)
    assert list(data.frame["id"]) == ["1", "7", "8", "line-5", "1"]
    problems = {p.line: p.problem for p in data.problems}
    assert "2 fields where the header has 13" in problems[3]
    assert "first_name is 10,000,000 characters" in problems[4]
    assert "no id" in problems[5]
    assert "appears more than once" in problems[6]
    assert data.frame.loc[2, "first_name"] is None and data.frame.loc[2, "last_name"] == "Rahimi"
