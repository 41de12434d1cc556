"""Schemathesis against the live OpenAPI of a real server: every check, zero failures."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 50  # per operation and phase: about 600 requests, 10-20 s


def test_live_openapi_passes_every_schemathesis_check(live_server: str, tmp_path: Path) -> None:
    command = [
        SCHEMATHESIS,
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "No issues found" in report, report[-6000:]
    assert "Tested: " in report and "passed" in report
