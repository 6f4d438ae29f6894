"""Private orchestration behind :class:`kunde.engine.Engine`: functions that take the Store."""
