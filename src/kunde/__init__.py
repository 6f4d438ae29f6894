"""kunde: a self-hosted customer-centricity engine for small and mid-sized retailers."""

from __future__ import annotations

from kunde.engine import Engine
from kunde.errors import KundeError

__all__ = ["Engine", "KundeError", "__version__"]

__version__ = "0.1.0"
