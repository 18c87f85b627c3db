"""Model management: offline resolution with actionable errors, the one download path, doctor."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from redrill.config import Config
from redrill.errors import RedrillError
from redrill.models import (
    choose_model,
    describe_model_status,
    list_local_models,
    pull_model,
    resolve_model,
)
from redrill.paths import current


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
    with pytest.raises(RedrillError, match=r"is not a complete CTranslate2 Whisper model: missing model.bin, tokenizer.json"):
        resolve_model(str(partial), current())


def test_missing_folder(tmp_path, no_network):
    with pytest.raises(RedrillError, match=r"model folder .*nowhere not found"):
        resolve_model(str(tmp_path / "nowhere"), current())


def test_downloaded_name_resolves_and_transcribes(installed, no_network):
    import numpy as np

    from redrill.transcribe import Transcriber

    assert resolve_model("tiny.en", installed) == installed.models / "tiny.en"
    transcriber = Transcriber("tiny.en", options=None)
    transcriber.load()
    assert transcriber.model_dir == installed.models / "tiny.en"
    assert transcriber.model_name == "tiny.en"
    assert transcriber.transcribe(np.zeros(8000, np.float32)).words == ()


def test_flag_beats_environment_beats_config(monkeypatch):
    monkeypatch.delenv("REDRILL_MODEL", raising=False)
    assert choose_model(None, None) == "base.en"
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
    assert message.startswith("could not download tiny.en: no internet connection?")
    assert "redrill model pull tiny.en" in message and "--model DIR" in message
    assert "\n" not in message and "Traceback" not in message
    assert list(paths.models.iterdir()) == []  # no partial download left behind


def test_pull_installs_atomically(whisper_model_dir, monkeypatch):
    import huggingface_hub

    seen = {}

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
    with pytest.raises(RedrillError, match=r"could not download base.en: no internet connection\? \(ConnectionError: connection reset by peer\)"):
        pull_model("base.en", paths)
    assert list(paths.models.iterdir()) == []


def test_list_shows_incomplete_models(installed):
    (installed.models / "small.en").mkdir()
    (installed.models / ".base.en.partial").mkdir()
    listed = {m.name: m for m in list_local_models(installed)}
    assert set(listed) == {"small.en", "tiny.en"}
    assert listed["tiny.en"].ok
    assert listed["small.en"].problem == "incomplete: missing model.bin, config.json, tokenizer.json, vocabulary.json"


def test_doctor_check_fails_with_the_fix_then_passes(whisper_model_dir, no_network):
    app = SimpleNamespace(paths=current(), config=Config())
    (check,) = describe_model_status(app)
    assert not check.ok
    assert "base.en is not installed" in check.detail
    assert "redrill model pull base.en" in check.fix and "--model DIR" in check.fix

    app = SimpleNamespace(paths=current(), config=Config(model=str(whisper_model_dir)))
    (check,) = describe_model_status(app)
    assert check.ok
    assert check.detail.count(str(whisper_model_dir)) == 1 and "MB" in check.detail


def test_cli_model_list(cli, installed, no_network):
    result = cli("model", "list")
    assert result.exit_code == 0
    assert "In use: base.en - not ready" in result.output
    assert "tiny.en" in result.output and "Available to pull:" in result.output
    data = json.loads(cli("model", "list", "--json").output)
    assert data["model"] == "base.en" and data["path"] is None
    assert [m["name"] for m in data["local"]] == ["tiny.en"]

    result = cli("model", "list", env={"REDRILL_MODEL": "tiny.en"})
    assert f"In use: tiny.en ({installed.models / 'tiny.en'})" in result.output


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
    assert "Error: could not download base.en: no internet connection? (OSError: [Errno 101] Network is unreachable)" in result.stderr
    assert "Traceback" not in result.output + result.stderr
