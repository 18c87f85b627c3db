"""Transcription: spoken answers to timed words, offline, with faster-whisper.

* ``whisper``: the :class:`~redrill.transcription.whisper.Transcriber` adapter (decode options,
  voice-activity regions, recognition hints);
* ``streaming``: cutting an answer at pauses so it is transcribed while it is being spoken, and the
  same cut for whole recordings, so both give the same words;
* ``repeats``: the recognizer's second opinion on a word it wrote once that may have been said twice;
* ``models``: which Whisper model to use and where it is (pulled, bundled, a folder);
  ``bundled``: the models that come from the package index, checked before first use.

faster-whisper and ctranslate2 are imported inside the functions that use them.
"""
