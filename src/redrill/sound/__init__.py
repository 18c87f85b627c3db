"""Sound: the microphone and what it records, the voice that reads questions, playback, audio files.

* ``microphone``: record one answer (:class:`~redrill.sound.microphone.Recorder`), ended by
  ``endpointing``, made crash-safe by ``spool``, on a device found through ``devices``;
* ``speaker``: the text-to-speech voice that reads questions aloud; ``playback``: playing audio;
* ``audiofile``: reading any audio file, writing recordings as Ogg/Opus;
* ``prosody``: how an answer sounded (pitch, loudness, pace variation), from its audio.

Heavy and fragile libraries (sounddevice, PyAV, pyttsx3, parselmouth) are imported inside the
functions that use them, so importing this package costs nothing.
"""

from redrill.samplerate import SAMPLE_RATE  # the one audio format (re-exported for sound's users)

__all__ = ["SAMPLE_RATE"]
