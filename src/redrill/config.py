"""User settings from ``config.yaml`` in the data home.

Every key is optional; unknown keys are rejected with the file, line and key named, so a typo never
silently does nothing. Environment variables (``REDRILL_MODEL``) and command-line flags win over
the file.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
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


_TYPES: dict[str, type | tuple[type, ...]] = {
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


# Allowed ranges, checked on load so a bad value is named before anything uses it (the README's
# settings table lists them). ``(low, high, unit, why)``: both ends allowed.
RANGES: dict[str, tuple[float, float, str, str]] = {
    "rate": (60, 400, "words per minute", "how fast questions are read aloud"),
    "silence_seconds": (0.5, 60, "seconds", "silence that ends an answer; under 0.5 s every breath would end it"),
    "no_speech_timeout": (1, 600, "seconds", "how long to wait for an answer to start"),
    "long_pause_seconds": (
        0.5,
        30,
        "seconds",
        "the shortest gap counted as a long pause; shorter gaps are ordinary breaths between words",
    ),
    "opus_bitrate": (6000, 510000, "bits per second", "the range the Opus codec supports"),
    "beam_size": (
        1,
        20,
        "",
        "the number of transcriptions Whisper keeps open at once; memory grows with it, 5 is already accurate",
    ),
    "max_tokens_per_window": (
        10,
        224,
        "tokens",
        "Whisper writes at most 224 per 30 s window; fewer than 10 would cut off the words of any answer",
    ),
}
PACE_LIMITS = (40, 400)
DEVICES = ("auto", "cpu", "cuda")
# CTranslate2's compute types (its docs, "Quantization"); "auto" picks int8 on CPU, float16 on CUDA.
COMPUTE_TYPES = (
    "auto",
    "bfloat16",
    "float16",
    "float32",
    "int16",
    "int8",
    "int8_bfloat16",
    "int8_float16",
    "int8_float32",
)
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")  # Whisper's language codes: en, de, haw, yue, ...


def _range_problem(key: str, value) -> str | None:
    """Why ``value`` (already of the right type) is out of range for ``key``; None when it is fine."""
    if key in RANGES:
        low, high, unit, why = RANGES[key]
        number = float(value)
        if not (math.isfinite(number) and low <= number <= high):
            units = f" {unit}" if unit else ""
            return f"must be {low:g} to {high:g}{units} ({why}), not {value!r}"
    elif key == "pace_wpm":
        low, high = value
        if not (PACE_LIMITS[0] <= low < high <= PACE_LIMITS[1]):
            return (
                f"must be [low, high] words per minute with {PACE_LIMITS[0]} <= low < high <= {PACE_LIMITS[1]}, "
                f"not {list(value)}"
            )
    elif key == "device" and value not in DEVICES:
        return f"must be one of {', '.join(DEVICES)}, not {value!r}"
    elif key == "compute_type" and value not in COMPUTE_TYPES:
        return f"must be one of {', '.join(COMPUTE_TYPES)}, not {value!r}"
    elif key == "language" and not _LANGUAGE.match(value):
        return f"must be a language code such as en, de or fr (Whisper's two- or three-letter codes), not {value!r}"
    elif key == "model" and not value.strip():
        return "must name a model (tiny.en, base.en, ...) or a model folder; leave it out to choose automatically"
    elif key == "input_device" and (value < 0 if isinstance(value, int) else not value.strip()):
        return f"must be a device number (0 or more) or a name from `redrill devices`, not {value!r}"
    return None


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
                if (
                    not isinstance(value, list)
                    or len(value) != 2
                    or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                ):
                    problems.append(Problem(str(path), line, key, "must be [low, high] words per minute"))
                    continue
                value = tuple(value)
            out_of_range = _range_problem(key, value)
            if out_of_range:
                problems.append(Problem(str(path), line, key, out_of_range))
                continue
            values[key] = value
        if problems:
            raise InputError(problems, hint="Fix the settings file, or delete it to use the defaults.")
        config = dataclasses.replace(config, **values)
    env_model = os.environ.get(MODEL_ENV)
    if env_model:
        config = dataclasses.replace(config, model=env_model)
    return config
