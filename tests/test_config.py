"""Settings: defaults, the config file, the environment, and clear errors."""

from __future__ import annotations

import pytest

from redrill.config import Config, load_config
from redrill.errors import InputError


def test_defaults_without_a_file(tmp_path):
    assert load_config(tmp_path / "config.yaml") == Config()


def test_file_and_environment(tmp_path, monkeypatch):
    path = tmp_path / "config.yaml"
    path.write_text("model: small.en\nsilence_seconds: 3\npace_wpm: [120, 150]\nvoice: en-us\n")
    config = load_config(path)
    assert (config.model, config.silence_seconds, config.pace_wpm, config.voice) == ("small.en", 3, (120, 150), "en-us")
    monkeypatch.setenv("REDRILL_MODEL", "/models/mine")
    assert load_config(path).model == "/models/mine"


def test_unknown_and_mistyped_settings_are_named(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("modle: base.en\nrate: fast\npace_wpm: [170, 120]\n")
    with pytest.raises(InputError) as info:
        load_config(path)
    found = {(p.line, p.field) for p in info.value.problems}
    assert found == {(1, "modle"), (2, "rate"), (3, "pace_wpm")}
    assert "valid settings:" in str(info.value)


def test_config_file_errors_reach_the_cli_cleanly(cli, redrill_home):
    (redrill_home / "config.yaml").write_text("silence_seconds: [1\n")
    result = cli("answer", "failure-story", "--text", "hello there")
    assert result.exit_code == 1
    assert "config.yaml:" in result.stderr and "YAML syntax error" in result.stderr
