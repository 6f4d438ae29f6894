"""Typed settings, read from the environment (prefix ``KUNDE_``) through :func:`get_settings`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kunde.errors import ConfigurationError

__all__ = ["Settings", "get_settings"]

_DEV_SECRET = "kunde-development-secret-change-me"


class Settings(BaseSettings):
    """kunde's settings. Every field can be set as ``KUNDE_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="KUNDE_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    """``production`` refuses unsafe defaults such as the development secret."""

    database_url: str = "sqlite:///./kunde.db"
    """SQLAlchemy URL: ``sqlite:///path`` (embedded, WAL) or ``postgresql+psycopg://...``."""

    data_dir: Path = Path("./kunde-data")
    """Where model artefacts and import reject files are written."""

    secret_key: str = _DEV_SECRET
    """Signs customer tokens. Must be set to a long random value in production."""

    customer_token_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    """How long a customer token works unless the issuer asks for less (default one hour)."""

    customer_token_max_ttl_seconds: int = Field(default=24 * 3600, ge=60, le=7 * 24 * 3600)
    """The longest lifetime an issuer may ask for (at most a week)."""

    bookkeeping_retention_years: int = Field(default=10, ge=0, le=30)
    """How long order lines are kept, pseudonymised, after an erasure (Germany: 10 years)."""

    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    """Requests with a larger body are refused with 413."""

    max_batch_items: int = Field(default=10_000, gt=0)
    """Most orders/events/products accepted in one API request."""

    import_batch_rows: int = Field(default=65_536, gt=0)
    """Rows committed together during file imports (bounds memory and redo after a crash)."""

    default_currency: str = "EUR"
    """Currency of imported lines that name none."""

    recommend_editorial_share: float = Field(default=0.3, ge=0.0, le=1.0)
    """Share of a personal feed's slots for editorial picks (``PUT /v1/editorial``); without
    picks those slots fall back to the personal ranking."""

    recommend_category_cap: int = Field(default=4, ge=1, le=10)
    """Most items of one category on a page of ten (scaled, rounding up, for other sizes)."""

    recommend_category_depth: int = Field(default=2, ge=1, le=10)
    """Levels of the category path ('Garden > Seeds > Herbs') that make a feed category."""

    recommend_explore_slots: int = Field(default=1, ge=0)
    """Items from outside the customer's known categories, when the catalog allows."""

    recommend_new_release_slots: int = Field(default=1, ge=0)
    """Slots for new releases in the customer's categories of interest."""

    recommend_novelty_days: int = Field(default=60, ge=0)
    """A product released at most this many days before the newest order counts as new."""

    recommend_interest_half_life_days: float = Field(default=90.0, gt=0.0)
    """Half-life of the customer's interests: a purchase this old counts half."""

    recommend_consumable_categories: list[str] = Field(default_factory=list)
    """Categories whose products may be recommended again after a purchase (a category and
    everything under it), e.g. ``KUNDE_RECOMMEND_CONSUMABLE_CATEGORIES='["Pets > Food"]'``."""

    recommend_candidates: int = Field(default=50, ge=10, le=500)
    """Personal candidates stored per customer at training time."""

    recommend_reranker: bool = True
    """Train the learned re-ranker on top of the blended ranking (more accurate, slower)."""

    recommend_coverage_calibration: bool = True
    """Calibrate the re-ranker's popularity penalty at training time so that the lists of
    recently active customers span at least as much of the catalog as EASE's would (fewer
    repeats of the current best-sellers; offline recall and NDCG within ±2.2 % on Online
    Retail)."""

    recommend_reload_seconds: float = Field(default=1.0, ge=0.0)
    """How often a running server checks for a newly trained model (a file stat)."""

    recommend_page_cache: int = Field(default=4096, ge=0)
    """Customer pages each server process keeps (0: none). A page is reused only while the
    model, the customer's state as read from the database and the request are the same, so it
    is never stale. On an SQLite file the state is read again only after a commit to the
    database (by anyone); elsewhere on every request."""
    identity_max_profiles: int = Field(default=3, ge=1, le=1000)
    """Shared-device guard: an identifier already linked to more than this many customers
    (a family tablet, a shop's counter PC) is still linked but never merges profiles."""

    phone_country_code: str = Field(default="49", pattern=r"^[1-9][0-9]{0,2}$")
    """Calling code given to national phone numbers (``030 ...`` becomes ``+4930...``)."""

    @model_validator(mode="after")
    def _token_lifetimes(self) -> Settings:
        if self.customer_token_ttl_seconds > self.customer_token_max_ttl_seconds:
            raise ConfigurationError(
                "KUNDE_CUSTOMER_TOKEN_TTL_SECONDS must not exceed "
                "KUNDE_CUSTOMER_TOKEN_MAX_TTL_SECONDS."
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key == _DEV_SECRET or len(self.secret_key) < 32
        ):
            raise ConfigurationError(
                "KUNDE_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production."
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings read from the environment (cached; call ``cache_clear`` to re-read)."""
    return Settings()
