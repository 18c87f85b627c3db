"""Accuracy of the voice figures on answers whose delivery is known (rendered, not recorded).

Usage: .venv/bin/python scripts/accuracy_voice.py [--quick]

Ground truth is made, not annotated:

* Pitch: each text is rendered twice by espeak-ng with SSML ``<prosody range="x-low">`` (a
  monotone) and ``range="x-high"`` (a lively delivery), same voice, text and rate. The monotone
  must get the smaller pitch spread in every pair.
* Trailing off: each sentence is rendered on its own; in the "trailing" answer sox lowers the
  loudness over the last part of chosen sentences (a fade from full level to -20 dB, mixed so the
  words stay audible); the "steady" answer is the same sentences untouched. Trailing sentences
  must be found where they were made, and none in the steady answers.

Every answer goes through the real pipeline: stored at 16 kHz, transcribed by the real tiny.en
model (word timings), then :func:`redrill.sound.prosody.analyse`. ``run()`` returns one dict per rendered
pair; run as a script it prints a markdown table and a summary.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import redrill  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SAMPLE_RATE = 16_000
VOICES = ("en-us", "en-gb", "en-us+f3")
RATES = (140, 180)
TEXTS = (
    (
        "I led the migration of our billing system to a new database.",
        "The hard part was keeping the old monthly reports running for finance.",
        "We ran both systems side by side for six weeks and compared every invoice.",
        "In the end we cut our hosting costs by thirty percent.",
    ),
    (
        "Our team missed a release date that we had promised to a large customer.",
        "I called the customer myself the same afternoon and explained what had happened.",
        "Then we split the release so the feature they needed shipped within a week.",
        "They renewed their contract and asked us to present at their conference.",
    ),
    (
        "A new engineer on my team was struggling with our code review process.",
        "I paired with her for two hours every week during her first month.",
        "We wrote a short checklist together that the whole team still uses today.",
        "Six months later she was reviewing more changes than anyone else.",
    ),
)
TRAIL_AT = (1, 3)  # which sentences of each text are made to trail off
GAP_S = 0.7  # silence between sentences


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise SystemExit(
            f"Error: {name} is not installed: sudo apt-get install {'espeak-ng' if name == 'espeak-ng' else 'sox'}"
        )
    return exe


def render(text: str, out: Path, *, voice: str, rate: int, pitch_range: str | None = None) -> Path:
    """espeak-ng speech of ``text`` as a WAV file; ``pitch_range`` is an SSML prosody range."""
    body = text if pitch_range is None else f'<speak><prosody range="{pitch_range}">{text}</prosody></speak>'
    args = [_tool("espeak-ng"), "-v", voice, "-s", str(rate), "-w", str(out)]
    if pitch_range is not None:
        args.append("-m")
    subprocess.run([*args, body], check=True, capture_output=True, timeout=60)
    return out


def trail_off(wav: Path, out: Path, *, share: float = 0.4, longest_s: float = 1.6, floor: float = 0.1) -> Path:
    """The sentence in ``wav`` with its loudness falling over its last part (sox).

    The last ``share`` of the sentence (at most ``longest_s``) fades from full level to ``floor``
    (0.1 = -20 dB): a faded copy mixed with a quiet copy, so the last word stays audible.
    """
    sox = _tool("sox")
    # espeak-ng ends its files with silence: cut it first, so the fall lands on the last words.
    trimmed = out.parent / f"{out.stem}-trimmed.wav"
    subprocess.run(
        [
            sox,
            str(wav),
            str(trimmed),
            "silence",
            "1",
            "0.01",
            "0.2%",
            "reverse",
            "silence",
            "1",
            "0.01",
            "0.2%",
            "reverse",
        ],
        check=True,
        capture_output=True,
    )
    wav = trimmed
    seconds = float(subprocess.run([sox, "--i", "-D", str(wav)], check=True, capture_output=True, text=True).stdout)
    tail_s = min(longest_s, share * seconds)
    folder = out.parent
    head, tail, faded, mixed = (folder / f"{out.stem}-{n}.wav" for n in ("head", "tail", "faded", "mixed"))
    subprocess.run([sox, str(wav), str(head), "trim", "0", f"{seconds - tail_s:.3f}"], check=True, capture_output=True)
    subprocess.run([sox, str(wav), str(tail), "trim", f"{seconds - tail_s:.3f}"], check=True, capture_output=True)
    # The fade's stop position and length in samples of the tail itself (this sox reads "-0" as 0).
    n = subprocess.run([sox, "--i", "-s", str(tail)], check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sox, str(tail), str(faded), "fade", "t", "0", f"{n}s", f"{n}s"], check=True, capture_output=True)
    subprocess.run(
        [sox, "-m", "-v", f"{floor:.3f}", str(tail), "-v", f"{1 - floor:.3f}", str(faded), str(mixed)],
        check=True,
        capture_output=True,
    )
    subprocess.run([sox, str(head), str(mixed), str(out)], check=True, capture_output=True)
    return out


def _load(wav: Path):
    from redrill.sound.audiofile import load_audio

    return load_audio(wav).samples


def _trim(samples, threshold: float = 0.005):
    import numpy as np

    loud = np.nonzero(np.abs(samples) > threshold)[0]
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]


def joined(parts, gap_s: float = GAP_S, lead_s: float = 0.5):
    """Sentences joined with silences; returns (samples, [(start_s, end_s) of each sentence])."""
    import numpy as np

    pieces = [np.zeros(int(lead_s * SAMPLE_RATE), np.float32)]
    spans, at = [], len(pieces[0])
    for i, part in enumerate(parts):
        spans.append((at / SAMPLE_RATE, (at + len(part)) / SAMPLE_RATE))
        pieces.append(part.astype(np.float32))
        at += len(part)
        gap = np.zeros(int((gap_s if i < len(parts) - 1 else 0.5) * SAMPLE_RATE), np.float32)
        pieces.append(gap)
        at += len(gap)
    return np.concatenate(pieces), spans


def transcriber():
    """The real tiny.en transcriber (the bundled default model)."""
    from redrill.paths import Paths
    from redrill.transcription import bundled
    from redrill.transcription.whisper import Transcriber

    home = Path(tempfile.mkdtemp(prefix="redrill-acc-voice-"))
    model = bundled.by_name("tiny.en")
    folder = bundled.locate(model, Paths(home))
    if folder is None:
        raise SystemExit(f"Error: the real tiny.en weights are not installed: {model.pip_install}")
    return Transcriber(str(folder), cpu_threads=2)


def pitch_pair(tr, text: str, voice: str, rate: int, folder: Path) -> dict:
    """One monotone/lively pair: both pitch spreads and whether the monotone ranked flatter."""
    from redrill.sound.prosody import analyse

    out = {"test": "pitch", "voice": voice, "rate": rate, "text": text[:40]}
    for kind, rng in (("monotone", "x-low"), ("lively", "x-high")):
        wav = render(text, folder / f"{kind}.wav", voice=voice, rate=rate, pitch_range=rng)
        samples = _trim(_load(wav))
        voice_fig = analyse(samples, tr.transcribe(samples))
        out[f"{kind}_st"] = voice_fig.pitch_range_st
    out["ok"] = (
        out["monotone_st"] is not None and out["lively_st"] is not None and out["monotone_st"] < out["lively_st"]
    )
    return out


def trailing_pair(tr, sentences, voice: str, rate: int, folder: Path, trail_at=TRAIL_AT) -> dict:
    """One steady/trailing pair: trailing sentences found where made, none elsewhere."""
    from redrill.sound.prosody import analyse

    plain, trailed = [], []
    for i, sentence in enumerate(sentences):
        wav = render(sentence, folder / f"s{i}.wav", voice=voice, rate=rate)
        plain.append(_trim(_load(wav)))
        if i in trail_at:
            trailed.append(_trim(_load(trail_off(wav, folder / f"t{i}.wav"))))
        else:
            trailed.append(plain[-1])
    out = {"test": "trailing", "voice": voice, "rate": rate, "text": sentences[0][:40], "made": len(trail_at)}
    for kind, parts in (("steady", plain), ("trailing", trailed)):
        samples, spans = joined(parts)
        found = analyse(samples, tr.transcribe(samples)).trailing
        hit = {i for i, (a, b) in enumerate(spans) for t in found if a - 0.2 <= t["at_s"] <= b + 0.2}
        out[f"{kind}_found"] = len(found)
        if kind == "trailing":
            out["found_where_made"] = len(hit & set(trail_at))
            out["found_elsewhere"] = len(hit - set(trail_at))
        else:
            out["steady_false"] = len(found)
    out["ok"] = out["found_where_made"] == len(trail_at) and out["found_elsewhere"] == 0 and out["steady_false"] == 0
    return out


def run(*, quick: bool = False) -> list[dict]:
    """Render every pair, analyse it through the real pipeline, and return one row per pair."""
    tr = transcriber()
    rows = []
    voices, rates, texts = (VOICES[:2], RATES[:1], TEXTS[:1]) if quick else (VOICES, RATES, TEXTS)
    with tempfile.TemporaryDirectory(prefix="redrill-voice-") as tmp:
        folder = Path(tmp)
        for sentences in texts:
            for voice in voices:
                for rate in rates:
                    rows.append(pitch_pair(tr, " ".join(sentences), voice, rate, folder))
                    rows.append(trailing_pair(tr, sentences, voice, rate, folder))
    return rows


def table(rows: list[dict]) -> str:
    """The rows as two markdown tables and a summary line."""
    lines = [
        "| voice | rate (wpm) | text | monotone spread (st) | lively spread (st) | monotone flatter |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["test"] == "pitch":
            lines.append(
                f"| {r['voice']} | {r['rate']} | {r['text']}... | {r['monotone_st']} | {r['lively_st']} | {'yes' if r['ok'] else 'NO'} |"
            )
    lines += [
        "",
        "| voice | rate (wpm) | text | trailing made | found where made | found elsewhere | found in steady speech |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["test"] == "trailing":
            lines.append(
                f"| {r['voice']} | {r['rate']} | {r['text']}... | {r['made']} | {r['found_where_made']} | "
                f"{r['found_elsewhere']} | {r['steady_false']} |"
            )
    pitch = [r for r in rows if r["test"] == "pitch"]
    trail = [r for r in rows if r["test"] == "trailing"]
    made = sum(r["made"] for r in trail)
    lines += [
        "",
        f"Monotone ranked flatter in {sum(r['ok'] for r in pitch)} of {len(pitch)} pairs; trailing sentences found "
        f"{sum(r['found_where_made'] for r in trail)} of {made} where made, {sum(r['found_elsewhere'] for r in trail)} "
        f"elsewhere, {sum(r['steady_false'] for r in trail)} in {len(trail)} steady answers.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two voices, one rate, one text")
    args = parser.parse_args()
    print(table(run(quick=args.quick)))


if __name__ == "__main__":
    main()
