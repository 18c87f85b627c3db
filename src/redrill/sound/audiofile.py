"""Audio in and out: decode any audio file to 16 kHz mono, store answers as Ogg/Opus.

Everything the transcriber sees is 16 kHz mono float32 (Whisper's input). PyAV (FFmpeg, already a
faster-whisper dependency) does the decoding, resampling and Opus encoding, so any format FFmpeg
reads works: wav, flac, mp3, m4a/aac, ogg/opus, webm. PyAV and numpy are imported inside the
functions that use them, so importing this module costs nothing.

Recordings are kept as Ogg/Opus at 24 kbit/s: ~160-180 KB per minute of speech (a 16-bit WAV is
1.9 MB), and it decodes back to exactly the same number of samples with a correlation above 0.99
to the original, so pause timings measured on the stored file match the live ones.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from redrill.errors import RedrillError
from redrill.paths import private_file
from redrill.sound import SAMPLE_RATE

if TYPE_CHECKING:  # numpy is only needed at run time inside the functions
    import numpy as np

LENGTH_TAG = "REDRILL_SAMPLES"  # the true sample count, stored in recordings redrill writes
DEFAULT_MAX_SECONDS = 3600.0


@dataclass(frozen=True)
class Audio:
    """Decoded audio: 16 kHz mono float32 ``samples`` in [-1, 1].

    ``seconds`` is the length of ``samples``; when the file was longer than the cap, ``truncated``
    is True and ``original_seconds`` is the file's full length (from its header when it has one,
    else counted), so the caller can warn.
    """

    samples: np.ndarray
    seconds: float
    truncated: bool
    original_seconds: float
    length_known: bool = True  # False for a cut pipe: what followed the cap was not read


# A stereo mix that keeps less than this share of the louder channel's energy is a cancellation:
# one channel is the other with its polarity inverted (a miswired microphone or cable), and
# averaging them leaves near silence. Independent channels keep 0.5 of it, one silent channel 0.25.
CANCELLED_ENERGY = 0.1
DOWNMIX_DECIDE_S = 10.0  # seconds of sound the choice is made on
DOWNMIX_WAIT_S = 60.0  # at most this much audio is held back to find that much sound
_SOUND_ENERGY = 1e-5  # a channel quieter than this (RMS ~ -50 dBFS) carries no answer to judge by


class _Downmix:
    """Two channels to one, the way FFmpeg does (each channel x 0.707, summed), unless that cancels
    the sound; then the louder channel alone is used. Decided once per file, on its first
    :data:`DOWNMIX_DECIDE_S` seconds with sound in them, so the whole answer is treated alike."""

    def __init__(self):
        self.mode: str | int | None = None
        self._held: list = []
        self._held_n = 0
        self._sound_n = 0

    def push(self, planes) -> list:
        """Planar ``(2, n)`` samples in; mono pieces out (none while the choice is pending)."""
        import numpy as np

        planes = np.asarray(planes, dtype=np.float32).reshape(2, -1)
        if self.mode is not None:
            return [self._mono(planes)]
        self._held.append(planes)
        self._held_n += planes.shape[1]
        if float(np.mean(planes**2, axis=1).max(initial=0.0)) > _SOUND_ENERGY:
            self._sound_n += planes.shape[1]
        if self._sound_n >= DOWNMIX_DECIDE_S * SAMPLE_RATE or self._held_n >= DOWNMIX_WAIT_S * SAMPLE_RATE:
            return self.finish()
        return []

    def finish(self) -> list:
        """Decide now (end of the file) and hand back what was held."""
        import numpy as np

        if self.mode is not None or not self._held:
            return []
        held = np.concatenate(self._held, axis=1)
        self._held, self._held_n = [], 0
        channels = np.mean(held**2, axis=1)
        mixed = float(np.mean((0.5 * (held[0] + held[1])) ** 2))
        loudest = float(channels.max())
        self.mode = int(channels.argmax()) if loudest > _SOUND_ENERGY and mixed < CANCELLED_ENERGY * loudest else "mix"
        return [self._mono(held)]

    def _mono(self, planes):
        import numpy as np

        if self.mode == "mix":
            return (np.sqrt(0.5) * (planes[0] + planes[1])).astype(np.float32)
        return planes[self.mode].astype(np.float32, copy=True)


def _cannot_read(path: Path, why: str) -> RedrillError:
    return RedrillError(f"could not read audio from {path}: {why}")


def load_audio(path: Path | str, *, max_seconds: float = DEFAULT_MAX_SECONDS) -> Audio:
    """Decode an audio file to 16 kHz mono float32, keeping at most ``max_seconds``.

    Raises :class:`RedrillError` naming the file when it is missing, empty, not audio, corrupt,
    has no audio stream, or decodes to no samples.
    """
    import av
    import numpy as np

    path = Path(path)
    if not path.exists():
        raise RedrillError(f"audio file not found: {path}")
    if path.is_dir():
        raise RedrillError(f"{path} is a folder, not an audio file")
    try:
        info = path.stat()
    except OSError as exc:
        raise _cannot_read(path, exc.strerror or str(exc)) from None
    # A pipe (``--audio /dev/stdin``) or a device has no size to check: it is read as a stream,
    # bounded by ``max_seconds`` (and its length past the cap is not read to the end).
    regular = stat.S_ISREG(info.st_mode)
    if regular and info.st_size == 0:
        raise RedrillError(f"audio file {path} is empty (0 bytes)")
    if not regular and _is_terminal(path):
        raise RedrillError(
            f"{path} is a terminal, not an audio file: pipe a recording in "
            f"(redrill answer ID --audio /dev/stdin < answer.wav) or give the file's path"
        )
    max_samples = max(0, int(round(max_seconds * SAMPLE_RATE)))

    chunks: list[np.ndarray] = []
    kept = 0
    truncated = False
    original_seconds: float | None = None
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                raise _cannot_read(path, "the file has no audio stream (is it an audio or video file?)")
            stream = container.streams.audio[0]
            true_length = _tagged_length(stream)
            # Stereo is mixed here rather than by FFmpeg, so an inverted channel cannot cancel it.
            downmix = _Downmix() if _channels(stream) == 2 else None
            resampler = av.AudioResampler(
                format="fltp" if downmix else "flt", layout="stereo" if downmix else "mono", rate=SAMPLE_RATE
            )

            def mono(frames) -> list:
                if downmix is None:
                    return [frame.to_ndarray().reshape(-1) for frame in frames]
                return [piece for frame in frames for piece in downmix.push(frame.to_ndarray())]

            def take(pieces) -> bool:
                """Keep mono pieces up to the cap; False once the cap is reached."""
                nonlocal kept
                for data in pieces:
                    room = max_samples - kept
                    if len(data) > room:
                        chunks.append(data[:room])
                        kept += room
                        return False
                    chunks.append(data)
                    kept += len(data)
                return True

            for frame in container.decode(stream):
                if not take(mono(resampler.resample(frame))):
                    truncated = True
                    break
            if not truncated:
                rest = mono(resampler.resample(None)) + (downmix.finish() if downmix else [])
                if not take(rest):
                    truncated = True
            if truncated and regular:
                original_seconds = _rest_length(container, stream, kept / SAMPLE_RATE)
    except RedrillError:
        raise
    except av.FFmpegError as exc:
        raise _cannot_read(path, f"{_ffmpeg_reason(exc)} (not an audio file, or it is damaged)") from None
    except (OSError, ValueError, IndexError, EOFError) as exc:
        raise _cannot_read(path, f"{type(exc).__name__}: {exc}") from None

    samples = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    if true_length is not None and not truncated and true_length < len(samples):
        samples = samples[:true_length]
    if len(samples) == 0:
        raise _cannot_read(path, "it contains no sound (0 samples decoded)")
    seconds = len(samples) / SAMPLE_RATE
    if original_seconds is None or original_seconds < seconds:
        original_seconds = seconds
    return Audio(
        samples=samples,
        seconds=seconds,
        truncated=truncated,
        original_seconds=float(original_seconds),
        length_known=regular or not truncated,
    )


def _channels(stream) -> int:
    try:
        return int(stream.codec_context.channels or 0)
    except (AttributeError, TypeError, ValueError):
        return 0


def _is_terminal(path: Path) -> bool:
    try:
        with open(path, "rb", buffering=0) as handle:
            return handle.isatty()
    except OSError:
        return False


def read_tags(path: Path | str) -> dict[str, str]:
    """The Vorbis comments of an audio file, keys upper-case (empty when it has none or is unreadable)."""
    import av

    try:
        with av.open(str(path), mode="r") as container:
            tags = dict(container.metadata or {})
            if container.streams.audio:
                tags.update(container.streams.audio[0].metadata or {})
    except (av.FFmpegError, OSError, ValueError):
        return {}
    return {str(k).upper(): str(v) for k, v in tags.items()}


def _tagged_length(stream) -> int | None:
    """The sample count :func:`write_opus` stored in the file, if this is one of ours."""
    for key, value in (stream.metadata or {}).items():
        if key.upper() == LENGTH_TAG:
            try:
                return int(value) if int(value) > 0 else None
            except ValueError:
                return None
    return None


def _rest_length(container, stream, kept_seconds: float) -> float:
    """The full length of a file cut off after ``kept_seconds``.

    Headers are not trusted: for some formats (ADTS AAC, some MP3s) FFmpeg only estimates the
    duration from the bit rate. Reading the remaining packets without decoding them is exact
    and quick (an hour of MP3 in well under a second).
    """
    total = 0.0
    try:
        for packet in container.demux(stream):
            if packet.duration is None or packet.time_base is None:
                if packet.size == 0:  # the demuxer's end-of-stream marker
                    continue
                break
            total += float(packet.duration * packet.time_base)
        else:
            return kept_seconds + total
    except Exception:  # a damaged tail must not hide the audio we have
        pass
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return kept_seconds + total


def _ffmpeg_reason(exc: Exception) -> str:
    # FFmpeg messages end with ": '<path>'", which we already name; keep just the reason.
    reason = getattr(exc, "strerror", None) or str(exc)
    return str(reason).rstrip(".")


def write_opus(path: Path | str, samples16k: np.ndarray, *, bitrate: int = 24000, tags: dict | None = None) -> int:
    """Store 16 kHz mono samples as Ogg/Opus at ``path``; returns the file size in bytes.

    ``tags`` are written as Vorbis comments (e.g. the question, so that a recording whose
    database row was never written can still be adopted: :mod:`redrill.orphans`).

    The file appears complete or not at all: it is written to a temporary file in the same folder,
    flushed to disk, made private (0600) and renamed into place, and the folder is synced, so a
    crash or power cut never leaves half a recording under the final name.
    """
    import av
    import numpy as np

    path = Path(path)
    samples = np.ascontiguousarray(np.clip(np.asarray(samples16k, dtype=np.float32).reshape(-1), -1.0, 1.0))
    if len(samples) == 0:
        raise RedrillError(f"nothing to save to {path}: the recording is empty")
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    from redrill.paths import temp_file

    # The temporary name carries this process's number, so a redrill run after a kill removes it.
    fd, tmp = temp_file(folder, path.name)
    os.close(fd)
    try:
        with av.open(str(tmp), mode="w", format="ogg") as container:
            stream = container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
            stream.bit_rate = int(bitrate)
            # FFmpeg trims the encoder's padding at the end from the last page's granule position,
            # but not when the whole stream fits on ONE page (recordings under ~1 s): those would
            # come back up to 104 samples long. The true length in a comment fixes that on load.
            stream.metadata[LENGTH_TAG] = str(len(samples))
            for key, value in (tags or {}).items():
                stream.metadata[key] = str(value)
            frame = av.AudioFrame.from_ndarray(samples[None, :], format="flt", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            # PyAV cuts the frame into the encoder's frame size; the Ogg granule positions record
            # the encoder delay and the true end, so decoding gives back exactly len(samples).
            for packet in stream.encode(frame):
                container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
        with open(tmp, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        private_file(tmp)
        os.replace(tmp, path)
    except av.FFmpegError as exc:
        raise RedrillError(f"could not save the recording to {path}: {_ffmpeg_reason(exc)}") from None
    except OSError as exc:
        raise RedrillError(f"could not save the recording to {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_folder(folder)
    return path.stat().st_size


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; not possible on every platform/filesystem, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def resample(samples: np.ndarray, from_rate: int, to_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Resample mono float32 audio (e.g. a 44.1/48 kHz microphone) to ``to_rate``.

    Uses FFmpeg's resampler (windowed-sinc, anti-aliased). The result has
    ``round(len(samples) * to_rate / from_rate)`` samples, so timings stay on the same clock.
    """
    import numpy as np

    data = np.ascontiguousarray(np.asarray(samples, dtype=np.float32).reshape(-1))
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive (got {from_rate} -> {to_rate})")
    if from_rate == to_rate or len(data) == 0:
        return data.copy()  # no PyAV needed: the pure drill loop and its tests run without it
    import av

    expected = int(round(len(data) * to_rate / from_rate))
    resampler = av.AudioResampler(format="flt", layout="mono", rate=to_rate)
    frame = av.AudioFrame.from_ndarray(data[None, :], format="flt", layout="mono")
    frame.sample_rate = from_rate
    parts = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    out = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    # The resampler's flush can differ from the ideal length by a sample or two; pin it.
    if len(out) > expected:
        out = out[:expected]
    elif len(out) < expected:
        out = np.concatenate([out, np.zeros(expected - len(out), np.float32)])
    return out.astype(np.float32, copy=False)


def write_wav(path: Path | str, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Write mono float samples in [-1, 1] as a 16-bit PCM WAV file (tests, exports, fallback)."""
    import wave

    import numpy as np

    path = Path(path)
    pcm = (np.clip(np.asarray(samples, dtype=np.float32).reshape(-1), -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(rate))
        out.writeframes(pcm.tobytes())
    return path
