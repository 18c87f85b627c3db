"""The import rules of docs/architecture.md, checked on the code (every import, also inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "redrill"

GROUND = {
    "errors",
    "numbers",
    "samplerate",
    "paths",
    "capped",
    "owned",
    "yamlfile",
    "config",
    "transcript",
    "banks",
    "store",
    "dbfaults",
    "offline",
    "memory",
}
APPLICATION = {
    "pipeline",
    "adapters",
    "drill",
    "menu",
    "schedule",
    "selection",
    "debrief",
    "followup",
    "forget",
    "leftovers",
    "orphans",
    "doctor",
    "damage",
    # practising for the next interview
    "prep",
    "follow_up_questions",
    "model_answer",
    "mock",
    "coaching",
}

# What each part may import (besides itself). A part is a ground-floor module, a domain package,
# an application module or the command line.
ALLOWED = {
    # The ground floor stands on nothing above it; the store reads and writes the metrics model.
    **{name: GROUND for name in GROUND},
    "store": GROUND | {"scoring.metrics"},
    # Scoring is pure: no store, no adapters, no I/O.
    "scoring": {"errors", "numbers", "samplerate", "transcript"},
    "sound": {"errors", "numbers", "samplerate", "paths", "transcript"},
    "transcription": {"errors", "numbers", "samplerate", "paths", "config", "transcript", "sound"},
    "tracking": {"errors", "numbers", "paths", "transcript", "scoring"},
    # Application modules use everything below them, never the command line.
    **{name: GROUND | {"scoring", "sound", "transcription", "tracking"} | APPLICATION for name in APPLICATION},
}


def part_of(module: str) -> str:
    """``redrill.scoring.words`` -> ``scoring``; ``redrill.store`` -> ``store``; ``redrill`` -> ``redrill``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "redrill":
            if node.module == "redrill":  # from redrill import pipeline
                found |= {f"redrill.{alias.name}" for alias in node.names if alias.name != "__version__"}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "redrill"}
    return found


def modules():
    for path in sorted(SRC.rglob("*.py")):
        name = ".".join(("redrill", *path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
        yield name, path


def allowed(importer: str, imported: str) -> bool:
    source, target = part_of(importer), part_of(imported)
    if source == target or imported == "redrill":
        return True
    if source in ("cli", "__main__"):
        return True
    rules = ALLOWED.get(source)
    assert rules is not None, f"{importer} is in no part of the architecture: add it to docs/architecture.md and here"
    return target in rules or imported.removeprefix("redrill.") in rules


def test_every_import_follows_the_layer_rules():
    broken = [
        f"{importer} imports {imported}"
        for importer, path in modules()
        for imported in sorted(imports_of(path))
        if not allowed(importer, imported)
    ]
    assert not broken, "imports against docs/architecture.md:\n" + "\n".join(broken)


def test_nothing_below_the_command_line_imports_it():
    offenders = [
        importer
        for importer, path in modules()
        if part_of(importer) not in ("cli", "__main__") and any(part_of(i) == "cli" for i in imports_of(path))
    ]
    assert not offenders


def test_the_rules_catch_a_wrong_import():
    """The checker itself: scoring importing the store, or a domain importing the application, is refused."""
    assert not allowed("redrill.scoring.measure", "redrill.store")
    assert not allowed("redrill.sound.microphone", "redrill.pipeline")
    assert not allowed("redrill.store", "redrill.scoring.measure")
    assert allowed("redrill.store", "redrill.scoring.metrics")
    assert allowed("redrill.pipeline", "redrill.scoring")


def test_a_lazily_loaded_name_is_never_shadowed_by_its_module():
    """Importing a submodule sets it on its package: a lazily exported function named like its
    module (``scoring.annotate`` in ``scoring/annotate.py``) would then come back as the module."""
    import subprocess
    import sys

    check = (
        "import importlib, pkgutil, types, redrill.scoring as pkg\n"
        "for m in pkgutil.iter_modules(pkg.__path__): importlib.import_module(f'redrill.scoring.{m.name}')\n"
        "bad = [n for n in pkg.__all__ if isinstance(getattr(pkg, n), types.ModuleType)]\n"
        "assert not bad, f'redrill.scoring names that are modules: {bad}'\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
