"""Removing a person from files: model artefacts, exports and reject files under the data dir.

Each file is searched for the person's identifiers (UTF-8, and the UTF-16/32 forms in which
numpy and other binary formats store text; compressed files and zip members are opened first).
A file that mentions them is rewritten without them where its format allows (CSV keeps its
header and loses the rows, JSON loses the entries and records, text and JSON lines lose the
lines, Parquet loses the rows); any other file that mentions them (a binary model artefact) is
removed: the next ``kunde train`` builds it again without the person, as the erasure register
keeps them out.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ScrubReport", "mentions", "scrub_directory", "scrub_file"]

_TEXT_LINES = (".txt", ".log", ".jsonl", ".ndjson")


@dataclass
class ScrubReport:
    """What a scrub changed."""

    rewritten: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


_ENCODINGS = (("utf-8", 1), ("utf-16-le", 2), ("utf-32-le", 4))


def _is_word_byte(byte: int) -> bool:
    return chr(byte).isascii() and chr(byte).isalnum()


def _found(data: bytes, needle: str, whole_words: bool) -> bool:
    """Whether ``needle`` occurs in ``data`` (as a whole word: not inside a longer id)."""
    for encoding, width in _ENCODINGS:
        form = needle.encode(encoding)
        start = data.find(form)
        if start >= 0 and not whole_words:
            return True
        while start >= 0:
            end = start + len(form)
            # in UTF-16/32-LE an ASCII neighbour's low byte sits ``width`` bytes away
            before = start >= width and _is_word_byte(data[start - width])
            after = end < len(data) and _is_word_byte(data[end])
            if not (before and needle[0].isalnum()) and not (after and needle[-1].isalnum()):
                return True
            start = data.find(form, start + 1)
    return False


def _pattern(needles: Sequence[str]) -> re.Pattern[str]:
    words = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    return re.compile(rf"(?<![0-9A-Za-z])(?:{words})(?![0-9A-Za-z])")


def _plain(path: Path, raw: bytes) -> list[bytes]:
    """The contents to search: the file, its decompressed form, or its zip members."""
    if path.suffix == ".gz":
        try:
            return [gzip.decompress(raw)]
        except (OSError, EOFError):
            return [raw]
    if raw[:4] == b"PK\x03\x04":  # zip, npz, xlsx
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                return [raw, *(archive.read(name) for name in archive.namelist())]
        except (zipfile.BadZipFile, OSError):
            return [raw]
    if path.suffix == ".json":
        try:  # JSON may escape non-ASCII letters (\u00fc): search its decoded form as well
            decoded = json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8")
        except ValueError:
            return [raw]
        return [raw, decoded]
    return [raw]


def mentions(data: bytes, needles: Sequence[str], *, whole_words: bool = True) -> bool:
    """Whether ``data`` holds any needle in UTF-8, UTF-16-LE or UTF-32-LE.

    Args:
        whole_words: only as a whole word (``C-1`` is not in ``C-12``). Binary formats pack
            strings without separators (numpy's fixed-width arrays), so for them any
            occurrence counts.
    """
    return any(_found(data, needle, whole_words) for needle in needles if needle)


def _contains(value: Any, needles: re.Pattern[str]) -> bool:
    if isinstance(value, str):
        return needles.search(value) is not None
    if isinstance(value, dict):
        return any(_contains(k, needles) or _contains(v, needles) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains(v, needles) for v in value)
    return False


def _without(value: Any, needles: re.Pattern[str]) -> Any:
    """``value`` without the dict entries and list items that mention a needle."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if _contains(key, needles) or (
                not isinstance(item, dict | list) and _contains(item, needles)
            ):
                continue
            kept[key] = _without(item, needles)
        return kept
    if isinstance(value, list):
        return [_without(item, needles) for item in value if not _contains(item, needles)]
    return value


def _csv_without(text: str, needles: re.Pattern[str]) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    for index, row in enumerate(rows):
        if index == 0 or not any(needles.search(value) for value in row):
            writer.writerow(row)
    return out.getvalue()


def _rewritten(path: Path, text: str, needles: re.Pattern[str]) -> str | None:
    """The text without the needles, or ``None`` when the format is not rewritable."""
    name = path.name.removesuffix(".gz")
    if name.endswith(".csv"):
        return _csv_without(text, needles)
    if name.endswith(".json"):
        return json.dumps(
            _without(json.loads(text), needles), indent=2, sort_keys=True, ensure_ascii=False
        )
    if name.endswith(_TEXT_LINES):
        kept = [line for line in text.splitlines(keepends=True) if not _contains(line, needles)]
        return "".join(kept)
    return None


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.scrub")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _scrub_parquet(path: Path, needles: Sequence[str]) -> bool:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    pattern = _pattern(needles)
    hit = [False] * table.num_rows
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            for row, value in enumerate(column.to_pylist()):
                hit[row] = hit[row] or (value is not None and pattern.search(value) is not None)
    if not any(hit):
        return False
    tmp = path.with_name(f".{path.name}.{os.getpid()}.scrub")
    try:
        pq.write_table(table.filter(pa.array([not h for h in hit])), tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def scrub_file(path: Path, needles: Sequence[str], report: ScrubReport) -> None:
    """Rewrite or remove one file if it mentions a needle (see the module docstring)."""
    if path.suffix == ".parquet":
        try:
            if _scrub_parquet(path, needles):
                report.rewritten.append(path)
            return
        except Exception:  # unreadable as Parquet: treat it as an opaque file below
            pass
    raw = path.read_bytes()
    text_format = path.name.removesuffix(".gz").endswith((".csv", ".json", *_TEXT_LINES))
    parts = _plain(path, raw)
    if not any(mentions(part, needles, whole_words=text_format) for part in parts):
        return
    try:
        text = parts[0].decode("utf-8")
        new = _rewritten(path, text, _pattern(needles))
    except (UnicodeDecodeError, ValueError):
        new = None
    if new is None or mentions(new.encode("utf-8"), needles):
        path.unlink()
        report.removed.append(path)
        return
    data = new.encode("utf-8")
    _replace(path, gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    report.rewritten.append(path)


def scrub_directory(directory: Path, needles: Sequence[str]) -> ScrubReport:
    """Scrub every file below ``directory`` (a missing directory holds nothing)."""
    report = ScrubReport()
    needles = [n for n in needles if n]
    if not directory.is_dir() or not needles:
        return report
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and not p.is_symlink()):
        scrub_file(path, needles, report)
    return report
