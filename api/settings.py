"""Service settings, read from the environment with the prefix ADVISOR_."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from api.ratelimit import STORAGE_SCHEMES
from index.errors import SettingsError
from index.model.export import Precision

ROOT = Path(__file__).resolve().parents[1]
# NRMP sets the Rank Order List Certification Deadline each season in its Main Residency Match calendar
# (nrmp.org); it falls in late February or early March (28 February in 2024). This default is an estimate for
# the 2027 Match, the season the guide (last reviewed 2026-11-25) serves, not checked against NRMP's 2027
# calendar: operators set ADVISOR_RANK_LIST_DEADLINE from that calendar each season.
RANK_LIST_DEADLINE = dt.date(2027, 3, 3)


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADVISOR_", extra="ignore")

    content_dir: Path = Field(ROOT / "content", description="Folder of guide Markdown files.")
    index_dir: Path = Field(ROOT / "build" / "index", description="Folder that holds the built index.")
    public_url: str | None = Field(None, description="Base URL for links to /guides pages; default: the request's.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"], description="Origins allowed to call the API (comma-separated); * for any."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Proxy addresses or CIDR ranges whose X-Forwarded-For is believed."
    )
    rate_limit_per_minute: float = Field(60, ge=0, description="Requests a minute per client to /api/*; 0: no limit.")
    rate_limit_burst: int = Field(30, ge=1, description="Requests a client may send at once before the rate applies.")
    rate_limit_storage: str = Field(
        "memory://",
        description="Where the rate limit counts: memory:// (this process) or a Redis URL that replicas share.",
    )
    metrics_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Client addresses or CIDR ranges that may read /metrics (comma-separated); others get 403.",
    )
    max_in_flight: int = Field(32, ge=1, description="Requests handled at once; past it, a 503 with Retry-After.")
    request_timeout: float = Field(10.0, gt=0, description="Seconds a request may take before a 503.")
    # The largest valid /api/ask (a question and 10 turns of 2,000 characters, each character JSON-escaped
    # to as much as 12 bytes) must fit: a limit below it would turn valid requests away.
    max_body_bytes: int = Field(256 * 1024, ge=1024, description="Largest request body accepted; larger: 413.")
    log_questions: bool = Field(False, description="Log each question, redacted (see README: Privacy).")
    data_dir: Path = Field(ROOT / "data", description="Folder of the feedback database (SQLite, feedback.sqlite3).")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the feedback database, e.g. postgresql+psycopg://...; default: SQLite."
    )
    batch_max_size: int = Field(32, ge=1, description="Most questions embedded together in one model call.")
    batch_max_wait_ms: float = Field(
        0.0,
        ge=0,
        le=50,
        description="Longest a model thread waits for a batch to fill while recent batches were shared and no "
        "other thread is free; with several model workers, waiting only idles a core (see README).",
    )
    cache_size: int = Field(1024, ge=0, description="Answers kept for repeated questions; 0: no cache.")
    model_threads: int = Field(1, ge=0, description="CPU threads per model call; 0: one per core (see README).")
    model_workers: int = Field(
        default_factory=lambda: min(usable_cores(), 4),
        ge=1,
        le=32,
        description="Model calls run side by side, a batch each; default: one per core, at most 4 (see README).",
    )
    model_precision: Precision = Field(
        "int8",
        description="Graph that encodes questions: int8 (2.3x faster, the same eval numbers) or fp32 (the "
        "reference's vectors); indexes are always built in fp32 (see README: Performance).",
    )
    model_cache_dir: Path = Field(
        ROOT / "build" / "model",
        description="Folder of the model's ONNX export (made by `make index`, checked at start).",
    )
    rank_list_deadline: dt.date = Field(
        RANK_LIST_DEADLINE,
        description="The season's rank-list deadline (YYYY-MM-DD), where outreach plans end; a request may give "
        "its own. Keep it current from NRMP's Main Residency Match calendar (see RANK_LIST_DEADLINE).",
    )

    @field_validator("cors_origins", "trusted_proxies", "metrics_allow", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _networks(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                name = f"ADVISOR_{str(info.field_name).upper()}"
                raise ValueError(f"{name}: {entry!r} is not an IP address or CIDR range") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            make_url(value).get_dialect()
        except (ArgumentError, NoSuchModuleError) as exc:  # their messages never hold the URL, so no password
            raise ValueError(f"ADVISOR_DATABASE_URL is not a usable database URL: {exc}") from None
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage(cls, value: str) -> str:
        if not value.startswith(STORAGE_SCHEMES):
            raise ValueError(
                "ADVISOR_RATE_LIMIT_STORAGE must be memory:// or a Redis URL "
                "(redis://host:6379/0, rediss://..., redis+unix:///path/to/redis.sock)"
            )
        return value


@lru_cache
def get_settings() -> Settings:
    """The settings from the environment; SettingsError naming each ADVISOR_* variable whose value is unusable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(settings_problems(exc)) from None


def settings_problems(exc: ValidationError) -> str:
    """One line naming each variable a validation error is about, its value and what is wrong with it."""
    problems = []
    for error in exc.errors(include_url=False):
        name = f"ADVISOR_{str(error['loc'][0]).upper()}" if error["loc"] else "ADVISOR_*"
        message = str(error["msg"]).removeprefix("Value error, ")
        if message.startswith(name):  # our own validators' messages: they name the variable, never a secret value
            problems.append(message)
            continue
        value = error.get("input")
        problems.append(f"{name}={value!r}: {message}" if isinstance(value, str) else f"{name}: {message}")
    return "bad settings: " + "; ".join(problems)
