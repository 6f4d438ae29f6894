"""Scrubbing files: rows, entries and lines that name the person go; everything else stays."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kunde.privacy import mentions, scrub_directory


def test_csv_json_text_and_gzip_lose_only_the_person(tmp_path: Path) -> None:
    (tmp_path / "rejects").mkdir()
    (tmp_path / "rejects" / "r.csv").write_text("customer_id,reason\nC-1,bad\nC-12,bad\n")
    (tmp_path / "a.json").write_text(
        json.dumps({"C-1": 1, "C-12": 2, "rows": [{"id": "C-1"}, {"id": "C-2"}], "n": "Jörg"})
    )
    (tmp_path / "log.txt").write_text("x C-1 y\nother\n")
    (tmp_path / "r.csv.gz").write_bytes(gzip.compress(b"c\nC-1\nC-3\n"))
    report = scrub_directory(tmp_path, ["C-1", "Jörg"])
    assert len(report.rewritten) == 4 and not report.removed
    assert (tmp_path / "rejects" / "r.csv").read_text() == "customer_id,reason\nC-12,bad\n"
    assert json.loads((tmp_path / "a.json").read_text()) == {"C-12": 2, "rows": [{"id": "C-2"}]}
    assert (tmp_path / "log.txt").read_text() == "other\n"
    assert gzip.decompress((tmp_path / "r.csv.gz").read_bytes()) == b"c\nC-3\n"


def test_parquet_loses_the_rows_and_opaque_artefacts_are_removed(tmp_path: Path) -> None:
    pq.write_table(pa.table({"customer_id": ["C-1", "C-2"], "v": [1, 2]}), tmp_path / "t.parquet")
    np.savez_compressed(tmp_path / "model.npz", ids=np.array(["C-1", "C-2"]))
    np.savez_compressed(tmp_path / "other.npz", ids=np.array(["C-2", "C-3"]))
    report = scrub_directory(tmp_path, ["C-1"])
    assert pq.read_table(tmp_path / "t.parquet").column("customer_id").to_pylist() == ["C-2"]
    assert report.removed == [tmp_path / "model.npz"]
    assert (tmp_path / "other.npz").exists()


def test_mentions_needs_a_whole_word_in_any_encoding() -> None:
    assert mentions(b"id C-1,", ["C-1"])
    assert not mentions(b"C-12", ["C-1"])
    assert mentions("C-1".encode("utf-32-le"), ["C-1"])
    assert not mentions("C-12".encode("utf-16-le"), ["C-1"])
    assert mentions("C-1C-2".encode("utf-32-le"), ["C-1"], whole_words=False)
