"""Filled pauses and restarts three ways on the same answers: the transcript alone, with redrill's
detector (``redrill.scoring.disfluency_audio``), and the ``erm`` package as the peer.

Every find is matched in time to what was really said (the labelled set knows where each word of
the script is in the audio): a find and a said item of the same kind match when their spans come
within 0.5 s of each other (Whisper's timestamps for fillers lag by up to about that), one to one:
the most such pairs there can be (a maximum matching), nearest tried first. Recall = matched /
said, precision = matched / found.

* **transcript only**: the fillers and restarts redrill's rules find in the words (what redrill did
  before the detector).
* **with detector**: those plus what the detector hears in the audio (what redrill does now).
* **erm**: ``erm`` (PyPI, MIT) run as its command line does on the same audio with the same model:
  its own transcription (faster-whisper with its verbatim prompt), its transcribed fillers, and its
  three audio detectors (gaps, inside words, over-long words) with its default thresholds, the
  overlong finds confirmed by its sustained-vowel test, cuts closer than 120 ms merged. ``erm`` has
  no restart detection: its restart figures are the restarts redrill's rules find in erm's
  transcript. It is installed into its own virtual environment (under the user cache folder,
  ``--peer-cache``) on first use, from PyPI.

Rows per model: the tuning set (the voices and texts the detector's thresholds were set on), the
held-out set (voices and texts it was never tuned on), the fresh held-out group (texts written after
the thresholds were set), the third held-out group (texts written after every rule was set), the
fourth (written before the seventh session changed anything), the fifth (written before the
detector heard it, after the fourth had been read), the sixth (written before the detector heard
it, after the fifth had been read and the ninth session's rule was set), the seventh (written
before the detector heard it, after the sixth had been read and a rule set from every group), the
eighth (written before the detector heard it, after the seventh had been read), the ninth, the
tenth and the eleventh (the same, each after the one before it had been read), all together (the
targets are on the whole labelled set), each voice, and how long the detector takes next to transcription, measured
back to back on every answer.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

from evalset import GROUPS

TITLE = "Filled pauses and restarts: transcript only, with the detector, and erm"
ORDER = 20

ERM_VERSION = "0.4.0"
TOLERANCE_S = 0.5
KINDS = ("filled_pause", "restart")

_ERM_DRIVER = r"""
import json, sys, time
from erm import (DEFAULT_FILLERS, detect_gap_fillers, detect_intraword_fillers, detect_overlong_words, find_fillers,
                 is_sustained_vowel, load_audio_mono, merge_close_cuts, transcribe)
jobs, model, out_path = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
out = {}
for job in jobs:
    started = time.perf_counter()
    words, duration = transcribe(job["wav"], model_name=model, device="cpu", compute_type="int8")
    transcribed = time.perf_counter()
    audio, sr = load_audio_mono(job["wav"])
    # erm's command-line defaults: --gap-min-ms 350, --gap-min/max-voiced-ms 100/1500,
    # --intraword-min-ms 550, --confirm-pitch, --merge-gap-ms 120.
    cuts = list(find_fillers(words, DEFAULT_FILLERS))
    cuts += detect_gap_fillers(audio, sr, words, duration, min_gap_s=0.35, min_voiced_s=0.1, max_voiced_s=1.5)
    cuts += detect_intraword_fillers(audio, sr, words, min_word_s=0.55, min_voiced_s=0.1, max_voiced_s=1.5,
                                     confirm_pitch=True)
    long = detect_overlong_words(audio, sr, words, min_voiced_s=0.1, max_voiced_s=1.5)
    cuts += [c for c in long if is_sustained_vowel(audio, sr, c.start, c.end)]
    merged = merge_close_cuts(sorted(cuts, key=lambda c: c.start), min_gap_s=0.12)
    out[job["key"]] = {
        "words": [[w.text, w.start, w.end] for w in words],
        "cuts": [[c.start, c.end, c.word] for c in merged],
        "transcribe_s": transcribed - started,
        "detect_s": time.perf_counter() - transcribed,
    }
json.dump(out, open(out_path, "w"))
"""


# --------------------------------------------------------------------------------------------
# What each way finds: (kind, start, end, text)


def transcript_items(transcript, *, heard: bool = False) -> list[tuple[str, float, float, str]]:
    """Fillers and restarts redrill's rules find in the words, with their times; with ``heard``,
    less the written fillers the audio search took back (``unheard_filler``)."""
    import dataclasses

    from redrill.scoring import annotate

    tokens = annotate(transcript if heard else dataclasses.replace(transcript, audio_disfluencies=None))
    items = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.start is None:
            i += 1
            continue
        if tok.kind == "filled_pause":
            items.append(("filled_pause", tok.start, tok.end or tok.start, tok.text))
        elif tok.kind == "restart":
            j = i
            while j + 1 < len(tokens) and tokens[j + 1].kind == "restart":
                j += 1
            # The abandoned copy and as many words again: the repeat.
            last = tokens[min(len(tokens) - 1, j + (j - i + 1))]
            items.append(("restart", tok.start, last.end or tok.start, " ".join(t.text for t in tokens[i : j + 2])))
            i = j + 1
            continue
        i += 1
    return items


def detector_items(transcript) -> list[tuple[str, float, float, str]]:
    """The transcript's own finds, less the written fillers the detector took back, plus what it
    heard in the audio."""
    found = [d for d in transcript.audio_disfluencies or () if d.kind != "unheard_filler"]
    return transcript_items(transcript, heard=True) + [(d.kind, d.start_s, d.end_s, f"audio:{d.where}") for d in found]


def erm_items(result: dict) -> list[tuple[str, float, float, str]]:
    """erm's filler cuts, and the restarts redrill's rules find in erm's transcript."""
    from redrill.transcript import Transcript, Word

    words = tuple(Word(text, float(start), float(end)) for text, start, end in result["words"])
    restarts = [i for i in transcript_items(Transcript(words=words, timed=True)) if i[0] == "restart"]
    return [("filled_pause", float(s), float(e), str(label)) for s, e, label in result["cuts"]] + restarts


# --------------------------------------------------------------------------------------------
# Matching


def pairs(found, truth, kind: str) -> tuple[list, list, dict[int, int]]:
    """The finds and said items of one kind in one answer, and which find is paired with which said
    item (said index -> find index): the most one-to-one pairs within the tolerance (a maximum
    matching, as event-detection scoring such as mir_eval's ``match_events`` counts), nearest
    pairs tried first."""
    f = [x for x in found if x[0] == kind]
    t = [x for x in truth if x.kind == kind]
    near = {
        i: sorted(
            (abs((a[1] + a[2]) / 2 - (b.start + b.end) / 2), j)
            for j, b in enumerate(t)
            if a[1] - TOLERANCE_S <= b.end and b.start <= a[2] + TOLERANCE_S
        )
        for i, a in enumerate(f)
    }
    owner: dict[int, int] = {}  # said item -> the find matched to it

    def place(i: int, tried: set[int]) -> bool:
        # Kuhn's augmenting path: take a free said item, or move its find to another one.
        for _, j in near[i]:
            if j not in tried:
                tried.add(j)
                if j not in owner or place(owner[j], tried):
                    owner[j] = i
                    return True
        return False

    for i in sorted(near, key=lambda i: near[i][0][0] if near[i] else math.inf):
        place(i, set())
    return f, t, owner


def match(found, truth, kind: str) -> tuple[int, int, int]:
    """(matched, found, said) of one kind in one answer, paired as :func:`pairs` pairs them."""
    f, t, owner = pairs(found, truth, kind)
    return len(owner), len(f), len(t)


def misses(found, truth) -> list[str]:
    """What the pairing left over in one answer, one line each: finds paired with nothing said
    ("false") and said items no find was paired with ("missed")."""
    lines = []
    for kind in KINDS:
        f, t, owner = pairs(found, truth, kind)
        paired = set(owner.values())
        lines += [f"false {kind} {a[1]:.2f}-{a[2]:.2f} ({a[3]})" for i, a in enumerate(f) if i not in paired]
        lines += [f"missed {kind} {b.start:.2f}-{b.end:.2f} ({b.text})" for j, b in enumerate(t) if j not in owner]
    return lines


def tally(answers_found) -> dict:
    """Sums over (answer, found) pairs: per kind [matched, found, said], false fillers in clean answers."""
    out: dict[str, list[int]] = {kind: [0, 0, 0] for kind in KINDS}
    clean_false = clean = 0
    for a, found in answers_found:
        truth = a.truth_items
        for kind in KINDS:
            for k, v in enumerate(match(found, truth, kind)):
                out[kind][k] += v
        if not truth:
            clean += 1
            clean_false += sum(1 for x in found if x[0] == "filled_pause")
    out["clean"] = [clean_false, clean]
    return out


def pct(a: int, b: int) -> str:
    return f"{a / b:.0%} ({a}/{b})" if b else "-"


def figures(t: dict) -> dict[str, str]:
    fm, ff, fs = t["filled_pause"]
    rm, rf, rs = t["restart"]
    return {
        "filled pauses recall": pct(fm, fs),
        "filled pauses precision": pct(fm, ff),
        "restarts recall": pct(rm, rs),
        "restarts precision": pct(rm, rf),
        "false fillers in clean answers": f"{t['clean'][0]} in {t['clean'][1]} answers",
    }


def short(t: dict, kind: str) -> str:
    m, f, s = t[kind]
    recall = f"{m / s:.0%}" if s else "-"
    precision = f"{m / f:.0%}" if f else "-"
    return f"{recall} / {precision}"


# --------------------------------------------------------------------------------------------
# The peer


def erm_python(peer_cache: Path) -> Path:
    """The Python of a virtual environment with ``erm`` installed (made on first use, from PyPI)."""
    venv = peer_cache / f"erm-{ERM_VERSION}"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import erm, librosa, faster_whisper"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"(installing erm {ERM_VERSION} and its dependencies into {venv}: a few minutes, once)", file=sys.stderr)
    peer_cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"erm=={ERM_VERSION}"], capture_output=True, text=True
    )
    if pip.returncode != 0 or subprocess.run(probe, capture_output=True).returncode != 0:
        raise SystemExit(
            f"could not install erm {ERM_VERSION} from PyPI into {venv}:\n{pip.stderr[-2000:]}\n"
            "Check the connection to the package index, or skip this section (--sections metrics)."
        )
    return python


def _write_wav(path: Path, samples) -> None:
    audio = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((audio * 32767).astype("<i2").tobytes())


def run_erm(ctx, model: str) -> dict[str, dict]:
    """erm's results per answer key, cached by audio content, erm version and model."""
    peer_cache = Path(getattr(ctx.args, "peer_cache", None) or _default_peer_cache())
    folder = ctx.folder(model)
    store = ctx.cache / "erm"
    store.mkdir(parents=True, exist_ok=True)
    results, jobs = {}, []
    for a in ctx.answers:
        digest = hashlib.sha256(a.samples.tobytes() + f"{ERM_VERSION}|{model}".encode()).hexdigest()[:16]
        cached = store / f"{digest}.json"
        if cached.exists():
            results[a.key] = json.loads(cached.read_text())
            continue
        wav = store / f"{digest}.wav"
        _write_wav(wav, a.samples)
        jobs.append({"key": a.key, "wav": str(wav), "digest": digest})
    if jobs:
        python = erm_python(peer_cache)
        with tempfile.TemporaryDirectory() as tmp:
            job_file, out_file, driver = Path(tmp, "jobs.json"), Path(tmp, "out.json"), Path(tmp, "driver.py")
            job_file.write_text(json.dumps(jobs))
            driver.write_text(_ERM_DRIVER)
            done = subprocess.run(
                [str(python), str(driver), str(job_file), str(folder), str(out_file)], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"erm failed:\n{done.stderr[-3000:]}")
            out = json.loads(out_file.read_text())
        for job in jobs:
            results[job["key"]] = out[job["key"]]
            (store / f"{job['digest']}.json").write_text(json.dumps(out[job["key"]]))
            Path(job["wav"]).unlink(missing_ok=True)
    return results


def _default_peer_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("redrill")) / "accuracy"


# --------------------------------------------------------------------------------------------


def table(title: str, tallies: dict) -> None:
    """A markdown table of the figures of each way (the keys of ``tallies``), under ``title``."""
    names = list(tallies)
    print(f"\n### {title}\n")
    print("| figure | " + " | ".join(names) + " |")
    print("| --- | " + " | ".join("---" for _ in names) + " |")
    rows = {n: figures(t) for n, t in tallies.items()}
    for key in rows[names[0]]:
        print(f"| {key} | " + " | ".join(rows[n][key] for n in names) + " |")


def run(ctx) -> None:
    for model in ctx.models:
        heard = ctx.heard(model, hints=True)
        erm = run_erm(ctx, model)
        ways = {
            "transcript only": [(h.answer, transcript_items(h.transcript)) for h in heard],
            "with detector": [(h.answer, detector_items(h.transcript)) for h in heard],
            f"erm {ERM_VERSION}": [(h.answer, erm_items(erm[h.answer.key])) for h in heard],
        }
        names = list(ways)
        for group, title in GROUPS.items():
            per_way = {n: tally([(a, f) for a, f in rows if a.group == group]) for n, rows in ways.items()}
            table(f"{model}, {title} ({sum(1 for h in heard if h.answer.group == group)} answers)", per_way)
        # The targets are on the labelled set: both parts together as well.
        whole = {n: tally(rows_) for n, rows_ in ways.items()}
        table(
            f"{model}, whole labelled set: tuning and the {len(GROUPS) - 1} held-out groups together ({len(heard)} answers)",
            whole,
        )

        print(f"\n### {model}, per voice (recall / precision)\n")
        print(
            "| voice | answers: "
            + " / ".join("held out" if g == "held" else g for g in GROUPS)
            + " | filled pauses: "
            + " | ".join(names)
            + " | restarts: "
            + " | ".join(names)
            + " |"
        )
        print("| --- | --- | " + " | ".join("---" for _ in range(2 * len(names))) + " |")
        for voice in ctx.voices:
            picked = [h.answer for h in heard if h.answer.voice == voice]
            keys = {a.key for a in picked}
            per = {n: tally([(a, f) for a, f in rows_ if a.key in keys]) for n, rows_ in ways.items()}
            counts = [sum(1 for a in picked if a.group == group) for group in GROUPS]
            out = [" / ".join(str(c) for c in counts)]
            out += [short(per[n], "filled_pause") for n in names] + [short(per[n], "restart") for n in names]
            print(f"| {voice} | " + " | ".join(out) + " |")

        transcribe_s = sum(h.transcribe_s for h in heard)
        detect_s = sum(h.detect_s for h in heard)
        erm_t = sum(erm[h.answer.key]["transcribe_s"] for h in heard)
        erm_d = sum(erm[h.answer.key]["detect_s"] for h in heard)
        audio_s = sum(len(h.answer.samples) / 16000 for h in heard)
        print(
            f"\nTime for {audio_s:.0f} s of answers, measured back to back on each answer: transcription "
            f"{transcribe_s:.1f} s, detector {detect_s:.1f} s (adds {detect_s / transcribe_s:.1%}); "
            f"erm's transcription {erm_t:.1f} s, its detectors {erm_d:.1f} s."
        )
        if ctx.verbose:
            for h in heard:
                marks = ", ".join(f"{d.kind}@{d.start_s:.2f}({d.where})" for d in h.transcript.audio_disfluencies or ())
                print(f"  {h.answer.key}: {' '.join(w.text for w in h.transcript.words)} [{marks}]")
                for line in misses(detector_items(h.transcript), h.answer.truth_items):
                    print(f"    with detector, {line}")
