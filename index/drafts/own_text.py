"""What of a pasted email draft is the applicant's own text.

Applicants paste the whole thread: their reply above the program's message, quoted with `> `, under the
mail client's "On ... wrote:" line or an Outlook "-----Original Message-----" block; and signatures hold
email addresses and `[image: logo.png]` tags. Only the applicant's own text is checked: the thread below it
is cut by mail-parser-reply (its headers in thirteen languages), and quoted lines, email addresses and
image tags are blanked. A draft pasted as HTML (a paragraph, line-break or other block element in it) is
read as its text by the standard library's html.parser. Matching runs on the normalised text
(index/text.py); each finding quotes the draft as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

from index.text import Normalised, normalise_with_spans

_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
_HIDDEN = frozenset({"blockquote", "head", "script", "style", "template"})  # a quoted message, or no text
_NOT_OWN = re.compile(
    r"^[ \t]*>.*$"  # a quoted line
    r"|^[ \t]*On\b[^\n]{0,300}\bwrote:[ \t]*$"  # the mail client's attribution line
    r"|<?\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b>?"  # an email address
    r"|\[(?:image|cid):[^\]\n]*\]",  # an inline image's tag
    re.MULTILINE | re.IGNORECASE,
)


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.blocks = 0
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.blocks += tag in _BLOCKS
        if tag in _HIDDEN:
            self._hidden.append(tag)
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(draft: str) -> str | None:
    """The text of a draft pasted as HTML; None when it is not HTML (a `<b>` or `<Last Name>` in plain text)."""
    if "<" not in draft:
        return None
    parser = _HTMLText()
    parser.feed(draft)
    parser.close()
    if not parser.blocks:
        return None
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@lru_cache(maxsize=1)
def _reply_parser() -> EmailReplyParser:
    return EmailReplyParser(languages=[lang for lang in MAIL_LANGUAGES if lang != "david"])


@dataclass(frozen=True)
class DraftText:
    typed: str  # the draft as the applicant sees it (an HTML draft's text)
    checked: str  # normalised, the thread cut, quoted lines, addresses and image tags blanked
    normalised: Normalised

    def quote(self, start: int, end: int) -> str:
        """The typed text that `checked[start:end]` came from."""
        s, e = self.normalised.typed_span(start, end)
        return self.typed[s:e].strip()


def thread_start(text: str) -> int:
    """Where the quoted thread below the applicant's own text starts (its first header line); len(text)
    when there is none."""
    for reply in _reply_parser().read(text).replies:
        if reply.headers:
            first_line = reply.headers.splitlines()[0].strip()
            at = text.find(first_line)  # the parser strips each line; the line itself is verbatim
            return at - (len(text[:at]) - len(text[:at].rstrip(" \t"))) if at >= 0 else len(text)
    return len(text)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def own_text(draft: str) -> DraftText:
    """The draft as typed (an HTML draft's text), and what of it is checked: the applicant's own text,
    normalised, with every other character a space (so offsets stay those of the normalised text)."""
    typed = html_text(draft) or draft
    normalised = normalise_with_spans(typed)
    text = normalised.text
    end = thread_start(text)
    checked = _NOT_OWN.sub(lambda m: _blank(m.group(0)), text[:end]) + _blank(text[end:])
    return DraftText(typed, checked, normalised)
