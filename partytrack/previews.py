"""Import previews, kept between the upload and the confirmation: one mechanism for every import
(the quota biểu, the admissions file).

The preview is kept in the user's session, and the page carries only a random token. A signed payload
sent back by the page would keep no state on the server, but it is bounded by the size of a POST, it is
signed, not encrypted (an admissions file's birth dates and citizen ID numbers would sit in the HTML of
the preview page), and anyone holding it could replay it until it expires. The session survives large
previews, stays on the server, and belongs to one login. The cost: one preview of each kind per
session (a second upload replaces the first, whose confirmation is then refused), and the session row
carries it until the import is confirmed or the session ends.

The stored rows are only what the preview showed. The confirmation hands them to the same service as
any other write, which checks every row, the user's scope and what changed since the preview again,
and writes all rows in one transaction or none.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from django.utils.crypto import constant_time_compare

SESSION_KEY = "import_previews"
MAX_AGE = 60 * 60  # seconds between the preview and its confirmation


class PreviewExpired(Exception):
    """No preview for this token: never made, replaced by a later upload, confirmed already, too old,
    or made for another page."""


def preview_store(session: MutableMapping, *, kind: str, data: Any, where: str = "") -> str:
    """Keep `data` (JSON-serialisable) as the preview of `kind` made on the page `where`, replacing
    any earlier preview of that kind; the token the page sends back to confirm it."""
    token = secrets.token_urlsafe(24)
    previews = dict(session.get(SESSION_KEY) or {})
    previews[kind] = {"token": token, "where": where, "made": int(time.time()), "data": data}
    session[SESSION_KEY] = previews  # assigned again, so that the session knows it changed
    return token


def preview_load(session: MutableMapping, *, kind: str, token: str, where: str = "") -> Any:
    """The data kept by preview_store for `token`, or PreviewExpired."""
    entry = (session.get(SESSION_KEY) or {}).get(kind)
    if (
        not entry
        or not token
        or not constant_time_compare(entry["token"], token)
        or entry["where"] != where
        or time.time() - entry["made"] > MAX_AGE
    ):
        raise PreviewExpired
    return entry["data"]


def preview_discard(session: MutableMapping, *, kind: str) -> None:
    """Forget the preview of `kind`, once imported."""
    previews = dict(session.get(SESSION_KEY) or {})
    if previews.pop(kind, None) is not None:
        session[SESSION_KEY] = previews
