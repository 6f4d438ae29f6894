"""Whether a store may be read from two threads at once."""

from __future__ import annotations

from pathlib import Path

from kunde.store import Store


def test_only_a_file_database_is_read_concurrently(tmp_path: Path) -> None:
    memory = Store("sqlite://")
    on_disk = Store(f"sqlite:///{tmp_path / 'kunde.db'}")
    try:
        assert not memory.concurrent_reads  # one shared connection
        assert on_disk.concurrent_reads
    finally:
        memory.close()
        on_disk.close()
