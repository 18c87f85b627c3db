"""Whether CTranslate2's OpenMP threads should wait by sleeping (``OMP_WAIT_POLICY=PASSIVE``) or by
spinning (the library's default), on a quiet machine and beside other work.

    .venv/bin/python scripts/bench_threads.py                 # tiny.en, a 30 s answer, 3 turns
    .venv/bin/python scripts/bench_threads.py --seconds 60 --repeat 5 --busy 2

CTranslate2's wheel brings GNU OpenMP, whose threads spin for a while after each parallel step
before they sleep. On a desk where other programs want the same cores (a browser, a video call, an
editor's indexer) spinning threads hand their time slices to no one, and the transcriber's own
threads can wait on each other. redrill sets ``OMP_WAIT_POLICY=PASSIVE`` before CTranslate2 loads
unless the user has set it (``redrill/__init__.py``); this script measures what that
choice costs or gains.

For each condition (``quiet``: nothing else running; ``busy``: ``--busy`` processes doing steady
single-threaded numpy work beside it) and each policy (``spin``: the variable unset; ``passive``),
a fresh process loads the model and transcribes the same espeak-ng answer (scripts/bench.py's)
through redrill's whole-answer path, ``--repeat`` times. The policies alternate turn by turn so a
burst of other work favours neither. Printed: median wall time of one transcription, CPU time
it used, and (busy only) how much work the neighbours got done per second while that process
loaded the model and transcribed. The last line is JSON with every figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICIES = {"spin": None, "passive": "PASSIVE"}


def child(args) -> None:
    """In a fresh process (its environment set by the parent): load, warm up, transcribe, report."""
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))
    if not os.environ.get("OMP_WAIT_POLICY"):
        # OpenMP reads its settings when it loads: loading CTranslate2 before redrill can set its
        # default keeps the library's own (spinning) behaviour
        import ctranslate2  # noqa: F401
    import numpy as np

    from bench import cpu_s, make_answer
    from redrill.paths import Paths
    from redrill.transcription import bundled
    from redrill.transcription.streaming import transcribe_answer
    from redrill.transcription.whisper import Transcriber

    cache = Path(args.cache)
    folder = bundled.locate(bundled.by_name(args.model), Paths(cache))
    if folder is None:
        sys.exit(f"{args.model} is not installed: {bundled.by_name(args.model).pip_install}")
    transcriber = Transcriber(str(folder)).load()
    audio = np.load(args.audio)
    transcriber.transcribe(make_answer(3.0, cache))  # warm-up: VAD model, allocators
    t0, c0 = time.perf_counter(), cpu_s()
    words = transcribe_answer(transcriber, audio).words
    print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": cpu_s() - c0, "words": len(words)}))


def neighbour(counter, stop) -> None:
    """Steady single-threaded work (a 200 x 200 matrix product) until told to stop; counts rounds."""
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    import numpy as np

    a = np.random.default_rng(0).random((200, 200))
    while not stop.is_set():
        a = a @ a
        a /= np.abs(a).max()
        with counter.get_lock():
            counter.value += 1


def one(policy: str, args, audio: Path, counter) -> dict:
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if POLICIES[policy]:
        env["OMP_WAIT_POLICY"] = POLICIES[policy]
    cmd = [sys.executable, __file__, "--child", "--model", args.model, "--cache", args.cache, "--audio", str(audio)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"the {policy} run failed:\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if counter is not None:
        # the neighbours' rounds while that process ran (the caller makes them a rate)
        figures["neighbour_rounds"] = counter.value
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the answer")
    parser.add_argument("--repeat", type=int, default=3, help="turns per policy and condition")
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2, help="neighbour processes when busy")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "redrill-bench"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--audio", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    sys.path.insert(0, str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))
    import numpy as np

    from bench import make_answer

    Path(args.cache).mkdir(parents=True, exist_ok=True)
    audio = Path(args.cache) / f"threads-{args.seconds:.0f}s.npy"
    np.save(audio, make_answer(args.seconds, Path(args.cache)))

    results: dict[str, dict[str, list[dict]]] = {}
    for condition in ("quiet", "busy"):
        results[condition] = {p: [] for p in POLICIES}
        for turn in range(args.repeat):
            order = list(POLICIES) if turn % 2 == 0 else list(POLICIES)[::-1]
            for policy in order:
                if condition == "quiet":
                    figures = one(policy, args, audio, None)
                else:
                    counter, stop = mp.Value("q", 0), mp.Event()
                    workers = [mp.Process(target=neighbour, args=(counter, stop)) for _ in range(args.busy)]
                    for w in workers:
                        w.start()
                    time.sleep(1.0)
                    with counter.get_lock():
                        counter.value = 0
                    t0 = time.perf_counter()
                    figures = one(policy, args, audio, counter)
                    # the child's own loading and warm-up are inside this span; report rounds per second
                    figures["neighbour_rate"] = figures.pop("neighbour_rounds") / (time.perf_counter() - t0)
                    stop.set()
                    for w in workers:
                        w.join()
                results[condition][policy].append(figures)
                print(f"{condition} {policy}: {json.dumps(figures)}", file=sys.stderr, flush=True)

    summary = {"model": args.model, "audio_s": args.seconds, "repeat": args.repeat, "busy": args.busy}
    print(f"\n{args.model}, {args.seconds:.0f} s answer, medians of {args.repeat} (fresh process each)\n")
    print("| condition | policy | transcription | CPU time | neighbours' work (rounds/s) |")
    print("| --- | --- | --- | --- | --- |")
    for condition, per in results.items():
        for policy, runs in per.items():
            wall = statistics.median(r["wall_s"] for r in runs)
            cpu = statistics.median(r["cpu_s"] for r in runs)
            rate = statistics.median(r["neighbour_rate"] for r in runs) if condition == "busy" else None
            summary[f"{condition}_{policy}"] = {
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "neighbour_rate": rate,
            }
            shown = f"{rate:.1f}" if rate is not None else "-"
            print(f"| {condition} | {policy} | {wall:.2f} s | {cpu:.2f} s | {shown} |")
        spin, passive = summary[f"{condition}_spin"], summary[f"{condition}_passive"]
        print(
            f"| {condition} | passive / spin | {passive['wall_s'] / spin['wall_s']:.2f} | "
            f"{passive['cpu_s'] / spin['cpu_s']:.2f} | "
            + (f"{passive['neighbour_rate'] / spin['neighbour_rate']:.2f} |" if condition == "busy" else "- |")
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
