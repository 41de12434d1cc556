"""The email-draft check: its rules, its citations, the API, the CLI, and its scores on tests/eval/drafts.jsonl."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.drafts import DraftCheckResponse
from index.answer.advisor import Advisor
from index.drafts.check import MAX_CHARS, MAX_PER_RULE, check_draft, draft_sentences, holds_phrase, template_word_limit
from index.drafts.rules import RULES
from index.drafts.scoring import score
from index.evaluation import read_jsonl
from index.guides.content import Guide
from tests.helpers import CONTENT, EVAL, ROOT, free_port, script

BASE = "http://advisor.test"
DRAFTS = read_jsonl(EVAL / "drafts.jsonl")
CHECK = script("check_draft")
# Measured on drafts.jsonl (README "Email-draft check"): precision 0.984, recall 0.969.
FLOORS = {"precision": 0.97, "recall": 0.95}
RULE = {rule.name: rule for rule in RULES}

CLEAR = {
    "quid_pro_quo": "If you promise to rank me highly, I'll rank you first.",
    "ask_rank": "Could you please tell me how you will rank me?",
    "commitment": "Can you guarantee me a position in your program?",
    "outside_match": "Would you consider a pre-match offer for me?",
    "begging": "I am begging you for a chance.",
    "self_criticism": "I know I'm a weak applicant.",
    "negative_comparison": "Your program is much better than the others I saw.",
    "repeated_followup": "I am following up again because I have not heard back.",
    "first_choice": "You are my first choice.",
    "placeholder": "Thank you for the interview at [Program Name].",
    "subject": "Thanks for the interview yesterday.",
    "salutation": "Hey Dr. Lee, thanks for the interview.",
}
FILLED = {"Program Name": "Riverside", "Date": "January 14", "Last Name": "Reynolds", "Name": "Amina Okafor"}


def letter(*sentences: str) -> str:
    return "Subject: Thank you\n\nDear Dr. Lee,\n\n" + " ".join(sentences) + "\n\nSincerely,\nAmina Okafor"


def rules_in(report: Any) -> set[str]:
    return {f.rule for f in report.findings}


def guide_templates(guide: Guide) -> list[str]:
    return re.findall(r"^```text\n(.*?)^```", guide.body, re.MULTILINE | re.DOTALL)


def filled(template: str) -> str:
    return re.sub(r"\[([^\]]*)\]", lambda m: FILLED.get(m.group(1), "brain injury rehabilitation"), template)


@pytest.mark.parametrize("rule", sorted(CLEAR))
def test_each_rule_fires_on_a_clear_example(advisor: Advisor, rule: str) -> None:
    text = CLEAR[rule] if rule in ("subject", "salutation") else letter("Thank you for the interview.", CLEAR[rule])
    report = check_draft(text, advisor, BASE)
    finding = next(f for f in report.findings if f.rule == rule)
    assert finding.severity == RULE[rule].severity
    assert finding.message and finding.citations


def test_the_guides_own_templates_filled_in_get_no_problems(advisor: Advisor, guide: Guide) -> None:
    templates = guide_templates(guide)
    assert len(templates) >= 4
    for template in templates:
        report = check_draft(filled(template), advisor, BASE)
        assert rules_in(report) == set(), (filled(template), report.findings)
        assert report.summary.startswith("No problems found")


def test_the_templates_as_they_stand_are_full_of_placeholders(advisor: Advisor, guide: Guide) -> None:
    report = check_draft(guide_templates(guide)[1], advisor, BASE)
    quotes = [f.quote for f in report.findings if f.rule == "placeholder"]
    assert "Subject: Thank You – PM&R Interview on [Date]" in quotes and "Dear Dr. [Last Name]," in quotes
    assert any('"[Program Name], [Date]"' in f.message for f in report.findings)


def test_quotes_are_verbatim_sentences_of_the_draft(advisor: Advisor) -> None:
    for row in DRAFTS:
        for finding in check_draft(row["text"], advisor, BASE).findings:
            assert finding.quote in row["text"] and finding.quote == finding.quote.strip(), (row["id"], finding.quote)


def test_sentences_keep_titles_together_and_offsets_exact() -> None:
    text = "Dear Dr. Lee,\n\n  Thank you (e.g. for the tour). Will I match?  I hope so!\n"
    spans = draft_sentences(text)
    assert [s.text for s in spans] == ["Dear Dr. Lee,", "Thank you (e.g. for the tour).", "Will I match?", "I hope so!"]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_citations_hold_the_rules_guide_phrase_verbatim_at_their_offsets(advisor: Advisor) -> None:
    text = "\n".join(CLEAR.values()) + "\n" + " ".join(["word"] * 400)
    cited = {f.rule: f.citations for f in check_draft(text, advisor, BASE).findings}
    assert set(cited) == set(RULE), set(RULE) - set(cited)
    for rule, citations in cited.items():
        assert 1 <= len(citations) <= 2, rule
        for c in citations:
            assert holds_phrase(c.excerpt, RULE[rule]), (rule, c.excerpt)
            assert advisor.guides[c.guide_slug].text[c.start : c.end] == c.excerpt
            assert c.url and c.url.startswith(f"{BASE}/guides/{c.guide_slug}#")


def test_a_quid_pro_quo_is_one_finding_not_three(advisor: Advisor) -> None:
    report = check_draft(letter("If you can assure me I will match, I will rank you first."), advisor, BASE)
    assert rules_in(report) == {"quid_pro_quo"}


def test_allowed_things_are_not_flagged(advisor: Advisor) -> None:
    text = letter(
        "Your program remains among my top choices.",
        "I would be grateful for any sense of where I stand in terms of being considered.",
        "Could you confirm whether you sponsor H-1B visas?",
        "I am writing to follow up with a brief update: my Step 2 CK score is 250.",
        "I understand binding pre-match offers are not allowed.",
    )
    assert check_draft(text, advisor, BASE).findings == []


def test_findings_are_capped_per_rule_and_the_summary_says_so(advisor: Advisor) -> None:
    report = check_draft("Dear [Name],\n" + "Thanks, [Your Name].\n" * 20, advisor, BASE)
    placeholders = [f for f in report.findings if f.rule == "placeholder"]
    assert len(placeholders) == MAX_PER_RULE and placeholders[0].quote == "Dear [Name],"
    assert report.summary.endswith(f"Only the first {MAX_PER_RULE} findings of each kind are shown.")


def test_the_length_limit_comes_from_the_guides_templates(advisor: Advisor, guide: Guide) -> None:
    longest, limit = template_word_limit(advisor.guides) or (0, 0)
    assert longest == max(len(re.findall(r"\S*[A-Za-z0-9]\S*", t)) for t in guide_templates(guide))
    assert longest < limit < 2 * longest
    filler = "The team rounds were a highlight of the day."  # 9 words
    body = " ".join([filler] * (limit // 9 + 1))
    report = check_draft(letter(body), advisor, BASE)
    (finding,) = [f for f in report.findings if f.rule == "length"]
    assert finding.severity == "caution" and f"under {limit} words" in finding.message
    short = check_draft(letter(" ".join([filler] * ((limit - 20) // 9))), advisor, BASE)
    assert "length" not in rules_in(short)


def test_a_guide_without_templates_sets_no_length_limit(guide: Guide) -> None:
    bare = Guide(guide.slug, guide.title, None, guide.last_reviewed, guide.path, "---\n---\nNo templates.", 8)
    assert template_word_limit({bare.slug: bare}) is None


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_precision_and_recall_on_the_draft_set_hold_their_floor(advisor: Advisor, metric: str) -> None:
    result = score(DRAFTS, lambda text: DraftCheckResponse.from_report(check_draft(text, advisor, BASE)).model_dump())
    assert len(DRAFTS) >= 24 and result.clean_drafts >= 6
    assert result.table()["overall"][metric] >= FLOORS[metric], "\n".join(result.misses)
    assert result.clean_with_problems == 0, "\n".join(result.misses)


def test_api_returns_findings_with_ask_shaped_citations(client: TestClient) -> None:
    text = letter("Could you tell me how you will rank me?", "I am begging you.")
    response = client.post("/api/check-draft", json={"text": text})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"findings", "summary"} and body["summary"].startswith("2 problems")
    assert [f["rule"] for f in body["findings"]] == ["ask_rank", "begging"]
    finding = body["findings"][0]
    assert set(finding) == {"rule", "severity", "quote", "message", "citations"}
    assert finding["severity"] == "problem" and finding["quote"] == "Could you tell me how you will rank me?"
    asked = client.post("/api/ask", json={"question": "can I ask a program how they will rank me?"}).json()
    assert set(finding["citations"][0]) == set(asked["citations"][0])


@pytest.mark.parametrize(
    "body",
    [{"text": ""}, {"text": " \n\t "}, {"text": "x" * (MAX_CHARS + 1)}, {}, {"text": "hi", "extra": 1}, {"text": 5}],
)
def test_api_refuses_bad_drafts_with_422(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/api/check-draft", json=body)
    assert response.status_code == 422
    assert "x" * 50 not in response.text  # the input is never echoed


def test_api_takes_a_draft_of_the_maximum_length(client: TestClient) -> None:
    response = client.post("/api/check-draft", json={"text": ("Thank you. " * 500)[:MAX_CHARS]})
    assert response.status_code == 200
    assert {f["rule"] for f in response.json()["findings"]} == {"length", "subject", "salutation"}


def test_api_declares_its_error_responses(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/check-draft"]["post"]
    assert {"200", "413", "415", "422", "429", "500", "503"} <= set(operation["responses"])


def run(args: list[str], stdin: str | None = None, index_dir: Path | None = None, **env: str) -> Any:
    environment = {k: v for k, v in os.environ.items() if k != "ADVISOR_URL"}
    environment.update({"ADVISOR_CONTENT_DIR": str(CONTENT), **env})
    if index_dir:
        environment["ADVISOR_INDEX_DIR"] = str(index_dir)
    return subprocess.run(
        args, input=stdin, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120, check=False
    )


def test_cli_prints_findings_readably(tmp_path: Path, index_dir: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(letter("This is my third email.", "You are my top choice."), "utf-8")
    result = run([*CHECK, str(draft)], index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("1 problem, 1 caution")
    assert "PROBLEM  repeated_followup" in out and "“This is my third email.”" in out
    assert "CAUTION  first_choice" in out and "Guide: " in out and "#how-often-is-too-often" in out
    assert out.index("PROBLEM") < out.index("CAUTION")


def test_cli_json_from_stdin_and_a_server_is_the_apis(live_server: str) -> None:
    text = letter("Is there any chance of a pre-match offer?")
    result = run([*CHECK, "--json", "-"], stdin=text, ADVISOR_URL=live_server)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert [f["rule"] for f in reply["findings"]] == ["outside_match"]
    assert json.loads(run([*CHECK, "--json", "--url", live_server], stdin=text).stdout) == reply


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [(["/no/such/draft.txt"], None, "cannot read"), (["-"], "  \n", "empty"), (["-"], "x" * 5001, "at most 5000")],
)
def test_cli_bad_usage_is_one_line_and_non_zero(args: list[str], stdin: str | None, message: str) -> None:
    result = run([*CHECK, *args], stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_cli_unreachable_server_is_one_line_and_non_zero() -> None:
    result = run([*CHECK, "--url", f"http://127.0.0.1:{free_port()}", "-"], stdin="Dear Dr. Lee, thank you.")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the Advisor") and result.stderr.count("\n") == 1
