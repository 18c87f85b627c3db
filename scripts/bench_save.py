"""Cost of storing an answer at its end: encoded while spoken (OpusWriter) against all at the end.

    .venv/bin/python scripts/bench_save.py [--seconds 120] [--runs 5]

A speech-like signal of ``--seconds`` is fed to :class:`redrill.sound.opuswriter.OpusWriter` in
100 ms blocks, as the recorder's tap does, holding back 9.5 s (the default silence ending and a
margin); then the CPU time of :meth:`OpusWriter.finish` (the last seconds, the move into place) is
measured beside :func:`redrill.sound.audiofile.write_opus` of the same final answer, alternating,
in one process. The target: finishing costs under a quarter of writing the whole file at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def speechlike(seconds: float, seed: int = 3):
    import numpy as np

    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    envelope = (np.sin(2 * np.pi * 3 * t) > -0.2).astype(np.float32)
    return (0.2 * envelope * np.sin(2 * np.pi * 180 * t) + 0.02 * rng.standard_normal(len(t))).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from redrill.sound.audiofile import write_opus
    from redrill.sound.opuswriter import OpusWriter

    recorded = speechlike(args.seconds)
    final = recorded[: len(recorded) - 800]
    finish_cpu, whole_cpu = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            writer = OpusWriter(Path(folder), hold_s=9.5)
            for i in range(0, len(recorded), 1600):
                writer.feed(recorded[i : i + 1600])
            deadline = time.monotonic() + 120
            while writer.encoded_seconds < args.seconds - 9.5 - 1.5 and time.monotonic() < deadline:
                time.sleep(0.05)
            t0 = time.process_time()
            used = writer.finish(Path(folder) / f"streamed{run}.ogg", final)
            finish_cpu.append(time.process_time() - t0)
            t0 = time.process_time()
            write_opus(Path(folder) / f"whole{run}.ogg", final)
            whole_cpu.append(time.process_time() - t0)
            if not used:
                raise SystemExit("the writer was not used: nothing to compare")
    f, w = statistics.median(finish_cpu), statistics.median(whole_cpu)
    print(f"| storing a {args.seconds:.0f} s answer at its end | CPU seconds (median of {args.runs}) |")
    print("| --- | --- |")
    print(f"| encoded while spoken, finished at the end | {f:.3f} |")
    print(f"| written whole at the end (write_opus) | {w:.3f} |")
    print(f"| ratio (target < 0.25) | {f / w:.2f}: {'met' if f / w < 0.25 else 'NOT met'} |")


if __name__ == "__main__":
    main()
