"""Where configuration comes from, checked before pydantic sees it (the file, secret files, env values),
and pydantic's own validation errors turned into `key: why` lines.

Each function turns a problem into one line an operator can act on (the key,
the path or the variable, and what to do), so `cicero` can exit with a
configuration error instead of a traceback.
"""

from __future__ import annotations

import json
import os
import tomllib
import typing
from pathlib import Path

MAX_SECRET_FILE_BYTES = 64 * 1024
ENV_PREFIX = "CICERO_"
ENV_DELIMITER = "__"


def config_file_problem(path: Path) -> str | None:
    """Why `path` cannot be the configuration file, or None (a missing file is allowed: defaults)."""
    if path.is_dir():
        return f"{path} is a directory, not a configuration file (give the path of config.toml)"
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file (give the path of config.toml)"
    return None


def toml_problems(path: Path, known_sections: set[str]) -> list[str]:
    """What is wrong with the TOML file at `path` before its values are validated (empty list: nothing)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return [f"not valid TOML: {exc}"]
    except UnicodeDecodeError:
        return ["not a text file (not UTF-8): give the path of a TOML file such as config.toml"]
    except OSError as exc:
        return [f"cannot read file: {exc.strerror}"]
    problems = []
    for key, value in data.items():
        if key not in known_sections:
            problems.append(f"[{key}]: unknown section (known: {', '.join(sorted(known_sections))})")
        elif not isinstance(value, dict):
            problems.append(f"{key}: must be a [{key}] table, not a plain value")
    return problems


def read_secret_file(path: Path, key: str) -> str:
    """The secret kept in `path` (surrounding whitespace dropped); ValueError with one clear line otherwise."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SECRET_FILE_BYTES + 1)
    except IsADirectoryError:
        raise ValueError(f"{key}: {path} is a directory, not a secret file") from None
    except OSError as exc:
        raise ValueError(f"{key}: cannot read secret file {path}: {exc.strerror}") from None
    if len(raw) > MAX_SECRET_FILE_BYTES:
        raise ValueError(f"{key}: secret file {path} is larger than {MAX_SECRET_FILE_BYTES // 1024} KB")
    try:
        value = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValueError(f"{key}: secret file {path} is not UTF-8 text") from None
    if not value:
        raise ValueError(f"{key}: secret file {path} is empty")
    return value


def _is_complex(annotation) -> bool:
    """A list or dict setting: pydantic-settings reads its environment value as JSON."""
    origin = typing.get_origin(annotation)
    if origin in (list, dict, tuple, set):
        return True
    if origin is typing.Union:
        return any(_is_complex(a) for a in typing.get_args(annotation) if a is not type(None))
    return False


def env_value_problems(settings_cls, environ: typing.Mapping[str, str]) -> list[str]:
    """`section.key: …` for each CICERO_SECTION__KEY whose list value is not JSON.

    `settings_cls` is the Settings class (its fields are the sections).
    """
    problems = []
    for name, value in sorted(environ.items()):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or ENV_DELIMITER not in upper:
            continue
        section_name, _, key = upper[len(ENV_PREFIX):].lower().partition(ENV_DELIMITER)
        section = settings_cls.model_fields.get(section_name)
        field = getattr(section.annotation, "model_fields", {}).get(key) if section else None
        if field is None or not _is_complex(field.annotation):
            continue
        try:
            json.loads(value)
        except ValueError:
            problems.append(
                f"{section_name}.{key}: the environment variable {name}={value[:60]!r} is not JSON; "
                f"write a list as JSON, e.g. {name}='[\"first\", \"second\"]'"
            )
    return problems


def env_name(key: str, environ: dict[str, str] | None = None) -> str | None:
    """The `CICERO_<SECTION>__<KEY>` variable that set `section.key`, when one did (names are case-insensitive)."""
    environ = os.environ if environ is None else environ
    parts = key.split(".")
    if len(parts) < 2:
        return None
    wanted = "CICERO_" + "__".join(parts).upper()
    return next((name for name in environ if name.upper() == wanted), None)


def describe_validation_errors(exc) -> list[str]:
    """`key: why` per problem; list items are counted from 1; a value from the environment names its variable."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(p for p in loc if not p.isdigit() and p not in ("function-after", "list[str]"))
        items = [int(p) + 1 for p in loc if p.isdigit()]
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against config.example.toml)"
        elif err["type"] not in ("value_error", "assertion_error"):
            got = err.get("input")
            if got is not None and not isinstance(got, (dict, list)):
                msg = f"{msg} (got {got!r})"
        if items:
            msg = f"item {items[0]}: {msg}"
        env = env_name(key)
        if env:
            msg += f" (from the environment variable {env})"
        problems.append(f"{key or '(top level)'}: {msg}")
    return problems
