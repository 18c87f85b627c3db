"""A wheel of redrill carries the shipped question banks and works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_contains_banks_and_loads_them(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, f"building the wheel failed:\n{out.stderr[-2000:]}"
    [wheel] = (tmp_path / "dist").glob("redrill-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.name for p in (REPO / "question_banks").glob("*.yaml"))
    assert sorted(Path(n).name for n in names if n.startswith("redrill/question_banks/")) == shipped
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import redrill, redrill.banks as b; c = b.load_catalog(None); print(redrill.__file__); print(len(c.questions))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    where, count = run.stdout.split()
    assert where.startswith(str(site)), "the test imported the checkout instead of the wheel"
    assert int(count) >= 60
