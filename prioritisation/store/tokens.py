"""Secrets that sit in links, and the only form in which the store keeps them: their hash.

A working state's token, a facilitator's secret and a participant's secret are 192 random
bits (`secrets.token_urlsafe(24)`, 32 characters). The database keeps their SHA-256 only:
someone who reads a copy of the database cannot act with it. A plain hash is enough for
192 random bits (a slow password hash protects guessable secrets; these are not). A string
that cannot be a token is refused before any query.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 24  # 192 bits: out of reach of guessing (128 would already be)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def secret_hash(secret: object) -> str | None:
    """The key a secret is stored under; None when the text cannot be one of our secrets."""
    if not isinstance(secret, str) or not _TOKEN.fullmatch(secret):
        return None
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def content_digest(data: bytes) -> str:
    """A file's identity: the SHA-256 of its bytes (the same file is stored once)."""
    return hashlib.sha256(data).hexdigest()
