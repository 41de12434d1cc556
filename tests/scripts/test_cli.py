from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from index.model.embeddings import MiniLMEmbedder
from index.store.build import build_store
from tests.helpers import CONTENT, ROOT, free_port, script

ASK = script("ask")
GUIDE = "pre-match-communication-pmr-non-us-img"
VISA = "can I email about visa sponsorship before interviews"
SOURCE = "https://residencyadvisor.example/guides/pre-match-communication"


def run(args: list[str], index_dir: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("ADVISOR_URL", "ADVISOR_PUBLIC_URL")}
    environment.update({"ADVISOR_CONTENT_DIR": str(CONTENT), **env})
    if index_dir:
        environment["ADVISOR_INDEX_DIR"] = str(index_dir)
    return subprocess.run(args, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120, check=False)


def test_in_process_answer_is_readable(index_dir: Path) -> None:
    result = run([*ASK, "can I email about visa sponsorship before interviews"], index_dir)
    assert result.returncode == 0, result.stderr
    assert "[1] " in result.stdout and "visa sponsorship" in result.stdout
    assert "/guides/pre-match-communication-pmr-non-us-img#" in result.stdout


def test_in_process_links_need_a_server_and_say_so(index_dir: Path) -> None:
    result = run([*ASK, VISA], index_dir)  # nothing serves http://127.0.0.1:8000 here
    assert result.returncode == 0, result.stderr
    assert "http://" not in result.stdout and "https://" not in result.stdout
    links = re.findall(r"^    (\S+#\S+)$", result.stdout, re.MULTILINE)
    assert links and all(link.startswith(f"/guides/{GUIDE}#") for link in links), result.stdout
    assert "make serve" in result.stdout and "ADVISOR_PUBLIC_URL" in result.stdout
    as_json = json.loads(run([*ASK, "--json", VISA], index_dir).stdout)
    assert all(c["url"].startswith(f"/guides/{GUIDE}#") for c in as_json["citations"])


def test_the_draft_check_in_process_links_need_a_server_and_say_so(index_dir: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Dear Dr. Lee,\n\nThis is my third email. You are my top choice.\n\nBest,\nAna\n", "utf-8")
    result = run([*script("check_draft"), str(draft)], index_dir)
    assert result.returncode == 0, result.stderr
    assert "http://" not in result.stdout and f"/guides/{GUIDE}#" in result.stdout
    assert result.stdout.count("make serve") == 1 and "ADVISOR_PUBLIC_URL" in result.stdout


def test_in_process_links_use_the_public_url_when_set(index_dir: Path) -> None:
    result = run([*ASK, "--json", VISA], index_dir, ADVISOR_PUBLIC_URL="https://advisor.example.org/")
    assert result.returncode == 0, result.stderr
    urls = [c["url"] for c in json.loads(result.stdout)["citations"]]
    assert urls and all(u.startswith(f"https://advisor.example.org/guides/{GUIDE}#") for u in urls)
    assert "make serve" not in run([*ASK, VISA], index_dir, ADVISOR_PUBLIC_URL="https://advisor.example.org/").stdout


def test_in_process_links_go_to_the_guides_own_page_when_it_has_one(
    content_copy: Path, tmp_path: Path, embedder: MiniLMEmbedder, served_encoder: MiniLMEmbedder
) -> None:
    guide = next(content_copy.glob("*.md"))
    guide.write_text(guide.read_text("utf-8").replace("source_url:", f"source_url: {SOURCE}", 1), "utf-8")
    build_store(content_copy, tmp_path / "index", embedder, reader_sha256=served_encoder.reader_sha256)
    result = run([*ASK, VISA], tmp_path / "index", ADVISOR_CONTENT_DIR=str(content_copy))
    assert result.returncode == 0, result.stderr
    links = re.findall(r"^    (\S+#\S+)$", result.stdout, re.MULTILINE)
    assert links and all(link.startswith(f"{SOURCE}#") for link in links), result.stdout
    assert "make serve" not in result.stdout


def test_json_from_the_server_matches_the_api(index_dir: Path, live_server: str) -> None:
    question = "How many letters of intent can I send?"
    remote = run([*ASK, "--json", "--url", live_server, question])
    assert remote.returncode == 0, remote.stderr
    local = run([*ASK, "--json", question], index_dir, ADVISOR_PUBLIC_URL=live_server + "/")
    assert local.returncode == 0, local.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert json.loads(remote.stdout)["citations"][0]["excerpt"]


def test_url_from_the_environment_is_used(live_server: str) -> None:
    result = run([*ASK, "--json", "what's the best pizza in Chicago?"], ADVISOR_URL=live_server)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answered"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "required"), (["   "], "empty"), (["x" * 1001], "at most 1000"), (["--top-k", "0", "q"], "--top-k")],
)
def test_bad_usage_is_one_line_and_non_zero(args: list[str], message: str) -> None:
    result = run([*ASK, *args])
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_unreachable_server_is_one_line_and_non_zero() -> None:
    result = run([*ASK, "--url", f"http://127.0.0.1:{free_port()}", "hello"])
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the Advisor") and result.stderr.count("\n") == 1


def test_missing_index_is_one_line_and_non_zero(tmp_path: Path) -> None:
    result = run([*ASK, "hello"], tmp_path / "no-index")
    assert result.returncode == 1
    assert "no index" in result.stderr and result.stderr.count("\n") == 1


def test_an_in_process_eval_leaves_no_index_behind(tmp_path: Path) -> None:
    second = ROOT / "tests" / "eval" / "second-guide"
    args = [*script("eval"), "--content", str(second / "content")]
    done = run([*args, "--set", str(second / "questions.jsonl")], TMPDIR=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["questions"] == 29
    assert list(tmp_path.glob("advisor-eval-*")) == []
