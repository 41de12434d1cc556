"""Access log lines, request ids and the opt-in, redacted question log.

Questions are what applicants type: visa status, scores, names. They are never logged
unless ADVISOR_LOG_QUESTIONS is set, and then only after `redact`.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import quote

from api.metrics import count_answer

access_log = logging.getLogger("advisor.access")
question_log = logging.getLogger("advisor.questions")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PATH_MAX = 200


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    log_questions: bool


# Ids are unique, not secret: a random prefix per process and a counter (a fresh uuid4 read the
# system's random source on every request, and waited for the interpreter lock after it).
_ID_PREFIX = uuid.uuid4().hex[:20]
_ID_COUNTER = itertools.count(1)

current: ContextVar[RequestContext | None] = ContextVar("advisor_request", default=None)


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is a plain token, else a fresh one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return f"{_ID_PREFIX}{next(_ID_COUNTER) & 0xFFFFFFFFFFFF:012x}"


def printable(text: str, limit: int = _PATH_MAX) -> str:
    """`text` percent-encoded as in a URL, so that it stays one log line with no spaces; cut at `limit`."""
    quoted = quote(text, safe="/:@!$&'()*+,;=-._~", errors="backslashreplace")
    return quoted if len(quoted) <= limit else quoted[:limit] + "…"


def log_access(method: str, path: str, status: int, seconds: float, request_id: str) -> None:
    access_log.info(
        "%s %s %d %.1fms rid=%s", printable(method, 16), printable(path), status, seconds * 1000, request_id
    )


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# AAMC IDs and USMLE/ECFMG IDs are 8 digits, the latter often written 0-123-456-7; NRMP codes
# and similar add a letter. Any long run of digits is more likely an ID than anything we need.
_ID = re.compile(r"\b(?:\d-\d{3}-\d{3}-\d|[A-Za-z]?\d{7,12})\b")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
_NAME = re.compile(r"\b(my name is\s+|my name's\s+|name:\s*)([^\W\d_][\w'.-]*(?: +[^\W\d_][\w'.-]*){0,2})", re.I)
_NOT_NAME = frozenset({"and", "i", "i'm", "im", "from", "a", "an", "the", "with", "but", "who", "so", "my", "not"})


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return "[phone]" if 7 <= digits <= 15 else match.group()


def _name(match: re.Match[str]) -> str:
    words = match.group(2).split(" ")
    kept = 0
    while kept < len(words) and words[kept].lower().strip(".") not in _NOT_NAME:
        kept += 1
    if not kept:
        return match.group()
    return match.group(1) + "[name]" + match.group(2)[len(" ".join(words[:kept])) :]


def redact(text: str) -> str:
    """The question with emails, IDs, phone numbers and self-given names replaced by tags."""
    text = _EMAIL.sub("[email]", text)
    text = _ID.sub("[id]", text)
    text = _PHONE.sub(_phone, text)
    return _NAME.sub(_name, text)


def record_answer(question: str, answered: bool) -> None:
    """Called by the ask route once per answer: counts it and, when opted in, logs it redacted."""
    count_answer(answered)
    context = current.get()
    if context is not None and context.log_questions:
        question_log.info(
            "rid=%s answered=%s question=%s",
            context.request_id,
            str(answered).lower(),
            json.dumps(redact(question)),
        )
