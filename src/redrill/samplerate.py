"""The one audio format redrill works in: mono float32 samples at Whisper's input rate.

Every array of samples passed between the microphone, the recordings, the recognizer and the
voice and disfluency analyses is at this rate; audio at any other rate is resampled on the way in.
It lives on the ground floor so that scoring (which may not import sound) and sound share it.
"""

SAMPLE_RATE = 16_000
