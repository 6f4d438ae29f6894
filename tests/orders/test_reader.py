"""Reading .csv, .csv.gz and .parquet: batches, line numbers, per-line rejects, unreadable files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kunde.errors import UnreadableFileError
from kunde.orders import SourceFile

FIXTURES = Path(__file__).parent / "fixtures"


def read_all(path: Path, batch_rows: int = 1000) -> tuple[list[list[str]], list[int], list]:
    source = SourceFile(path, batch_rows)
    rows: list[list[str]] = []
    lines: list[int] = []
    rejects = []
    for batch in source.batches():
        columns = [c.to_pylist() for c in batch.columns]
        rows.extend([list(r) for r in zip(*columns, strict=True)])
        lines.extend(batch.lines.tolist())
        rejects.extend(batch.rejects)
    return rows, lines, rejects


def test_csv_gzip_and_parquet_read_the_same_rows(tmp_path: Path) -> None:
    plain = FIXTURES / "canonical.csv"
    packed = tmp_path / "canonical.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    rows, lines, rejects = read_all(plain)
    assert read_all(packed) == (rows, lines, rejects)
    assert len(rows) == 5 and lines == [2, 3, 4, 5, 6] and rejects == []
    table = pa.table(
        {name: [r[i] for r in rows] for i, name in enumerate(SourceFile(plain, 10).header)}
    )
    parquet = tmp_path / "canonical.parquet"
    pq.write_table(table, parquet)
    parquet_rows, parquet_lines, _ = read_all(parquet)
    assert parquet_rows == rows and parquet_lines == [1, 2, 3, 4, 5]


def test_parquet_typed_columns_become_text(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    table = pa.table(
        {
            "customer_id": ["c1", None],
            "ordered_at": pa.array(
                [1_700_000_000_000_000, 1_700_000_060_000_000], pa.timestamp("us")
            ),
            "quantity": [2, 3],
            "unit_price": [9.5, 1.25],
        }
    )
    pq.write_table(table, path)
    rows, _, _ = read_all(path)
    assert rows[0] == ["c1", "2023-11-14 22:13:20.000000", "2", "9.5"]
    assert rows[1][0] == ""


def test_malformed_lines_and_bad_utf8_are_rejects_with_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_bytes(
        b"a,b,c\n"
        b"1,2,3\n"  # line 2
        b"\n"  # line 3: blank, skipped
        b"4,5\n"  # line 4: too few fields
        b'"multi\nline",6,7\n'  # line 5 (one record over two physical lines)
        b"8,9,10,11\n"  # line 6: too many fields
        b"12,\xff\xfe,14\n"  # line 7: not UTF-8
        b"15,\x00,17\n"  # line 8: NUL
        b"18,19,20\n"  # line 9
    )
    rows, lines, rejects = read_all(path, batch_rows=2)
    assert rows == [["1", "2", "3"], ["multi\nline", "6", "7"], ["18", "19", "20"]]
    assert lines == [2, 5, 9]
    assert [(r.line, r.reason.split(" ")[1]) for r in rejects] == [
        (4, "line"),
        (6, "line"),
        (7, "line"),
        (8, "line"),
    ]
    assert "2 fields where the header has 3" in rejects[0].reason
    assert rejects[0].values == ["4", "5"]
    assert rejects[1].values == ["8", "9", "10,11"]
    assert "UTF-8" in rejects[2].reason and rejects[2].values[1] == "\\xff\\xfe"
    assert "NUL" in rejects[3].reason


def test_semicolon_files_and_byte_order_marks_are_understood(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffKunde;Datum;Betrag\nK1;01.03.2024;12,50\n".encode())
    source = SourceFile(path, 10)
    assert source.header == ["Kunde", "Datum", "Betrag"]
    rows, _, _ = read_all(path)
    assert rows == [["K1", "01.03.2024", "12,50"]]


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty-but-header.csv"
    path.write_text("customer_id,ordered_at,amount\n")
    assert read_all(path) == ([], [], [])


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", id="binary"),
        pytest.param(b"PK\x03\x04rest-of-zip", "ZIP", id="zip"),
        pytest.param(b"\x1f\x8b\x08\x00broken", "gzip", id="broken-gzip"),
        pytest.param(b"PAR1 not really parquet", "Parquet", id="fake-parquet"),
        pytest.param("caf\xe9,b\n1,2\n".encode("latin-1"), "UTF-8", id="latin-1-header"),
        pytest.param(b"\n\n", "header", id="no-header"),
    ],
)
def test_unreadable_files_are_refused_before_reading(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=words):
        SourceFile(path, 10)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no such file"):
        SourceFile(tmp_path / "nope.csv", 10)


def test_batches_hold_at_most_batch_rows(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(2500)))
    sizes = [len(batch) for batch in SourceFile(path, 1000).batches()]
    assert sum(sizes) == 2500
    assert max(sizes) <= 1000


def test_file_that_breaks_off_is_unreadable(tmp_path: Path) -> None:
    text = "a,b\n" + "".join(f"{i},{i * 7}\n" for i in range(20_000))
    packed = gzip.compress(text.encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(UnreadableFileError, match=r"cut\.csv\.gz"):
        for _ in SourceFile(path, 100).batches():
            pass
