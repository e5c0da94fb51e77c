"""The browser's CSV upload: a checked file waits in a private staging folder between the
preview and the confirmation, under a random token that only the uploading user's session
knows, and expires after CSV_STAGING_SECONDS.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile

from performance.evidence import private_storage

SESSION_KEY = "workspace_csv_uploads"
FOLDER = "staging"


def _path(token: str) -> str:
    return f"{FOLDER}/{token}.csv"


def purge_expired(now: float | None = None) -> int:
    """Delete staged files older than CSV_STAGING_SECONDS (any user's). Returns how many."""
    now = now or time.time()
    try:
        _dirs, files = private_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    gone = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        modified = private_storage.get_modified_time(path).timestamp()
        if now - modified > settings.CSV_STAGING_SECONDS:
            private_storage.delete(path)
            gone += 1
    return gone


def stage(session: SessionBase, user_id: int, data: bytes, name: str, late_reason: str = "") -> str:
    """Keep `data` (and the upload's reason for late realisations) for the confirmation;
    returns its token (also noted in the session)."""
    purge_expired()
    token = secrets.token_urlsafe(32)
    private_storage.save(_path(token), ContentFile(data))
    uploads = session.get(SESSION_KEY, {})
    uploads[token] = {
        "user": user_id,
        "name": name[:200],
        "at": time.time(),
        "late_reason": late_reason[:2000],
    }
    session[SESSION_KEY] = uploads
    return token


def staged(session: SessionBase, user_id: int, token: str) -> tuple[bytes, str] | None:
    """The staged file's bytes and original name, when `token` is this session's and user's
    and has not expired; else None."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["user"] != user_id:
        return None
    if time.time() - entry["at"] > settings.CSV_STAGING_SECONDS:
        discard(session, token)
        return None
    try:
        with private_storage.open(_path(token), "rb") as fh:
            return fh.read(), entry["name"]
    except FileNotFoundError:
        discard(session, token)
        return None


def staged_late_reason(session: SessionBase, token: str) -> str:
    """The reason for late realisations given with the staged upload `token` ("" : none)."""
    return session.get(SESSION_KEY, {}).get(token, {}).get("late_reason", "")


def discard(session: SessionBase, token: str) -> None:
    uploads = session.get(SESSION_KEY, {})
    if uploads.pop(token, None) is not None:
        session[SESSION_KEY] = uploads
    if private_storage.exists(_path(token)):
        private_storage.delete(_path(token))
