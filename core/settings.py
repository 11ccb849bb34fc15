"""Typed configuration: `config.toml` overridden by `CICERO_<SECTION>__<KEY>` env vars.

This module is a leaf: it imports nothing from the project except `core.formats`
(the stored formats it validates against), so every layer may take a `Settings`
object as a parameter. One `Settings` is built at start-up and passed down.

Secrets (`SecretStr` fields) never print: `SecretStr` masks them in repr, and
`effective_rows()` masks them in `cicero config check`. Each secret may also be
read from a file named by its `<key>_file` sibling (for systemd credentials or
Docker secrets).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource
from pydantic_settings.exceptions import SettingsError

from core.config_sources import (
    config_file_problem, describe_validation_errors, env_value_problems, read_secret_file, toml_problems,
)
from core.formats import FormatError, normalize_group_id, normalize_phone
from core.report_settings import ReportsSettings

DEFAULT_CONFIG_PATH = Path("config.toml")
EXAMPLE_JWT_SECRET = "change-me-to-a-long-random-string"


class ConfigError(Exception):
    """Configuration that cannot be used; `problems` are `key: why` lines."""

    def __init__(self, problems: list[str], path: Path | None = None):
        self.problems = problems
        self.path = path
        where = f" in {path}" if path else ""
        super().__init__(f"invalid configuration{where}:\n" + "\n".join(f"  - {p}" for p in problems))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    @model_validator(mode="after")
    def _read_secret_files(self) -> "Section":
        for name in type(self).model_fields:
            target = name[: -len("_file")]
            if not name.endswith("_file") or target not in type(self).model_fields or getattr(self, name) is None:
                continue
            if target in self.model_fields_set and _secret_value(getattr(self, target)):
                raise ValueError(f"{target} and {name} are both set: keep one (the file is read whenever "
                                 f"{name} is set)")
            setattr(self, target, SecretStr(read_secret_file(Path(getattr(self, name)), name)))
        return self


def _secret_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value or ""


def validate_cron(expr: str) -> str:
    """Check a five-field crontab expression the way the scheduler will read it."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"{expr!r} is not a 5-field cron expression (minute hour day month weekday)")
    if fields[4] not in ("*", "?") and any(ch.isdigit() for ch in fields[4]):
        raise ValueError(
            f"{expr!r}: write weekdays by name (mon-fri, sun); numbers mean different days in different cron dialects"
        )
    try:
        CronTrigger.from_crontab(expr, timezone="Asia/Jakarta")
    except ValueError as exc:
        raise ValueError(f"{expr!r} is not a valid cron expression: {exc}") from None
    return expr


class GeneralSettings(Section):
    environment: Literal["production", "development"] = Field(
        "production", description="development allows the example JWT secret and verbose errors"
    )
    timezone: str = Field("Asia/Jakarta", description="the zone of every 'today', slot and schedule")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (expected an IANA name such as Asia/Jakarta)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class DatabaseSettings(Section):
    url: str = Field("", description="postgresql://user@host:port/db; empty starts an embedded PostgreSQL")
    password: SecretStr | None = Field(None, description="password, kept out of the URL")
    password_file: Path | None = None
    data_dir: Path = Field(Path("var/pgdata"), description="embedded PostgreSQL data directory")
    pool_min: int = Field(1, ge=0, le=100)
    pool_max: int = Field(10, ge=1, le=200)
    command_timeout_seconds: float = Field(60.0, gt=0)

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql:// (or be empty for the embedded database)")
        return value

    @model_validator(mode="after")
    def _pool_order(self) -> "DatabaseSettings":
        if self.pool_min > self.pool_max:
            raise ValueError(f"pool_min ({self.pool_min}) is larger than pool_max ({self.pool_max})")
        return self


class WhatsAppSettings(Section):
    transport: Literal["neonize", "console"] = "neonize"
    admins: list[str] = Field(default_factory=list, description="admin numbers (any format, stored as 62…)")
    admin_groups: list[str] = Field(default_factory=list, description="extra groups that receive the admin log")
    session_name: str = Field("main", description="neonize device id inside the session store")
    send_interval_seconds: float = Field(2.0, ge=0, description="pause between two outbox messages")
    send_max_attempts: int = Field(5, ge=1, le=50)
    max_message_chars: int = Field(4000, ge=200, le=65536)
    conversation_timeout_minutes: int = Field(10, ge=1, le=24 * 60)
    ignore_older_than_seconds: int = Field(120, ge=0, description="messages older than start-up minus this are ignored")
    console_files_dir: Path = Field(Path("var/outbox-files"),
                                    description="where the console transport (console, demo) saves sent documents")

    @field_validator("admins")
    @classmethod
    def _phones(cls, values: list[str]) -> list[str]:
        out = []
        for i, raw in enumerate(values):
            try:
                out.append(normalize_phone(raw))
            except FormatError as exc:
                raise ValueError(f"item {i + 1}: malformed phone number: {exc}") from None
        return out

    @field_validator("admin_groups")
    @classmethod
    def _groups(cls, values: list[str]) -> list[str]:
        out = []
        for i, raw in enumerate(values):
            try:
                out.append(normalize_group_id(raw))
            except FormatError as exc:
                raise ValueError(f"item {i + 1}: malformed group id: {exc}") from None
        return out


class RapidApiSettings(Section):
    base_url: str
    host: str
    key: SecretStr | None = Field(None, description="RapidAPI key; prefer env or key_file")
    key_file: Path | None = None
    timeout_seconds: float = Field(20.0, gt=0, le=300, description="total time for one request, body included")
    max_retries: int = Field(3, ge=0, le=10)
    backoff_base_seconds: float = Field(1.0, ge=0, le=60)
    max_pages: int = Field(20, ge=1, le=1000)
    max_connections: int = Field(20, ge=1, le=500)
    max_body_mb: float = Field(20.0, gt=0, le=1024, description="decoded answer larger than this fails the page")
    max_string_kb: int = Field(512, ge=1, le=1024 * 1024,
                               description="an answer holding a longer string field fails the page")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")


class InstagramSettings(RapidApiSettings):
    base_url: str = "https://social-api4.p.rapidapi.com"
    host: str = "social-api4.p.rapidapi.com"


class TikTokSettings(RapidApiSettings):
    base_url: str = "https://tiktok-api23.p.rapidapi.com"
    host: str = "tiktok-api23.p.rapidapi.com"


class ScheduleSettings(Section):
    post_fetch: list[str] = Field(
        default_factory=lambda: ["5,30 6-16 * * *", "5 17 * * *"],
        description="cron expressions (Asia/Jakarta) that fetch posts and refresh engagement",
    )
    engagement_only: list[str] = Field(
        default_factory=lambda: ["30 17-21 * * *", "0 18-22 * * *"],
        description="cron expressions (Asia/Jakarta) that refresh likes/comments only",
    )
    late_sweep: str = Field(
        "30 23 * * *", description="cron (Asia/Jakarta) of the daily refresh of earlier days' likes/comments; empty: off"
    )
    late_sweep_days: int = Field(1, ge=1, le=7, description="how many days back the late sweep refreshes")
    misfire_grace_minutes: int = Field(15, ge=0, le=24 * 60)
    enabled: bool = True

    @field_validator("post_fetch", "engagement_only")
    @classmethod
    def _crons(cls, values: list[str]) -> list[str]:
        return [validate_cron(v) for v in values]

    @field_validator("late_sweep")
    @classmethod
    def _sweep_cron(cls, value: str) -> str:
        return validate_cron(value.strip()) if value.strip() else ""


class FetchSettings(Section):
    client_concurrency: int = Field(4, ge=1, le=64)
    run_deadline_minutes: float = Field(
        20, gt=0, le=24 * 60, description="no client starts after this; a running one stops at it; a queued run waits at most this"
    )
    client_deadline_minutes: float = Field(5.0, gt=0, le=24 * 60,
                                           description="one client's collection stops after this and is reported timeout")
    profile_refresh_minutes: int = Field(
        180, ge=0, le=24 * 60, description="refresh an account's profile figures at most this often (0: every post-fetch run)"
    )
    quota_warn_percent: float = Field(15.0, ge=0, le=100,
                                      description="warn the admins once when a RapidAPI key's remaining share falls under this")
    shrink_guard_ratio: float = Field(
        0.5, ge=0, le=1, description="an answer with fewer than this share of stored posts is not trusted for deletion"
    )


class NotifySettings(Section):
    window_start_hour: int = Field(6, ge=0, le=23, description="first hour with scheduled task lists")
    window_end_hour: int = Field(17, ge=0, le=23, description="last hour with scheduled task lists")
    anchor_minute: int = Field(5, ge=0, le=59, description="minute at which an hourly slot begins")
    error_repeat_minutes: int = Field(30, ge=1, le=24 * 60, description="the same admin error at most once per this")
    caption_chars: int = Field(80, ge=10, le=1000)
    admin_detail: Literal["summary", "each", "errors"] = Field(
        "summary", description="admin messages about collection runs: one summary per run, each notification, "
                               "or only errors")

    @model_validator(mode="after")
    def _window_order(self) -> "NotifySettings":
        if self.window_start_hour > self.window_end_hour:
            raise ValueError("window_start_hour is after window_end_hour")
        return self


class AttendanceSettings(Section):
    complete_percent: float = Field(100.0, gt=0, le=100, description="share of tasks for 'lengkap'")
    partial_percent: float = Field(
        0.0, ge=0, lt=100, description="share above which a person is 'kurang' instead of 'belum'"
    )
    kasatker_active_percent: float = Field(90.0, ge=0, le=100)
    kasatker_medium_percent: float = Field(50.0, ge=0, le=100)

    @model_validator(mode="after")
    def _order(self) -> "AttendanceSettings":
        if self.partial_percent >= self.complete_percent:
            raise ValueError("partial_percent must be below complete_percent")
        if self.kasatker_medium_percent > self.kasatker_active_percent:
            raise ValueError("kasatker_medium_percent must not exceed kasatker_active_percent")
        return self


class PersonnelSettings(Section):
    """Personnel self-service over WhatsApp: reminders, binding a number by NRP, username checks."""

    reminder_times: list[str] = Field(
        default_factory=lambda: ["17:05", "17:35"],
        description="local times (HH:MM) of the personal reminders to opted-in personnel with tasks left",
    )
    bind_max_failures: int = Field(5, ge=1, le=100, description="wrong NRPs that lock a number")
    bind_window_minutes: int = Field(60, ge=1, le=24 * 60, description="… within this many minutes")
    bind_lockout_minutes: int = Field(60, ge=1, le=7 * 24 * 60, description="how long the lock lasts")
    near_miss_days: int = Field(7, ge=1, le=90, description="engagers of this many days offered as 'did you mean'")
    nrp_length: int = Field(
        8, ge=0, le=20, description="NRPs shorter than this get leading zeros back on every input path (0: off)")

    @field_validator("reminder_times")
    @classmethod
    def _times(cls, values: list[str]) -> list[str]:
        out = []
        for i, value in enumerate(values):
            hour, _, minute = value.strip().partition(":")
            if not (hour.isascii() and hour.isdigit() and minute.isascii() and minute.isdigit()
                    and len(minute) == 2 and int(hour) < 24 and int(minute) < 60):
                raise ValueError(f"item {i}: {value!r} is not a time HH:MM")
            out.append(f"{int(hour):02d}:{minute}")
        if len(set(out)) != len(out):
            raise ValueError("reminder_times has the same time twice")
        return out


class ApiSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    jwt_secret: SecretStr = Field(SecretStr(EXAMPLE_JWT_SECRET), description="HS256 secret; set via env or file")
    jwt_secret_file: Path | None = None
    jwt_expiry_hours: float = Field(12.0, gt=0, le=24 * 30)
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000"])
    login_max_failures: int = Field(
        5, ge=1, le=100, description="failures of one account from one address before that pair is locked")
    login_lockout_minutes: int = Field(15, ge=1, le=24 * 60)
    login_address_max_failures: int = Field(
        20, ge=1, le=10_000, description="failures from one address (any accounts) before the address is locked")
    max_body_bytes: int = Field(1024 * 1024, ge=1024, le=100 * 1024 * 1024,
                                description="largest request body; larger ones get 413 before they are parsed")
    max_header_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024,
                                  description="largest request line + headers; larger requests are refused")
    max_list_items: int = Field(100, ge=1, le=10_000,
                                description="most query parameter values in one request (a repeated list parameter)")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="addresses/networks whose X-Forwarded-For is believed (default: none)")
    retry_after_seconds: int = Field(30, ge=1, le=3600, description="Retry-After of a 503 while the database is down")
    recap_cache_seconds: float = Field(
        15.0, ge=0, le=600, description="how long a rendered recap is served again to the next callers (0: never)")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        out = []
        for i, raw in enumerate(values):
            try:
                out.append(str(ipaddress.ip_network(raw.strip(), strict=False)))
            except ValueError:
                raise ValueError(f"item {i}: {raw!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
        return out

    def uses_example_secret(self) -> bool:
        return self.jwt_secret.get_secret_value() in ("", EXAMPLE_JWT_SECRET)


class QueueSettings(Section):
    url: str = Field("", description="amqp://… for RabbitMQ workers; empty runs tasks in-process")
    prefetch: int = Field(1, ge=1, le=1000)
    delivery_limit: int = Field(5, ge=1, le=100)
    queue_name: str = "cicero.tasks"

    @field_validator("url")
    @classmethod
    def _amqp(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("amqp://", "amqps://")):
            raise ValueError("must start with amqp:// or amqps:// (or be empty for in-process)")
        return value


class Settings(BaseSettings):
    """The whole configuration; build it with `load_settings()`."""

    model_config = SettingsConfigDict(
        env_prefix="CICERO_",
        env_nested_delimiter="__",
        extra="ignore",
        toml_file=None,
    )

    general: GeneralSettings = Field(default_factory=GeneralSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    instagram: InstagramSettings = Field(default_factory=InstagramSettings)
    tiktok: TikTokSettings = Field(default_factory=TikTokSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    attendance: AttendanceSettings = Field(default_factory=AttendanceSettings)
    personnel: PersonnelSettings = Field(default_factory=PersonnelSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    reports: ReportsSettings = Field(default_factory=ReportsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if settings_cls.model_config.get("toml_file"):
            sources.append(TomlConfigSettingsSource(settings_cls))
        return tuple(sources)

    @property
    def tz(self) -> ZoneInfo:
        return self.general.tz

    @property
    def is_development(self) -> bool:
        return self.general.environment == "development"


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    path: Path
    file_found: bool


def config_path_from(cli_value: str | os.PathLike | None, environ: dict[str, str] | None = None) -> Path:
    """`--config` wins, then CICERO_CONFIG, then ./config.toml."""
    environ = os.environ if environ is None else environ
    if cli_value:
        return Path(cli_value)
    if environ.get("CICERO_CONFIG"):
        return Path(environ["CICERO_CONFIG"])
    return DEFAULT_CONFIG_PATH


def load_settings(path: Path | None = None, **overrides: Any) -> LoadedSettings:
    """Read TOML + env into a validated Settings, or raise ConfigError naming each bad key."""
    path = path or config_path_from(None)
    problem = config_file_problem(path)
    if problem:
        raise ConfigError([problem], path)
    file_found = path.exists()
    if file_found:
        problems = toml_problems(path, set(Settings.model_fields))
        if problems:
            raise ConfigError(problems, path)
    settings_cls = Settings
    if file_found:
        settings_cls = type(
            "Settings", (Settings,), {"model_config": {**Settings.model_config, "toml_file": path}, "__module__": __name__}
        )
    try:
        settings = settings_cls(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe_validation_errors(exc), path if file_found else None) from None
    except SettingsError as exc:  # an environment value pydantic-settings could not even parse
        raise ConfigError(env_value_problems(Settings, os.environ) or [str(exc)]) from None
    return LoadedSettings(settings=settings, path=path, file_found=file_found)


def effective_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """(section, key, value) for every setting, secrets masked, for `cicero config check`."""
    rows = []
    for section_name in Settings.model_fields:
        section = getattr(settings, section_name)
        for key in type(section).model_fields:
            value = getattr(section, key)
            rows.append((section_name, key, _display(key, value)))
    return [(s, k, jwt_secret_state(settings.api) if (s, k) == ("api", "jwt_secret") else v) for s, k, v in rows]


def jwt_secret_state(api: ApiSettings) -> str:
    """How `cicero config check` shows the JWT secret: "(not set)" when only the built-in example is there."""
    if not api.uses_example_secret():
        return "(set, hidden)"
    explicit = "jwt_secret" in api.model_fields_set or api.jwt_secret_file is not None
    return "(the example value)" if explicit else "(not set)"


def _display(key: str, value: Any) -> str:
    if isinstance(value, SecretStr):
        return "(set, hidden)" if value.get_secret_value() else "(not set)"
    if key == "url" and isinstance(value, str) and "@" in value and ":" in value.split("@", 1)[0][10:]:
        scheme, rest = value.split("://", 1)
        user = rest.split("@", 1)[0].split(":", 1)[0]
        return f"{scheme}://{user}:***@{rest.split('@', 1)[1]}"
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)
