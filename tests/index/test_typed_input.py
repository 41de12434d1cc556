"""Questions and drafts as applicants type them: full-width letters, invisible characters, bare URLs, whole reply
threads and HTML pasted as the draft."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from index.answer.advisor import Advisor
from index.drafts.check import check_draft
from index.query.reading import Turn

BASE = "http://advisor.test"
QUESTIONS = [
    "can I email about visa sponsorship before interviews",
    "How many letters of intent can I send?",
    "Can I tell more than one program that they are my top choice?",
    "Is it okay if a mentor contacts a program on my behalf?",
    "what should a thank you email after the interview say",
]
ZWSP, SOFT_HYPHEN, BOM, LRM, RLI, PDI = "\u200b", "\u00ad", "\ufeff", "\u200e", "\u2067", "\u2069"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def inside_words(text: str, mark: str) -> str:
    return re.sub(r"\b(\w{2})(\w{2,})", lambda m: m.group(1) + mark + m.group(2), text)


VARIANTS = {
    "full-width": full_width,
    "zero-width space": lambda q: inside_words(q, ZWSP),
    "soft hyphen": lambda q: inside_words(q, SOFT_HYPHEN),
    "BOM and bidi marks": lambda q: BOM + LRM + q.replace(" ", f" {RLI}", 1) + PDI + LRM,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_question_typed_with_odd_characters_is_answered_as_its_plain_twin(advisor: Advisor, variant: str) -> None:
    for question in QUESTIONS:
        typed = VARIANTS[variant](question)
        plain, odd = advisor.ask(question), advisor.ask(typed)
        assert plain.answered and odd.answered, typed
        assert [c.chunk_id for c in odd.citations] == [c.chunk_id for c in plain.citations], typed
        assert odd.answer == plain.answer
        assert odd.question == typed  # echoed as typed


def test_the_api_echoes_the_question_as_typed(client: TestClient) -> None:
    typed = inside_words(QUESTIONS[0], ZWSP)
    body = client.post("/api/ask", json={"question": typed}).json()
    assert body["question"] == typed and body["answered"]
    assert (
        body["citations"][0]["chunk_id"]
        == client.post("/api/ask", json={"question": QUESTIONS[0]}).json()["citations"][0]["chunk_id"]
    )


def test_history_is_read_after_normalising_too(advisor: Advisor) -> None:
    previous = "Which visas do PM&R programs sponsor?"
    plain = advisor.ask("What about H-1B?", history=[Turn("user", previous)])
    odd = advisor.ask(f"What{ZWSP} about H{SOFT_HYPHEN}-1B?", history=[Turn("user", full_width(previous))])
    assert [c.chunk_id for c in odd.citations] == [c.chunk_id for c in plain.citations]
    assert advisor.read(f"{BOM}What{ZWSP} about H-1B?", [Turn("user", previous)]).previous == previous


@pytest.mark.parametrize(
    "url",
    [
        "www.example.com/visa?x=1",
        "example.com/visa-sponsorship/j-1?x=1",
        "https://www.example.com/pre-match/email-template.html",
        "<http://residency.example.org/visa-sponsorship?utm_source=mail&ref=thank-you-email>",
        "  https://example.org/letters-of-intent  ",
        "http://example.org/interview www.example.org/program-director",
    ],
)
def test_a_bare_url_is_not_a_question(advisor: Advisor, client: TestClient, url: str) -> None:
    answer = advisor.ask(url)
    assert not answer.answered and answer.citations == [], answer.answer
    assert client.post("/api/ask", json={"question": url}).json()["answered"] is False


def test_the_words_around_a_url_are_answered(advisor: Advisor) -> None:
    question = "How many letters of intent can I send?"
    with_url = advisor.ask(f"{question} https://www.example.com/loi?x=1")
    assert with_url.answered
    assert with_url.citations[0].chunk_id == advisor.ask(question).citations[0].chunk_id


GOOD_LETTER = """Subject: Thank you for the interview

Dear Dr. Lee,

Thank you for the interview on Monday. I enjoyed meeting the residents. [image: signature-logo.png]

Sincerely,
Amina Okafor
amina.okafor@example.com | <program.director@example.edu>"""

THREAD = """

On Mon, Jan 5, 2026 at 10:02 AM Riverside PM&R <program.director@riverside.example.edu> wrote:
> Dear [Applicant Name],
> Our program is much better than the others you saw.
>> I am begging you for a chance, I know I'm a weak applicant.

-----Original Message-----
From: Amina Okafor <amina.okafor@example.com>
Sent: Sunday, January 4, 2026 9:00 PM
To: <pd@riverside.example.edu>
Subject: Re: interview

Could you tell me how you will rank me? You are my first choice. Insert your name here.
"""


def rules(text: str, advisor: Advisor) -> set[str]:
    return {f.rule for f in check_draft(text, advisor, BASE).findings}


def test_a_pasted_reply_thread_is_checked_on_the_applicants_own_text_only(advisor: Advisor) -> None:
    assert rules(GOOD_LETTER, advisor) == set()
    assert rules(GOOD_LETTER + THREAD, advisor) == set()
    own_problem = GOOD_LETTER.replace("I enjoyed meeting the residents.", "Could you tell me how you will rank me?")
    report = check_draft(own_problem + THREAD, advisor, BASE)
    assert [(f.rule, f.quote) for f in report.findings] == [("ask_rank", "Could you tell me how you will rank me?")]


def test_the_api_checks_a_reply_thread_on_the_applicants_text(client: TestClient) -> None:
    assert client.post("/api/check-draft", json={"text": GOOD_LETTER + THREAD}).json()["findings"] == []


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        (f"I am beg{SOFT_HYPHEN}ging you for a chance.", "begging"),
        (f"Could you tell me how you will r{ZWSP}ank me?", "ask_rank"),
        (full_width("You are my first choice."), "first_choice"),
        (f"{BOM}{LRM}I know I{ZWSP}'m a weak applicant.", "self_criticism"),
    ],
)
def test_invisible_and_full_width_characters_hide_no_finding(advisor: Advisor, sentence: str, rule: str) -> None:
    text = GOOD_LETTER.replace("I enjoyed meeting the residents.", sentence)
    report = check_draft(text, advisor, BASE)
    finding = next(f for f in report.findings if f.rule == rule)
    assert finding.quote in text and sentence.strip(BOM + LRM) in finding.quote  # the applicant's text as typed


HTML_DRAFT = """<html><head><style>p { margin: 0 }</style></head><body>
<div dir="ltr"><p>Subject: Thank you for the interview</p><p>Dear Dr. Lee,</p>
<p>Thank you for the interview on Monday &amp; the tour.<br>I am begging you for a chance.</p>
<p>Sincerely,<br>Amina Okafor</p></div></body></html>"""


def test_html_pasted_as_the_draft_is_read_as_its_text(advisor: Advisor, client: TestClient) -> None:
    report = check_draft(HTML_DRAFT, advisor, BASE)
    assert [(f.rule, f.quote) for f in report.findings] == [("begging", "I am begging you for a chance.")]
    body = client.post("/api/check-draft", json={"text": HTML_DRAFT}).json()
    assert [f["rule"] for f in body["findings"]] == ["begging"]
    plain_with_markup = GOOD_LETTER.replace("I enjoyed meeting the residents.", "I am begging you, <b>please</b>.")
    quotes = [f.quote for f in check_draft(plain_with_markup, advisor, BASE).findings]
    assert quotes == ["I am begging you, <b>please</b>."]  # a plain-text draft with a tag in it stays plain text
