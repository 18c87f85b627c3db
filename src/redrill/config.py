"""User settings from ``config.yaml`` in the data home.

Every key is optional; unknown keys are rejected with the file, line and key named, so a typo never
silently does nothing. Environment variables (``REDRILL_MODEL``) and command-line flags win over
the file.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from redrill.errors import InputError, Problem

MODEL_ENV = "REDRILL_MODEL"


@dataclass(frozen=True)
class Config:
    """Settings with their defaults. See the README's "Settings" section."""

    model: str | None = None  # a model name or CTranslate2 folder; None: the best pulled, else bundled
    language: str = "en"
    compute_type: str = "auto"  # int8 on CPU, float16 on CUDA
    device: str = "auto"  # cpu, cuda or auto
    voice: str | None = None  # pyttsx3 voice id or name part, e.g. "en-us"
    rate: int = 175  # words per minute for the spoken question
    input_device: str | None = None  # sounddevice input device name or index
    silence_seconds: float = (
        8.0  # the answer ends after this much silence once speech started (a thinking pause must not)
    )
    no_speech_timeout: float = 15.0  # give up on an answer when nobody speaks this long
    long_pause_seconds: float = 2.0  # a gap between words at least this long is a long pause
    pace_wpm: tuple[int, int] = (130, 160)  # comfortable speaking pace band
    opus_bitrate: int = 24000
    beam_size: int = 5  # Whisper beam width: 1 is about twice as fast, 5 a little more accurate
    max_tokens_per_window: int | None = None  # cap on tokens per 30 s window (None: Whisper's own)
    context_hints: bool = True  # bias recognition towards the question's and talking points' words
    follow_ups: bool = False  # ask one follow-up question after each answer in drills and mock interviews
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def with_overrides(self, **values) -> Config:
        """A copy with the given (non-None) values replaced."""
        return dataclasses.replace(self, **{k: v for k, v in values.items() if v is not None})


_TYPES = {
    "model": str,
    "language": str,
    "compute_type": str,
    "device": str,
    "voice": str,
    "rate": int,
    "input_device": (str, int),
    "silence_seconds": (int, float),
    "no_speech_timeout": (int, float),
    "long_pause_seconds": (int, float),
    "pace_wpm": list,
    "opus_bitrate": int,
    "beam_size": int,
    "max_tokens_per_window": int,
    "context_hints": bool,
    "follow_ups": bool,
}


def load_config(path: Path) -> Config:
    """Read ``config.yaml``; a missing file means all defaults."""
    from redrill.yamlfile import read_yaml_mapping

    config = Config()
    if path.exists():
        data, lines = read_yaml_mapping(path)
        problems = []
        values = {}
        for key, value in data.items():
            line = lines.get((key,))
            if key not in _TYPES:
                problems.append(
                    Problem(str(path), line, str(key), f"unknown setting; valid settings: {', '.join(sorted(_TYPES))}")
                )
                continue
            expected = _TYPES[key]
            if value is None or (isinstance(value, bool) and expected is not bool) or not isinstance(value, expected):
                problems.append(Problem(str(path), line, key, f"has the wrong type ({type(value).__name__})"))
                continue
            if key == "pace_wpm":
                if len(value) != 2 or not all(isinstance(v, int) for v in value) or value[0] > value[1]:
                    problems.append(Problem(str(path), line, key, "must be [low, high] words per minute"))
                    continue
                value = tuple(value)
            values[key] = value
        if problems:
            raise InputError(problems, hint="Fix the settings file, or delete it to use the defaults.")
        config = dataclasses.replace(config, **values)
    env_model = os.environ.get(MODEL_ENV)
    if env_model:
        config = dataclasses.replace(config, model=env_model)
    return config
