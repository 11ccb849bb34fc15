"""Dashboard passwords: argon2id hashes, constant-work checks, and generated passwords.

Every channel that sets a password (the CLI, WhatsApp's account menu, the API)
hashes with `hash_password`; the login checks with `verify_password`. A
generated password (`generate_password`) is shown once to its holder and only
its hash is stored.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the OWASP minimum profile (19 MiB, t=2, p=1): ~20 ms per check.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified when the username is unknown, so a miss costs as much as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
# no look-alikes (0/O, 1/l/I), so a password read on a phone can be typed on a laptop
_GENERATED_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 14


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password minimal {MIN_PASSWORD_LENGTH} karakter")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"password maksimal {MAX_PASSWORD_LENGTH} karakter")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; an unknown account (hash None) still runs one argon2 verification."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def generate_password(length: int = GENERATED_LENGTH) -> str:
    """A random password of unambiguous letters and digits (about 80 bits at the default length)."""
    return "".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(length))
