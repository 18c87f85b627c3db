"""Messages that must not mislead: each names the real cause, the right file and the right fix."""

from __future__ import annotations

import shutil

from fixtures_model import speech_wav
from redrill import doctor


def doctor_lines(cli, monkeypatch, *checks):
    monkeypatch.setattr(doctor, "CHECKS", list(checks))
    result = cli("doctor")
    assert "Traceback" not in result.stdout + result.stderr
    return result, result.stdout


def test_doctor_files_a_settings_typo_under_settings_not_as_a_bug(cli, redrill_home, monkeypatch):
    """A typo in config.yaml was `FAIL model: check failed: InputError ... fix: Please report this`."""
    config = redrill_home / "config.yaml"
    config.write_text("modle: base.en\n")
    result, out = doctor_lines(cli, monkeypatch, doctor.check_settings, doctor.check_model)
    assert result.exit_code == 1
    assert "Please report this" not in out and "check failed" not in out and "InputError" not in out, out
    assert f"FAIL settings: {config}:1: modle: unknown setting; valid settings:" in out, out
    assert f"fix: Fix the line(s) named above in {config}, or delete the file to use the defaults." in out, out
    # The model check does not pretend to know: it says it waits for the settings.
    assert "speech model: not checked: the settings in config.yaml have problems (see settings)" in out, out


def test_doctor_reports_a_known_failure_of_any_check_with_its_own_message(cli, monkeypatch):
    from redrill.errors import RedrillError

    def check_broken(app):
        """A check that meets a known failure."""
        raise RedrillError("the banks folder is not readable: Permission denied")

    result, out = doctor_lines(cli, monkeypatch, check_broken)
    assert result.exit_code == 1
    assert "FAIL broken: the banks folder is not readable: Permission denied" in out, out
    assert "Please report this" not in out and "check failed" not in out


def test_bank_validate_lists_a_duplicate_id_among_other_errors(cli, tmp_path):
    """The clash with a shipped id was reported alone, and dropped when the file had other errors."""
    bank = tmp_path / "mine.yaml"
    bank.write_text(
        "name: Mine\ncolour: blue\nquestions:\n"
        "  - id: failure-story\n    text: My failure question\n"
        "  - id: Bad Id\n    text: Another\n"
    )
    result = cli("bank", "validate", bank)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    err = result.stderr
    assert "3 problems found" in err, err
    assert f"{bank}:2: colour: unknown key" in err
    assert f"{bank}:6: questions[1].id: 'Bad Id' is not a valid id" in err
    assert f"{bank}:4: id: duplicate id 'failure-story': already defined in" in err and "behavioral.yaml" in err
    # Loading it with --bank lists the same three.
    result = cli("answer", "failure-story", "--text", "x", "--bank", bank)
    assert result.exit_code == 1 and "3 problems found" in result.stderr, result.stderr
    assert f"{bank}:4: id: duplicate id 'failure-story'" in result.stderr


def test_a_missing_vocabulary_txt_is_named_as_such(tmp_path, whisper_model_dir):
    from redrill.transcription.models import missing_files

    folder = tmp_path / "model"
    shutil.copytree(whisper_model_dir, folder)
    for vocab in folder.glob("vocabulary.*"):
        vocab.unlink()
    assert missing_files(folder) == ["vocabulary.txt or vocabulary.json"]
    (folder / "vocabulary.txt").write_text("a\n")
    assert missing_files(folder) == []


def test_a_real_model_without_its_vocabulary_txt(cli, tmp_path, real_tiny_dir):
    folder = tmp_path / "tiny"
    shutil.copytree(real_tiny_dir, folder)
    assert (folder / "vocabulary.txt").is_file()
    (folder / "vocabulary.txt").unlink()
    wav = speech_wav("I rolled it back.", tmp_path)
    result = cli("answer", "failure-story", "--audio", wav, "--model", folder)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "missing vocabulary.txt or vocabulary.json" in result.stderr, result.stderr
    assert "missing vocabulary.json" not in result.stderr


def test_an_impossible_date_in_a_debrief_names_its_line(cli, tmp_path):
    """`date: 2026-13-45` was a ValueError traceback from the YAML library."""
    path = tmp_path / "debrief.yaml"
    path.write_text(
        "interview:\n  company: Acme\n  date: 2026-13-45\nwent_well: [x]\n"
        "questions:\n  - id: failure-story\n    rating: bombed\n"
    )
    result = cli("debrief", "--from", path)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{path}:3: '2026-13-45' is not a valid value: month must be in 1..12" in result.stderr, result.stderr
