"""The :class:`Engine`: the single entry point that the CLI and the API call.

The engine wires the store (persistence) to the pure domain packages. Handlers and commands
never build queries; they call one engine method and render its result.
"""

from __future__ import annotations

from kunde.config import Settings, get_settings
from kunde.store import Store

__all__ = ["Engine"]


class Engine:
    """kunde's application core.

    Args:
        settings: settings to use; defaults to :func:`kunde.config.get_settings`.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.store = Store(self.settings.database_url)

    def init(self) -> None:
        """Create or upgrade the database schema and the data directory."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store.migrate()

    def close(self) -> None:
        """Release database connections."""
        self.store.close()
