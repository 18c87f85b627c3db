"""docs/faults.md names the test that proves each row: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_named_in_faults_md_exists():
    doc = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(test_[a-z0-9_]+)\b", doc)) - {
        name.removesuffix(".py") for name in re.findall(r"\b(test_[a-z0-9_]+\.py)\b", doc)
    }
    defined = set()
    for source in (ROOT / "tests").glob("*.py"):
        defined |= set(re.findall(r"^def (test_[a-z0-9_]+)\(", source.read_text(encoding="utf-8"), re.M))
    missing = sorted(named - defined)
    assert not missing, f"docs/faults.md names tests that do not exist: {missing}"
    assert len(named) >= 40
