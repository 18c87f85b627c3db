"""Build a CTranslate2 Whisper model with random weights, for tests and the benchmark.

Real Whisper weights cannot be downloaded where the tests run, but faster-whisper's whole code path
(loading, feature extraction, VAD, beam search, word timestamps from cross-attention) runs just as
well on random weights: only the words are meaningless. :func:`build_whisper_model` writes a model
directory that ``faster_whisper.WhisperModel(dir)`` loads with no network access:

* ``model.bin``/``config.json``/``vocabulary.json`` from ctranslate2's ``WhisperSpec``;
* ``tokenizer.json`` (without it faster-whisper would try to fetch a tokenizer from the hub).

The vocabulary follows Whisper's token order: text tokens, ``<|endoftext|>``, ``<|startoftranscript|>``,
language tokens, task tokens, ``<|notimestamps|>`` and then 1501 timestamp tokens. Only the
English-only layout is built (no empty-string token: ctranslate2 decides "multilingual" by its
presence).

Random decoding has pathologies the real model does not: it likes raw byte tokens (garbage text)
and the start/language tokens (empty text, after which word-timestamp seeking crawls forward in
0.02 s steps), and without timestamps (as redrill decodes) it writes timestamp tokens as if they
were text. A projection bias of -20 on those tokens keeps the output to whole words and the end
token. Callers should also cap ``max_new_tokens`` so decoding of a window cannot run
to Whisper's 224-token limit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# Words the small vocabulary can say: fillers included, so filler counting code sees some.
WORDS = (
    "um uh hmm er ah like so well okay right yeah you know I mean sort of kind basically actually "
    "the a an and or but to of in on for with at by from that this it is was were be been have had "
    "we they he she my our their your me us team project manager customer deadline problem solution "
    "data code test release bug feature design review meeting plan goal result impact learned "
    "decided worked built led helped improved reduced increased delivered because then when after "
    "before while first next finally situation task action think let just really very much more "
    "time week month year people product user service system process quality growth strength "
    "weakness conflict challenge success failure feedback lesson responsibility ownership"
).split()

LANGUAGES = (
    "en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur "
    "hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si "
    "km sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha "
    "ba jw su"
).split()  # Whisper's 99 languages, in its token order

SPECIALS_AFTER_LANGS = (
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nocaptions|>",
    "<|notimestamps|>",
)
N_TIMESTAMPS = 1501  # <|0.00|> ... <|30.00|>
ENGLISH_TEXT_TOKENS = 50256  # text ids of Whisper's English-only vocabulary (51864 in all)
BIAS_AWAY = -20.0


def _byte_alphabet() -> list[str]:
    """GPT-2's printable stand-ins for the 256 byte values, in byte order."""
    printable = (
        list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def _text_tokens(vocab: str) -> tuple[list[str], list[tuple[str, str]], int]:
    """Text tokens, BPE merges, and how many leading tokens are raw bytes."""
    tokens = _byte_alphabet()
    seen = set(tokens)
    merges: list[tuple[str, str]] = []

    def add_word(piece: str) -> None:
        # Every prefix becomes a token with a merge, so the tokenizer can also ENCODE the word.
        for i in range(2, len(piece) + 1):
            prefix = piece[:i]
            if prefix not in seen:
                seen.add(prefix)
                tokens.append(prefix)
                merges.append((piece[: i - 1], piece[i - 1]))

    for word in WORDS:
        add_word("Ġ" + word)
    for mark in (".", ",", "?"):
        if mark not in seen:  # punctuation is in the byte alphabet already
            add_word(mark)
    if vocab == "full":
        # Pad to the real English-only size with made-up syllable words (no merges needed: the
        # decoder only has to produce them, nobody encodes them).
        consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
        n = 0
        while len(tokens) < ENGLISH_TEXT_TOKENS:
            syllables = []
            x = n
            while True:
                x, r = divmod(x, len(consonants) * len(vowels))
                c, v = divmod(r, len(vowels))
                syllables.append(consonants[c] + vowels[v])
                if x == 0:
                    break
            word = "Ġ" + "".join(syllables)
            if word not in seen:
                seen.add(word)
                tokens.append(word)
            n += 1
    elif vocab != "small":
        raise ValueError(f"vocab must be 'small' or 'full', not {vocab!r}")
    return tokens, merges, 256


def _sinusoids(length: int, channels: int) -> np.ndarray:
    """Whisper's sinusoidal position table (encoder positions must have exactly 1500 rows)."""
    log_timescale_increment = np.log(10000) / (channels // 2 - 1)
    inv_timescales = np.exp(-log_timescale_increment * np.arange(channels // 2))
    scaled_time = np.arange(length)[:, None] * inv_timescales[None, :]
    return np.concatenate([np.sin(scaled_time), np.cos(scaled_time)], axis=1).astype(np.float32)


def _write_tokenizer(path: Path, vocabulary: list[str], merges: list[tuple[str, str]], n_text: int) -> None:
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    vocab = {token: i for i, token in enumerate(vocabulary[:n_text])}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    # Added in id order, so each special/timestamp token gets exactly its vocabulary id.
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in vocabulary[n_text:]])
    for i in (n_text, len(vocabulary) - 1):
        if tokenizer.token_to_id(vocabulary[i]) != i:
            raise AssertionError(f"tokenizer id mismatch for {vocabulary[i]!r}")
    tokenizer.save(str(path))


def build_whisper_model(
    out_dir: Path | str,
    *,
    d_model: int = 64,
    heads: int = 2,
    enc_layers: int = 2,
    dec_layers: int = 2,
    vocab: str = "small",
    seed: int = 0,
    n_mels: int = 80,
) -> Path:
    """Write a random-weight English-only Whisper model into ``out_dir`` and return the folder.

    ``vocab="small"`` (~1.9k tokens, builds in well under a second) is for tests; ``vocab="full"``
    with ``d_model=512, heads=8, enc_layers=6, dec_layers=6`` has base.en's shapes (51864 tokens,
    int8 model.bin ~76 MB) for timing. The same arguments always give the same weights.
    """
    from ctranslate2.specs import whisper_spec

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    d = d_model

    def mat(rows: int, cols: int) -> np.ndarray:
        # 1/sqrt(fan_in) keeps activations at a sane size through the random layers.
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    def vec(n: int, scale: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(n) * scale).astype(np.float32)

    def norm(spec) -> None:
        spec.gamma = np.ones(d, np.float32)
        spec.beta = np.zeros(d, np.float32)

    def linear(spec, rows: int, cols: int) -> None:
        spec.weight = mat(rows, cols)
        spec.bias = vec(rows)

    def ffn(spec) -> None:
        norm(spec.layer_norm)
        linear(spec.linear_0, 4 * d, d)
        linear(spec.linear_1, d, 4 * d)

    text, merges, n_bytes = _text_tokens(vocab)
    eot = len(text)
    specials = (
        ["<|endoftext|>", "<|startoftranscript|>"] + [f"<|{lang}|>" for lang in LANGUAGES] + list(SPECIALS_AFTER_LANGS)
    )
    timestamps = ["<|%.2f|>" % (i * 0.02) for i in range(N_TIMESTAMPS)]
    vocabulary = text + specials + timestamps
    n_vocab = len(vocabulary)

    spec = whisper_spec.WhisperSpec(enc_layers, heads, dec_layers, heads)
    enc = spec.encoder
    enc.conv1.weight = (rng.standard_normal((d, n_mels, 3)) / np.sqrt(3 * n_mels)).astype(np.float32)
    enc.conv1.bias = vec(d)
    enc.conv2.weight = (rng.standard_normal((d, d, 3)) / np.sqrt(3 * d)).astype(np.float32)
    enc.conv2.bias = vec(d)
    enc.position_encodings.encodings = _sinusoids(1500, d)
    norm(enc.layer_norm)
    for layer in enc.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)  # fused q, k, v
        linear(layer.self_attention.linear[1], d, d)
        ffn(layer.ffn)

    dec = spec.decoder
    embeddings = (rng.standard_normal((n_vocab, d)) * 0.5).astype(np.float32)
    dec.embeddings.weight = embeddings
    dec.position_encodings.encodings = (rng.standard_normal((448, d)) * 0.02).astype(np.float32)
    norm(dec.layer_norm)
    for layer in dec.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)  # q
        linear(layer.attention.linear[1], 2 * d, d)  # fused k, v (from the encoder output)
        linear(layer.attention.linear[2], d, d)
        ffn(layer.ffn)
    dec.projection.weight = embeddings  # tied, as in Whisper
    bias = np.zeros(n_vocab, np.float32)
    bias[:n_bytes] = BIAS_AWAY  # raw bytes decode to garbage
    first_lang, last_special = eot + 2, eot + len(specials)
    bias[eot + 1 : last_special] = BIAS_AWAY  # sot, languages, tasks, notimestamps: empty text
    # redrill decodes without timestamp tokens, and ctranslate2 does not suppress them then: a
    # random model would write only timestamps, which are empty text.
    bias[last_special:] = BIAS_AWAY
    dec.projection.bias = bias

    config = spec.config
    space = text.index("Ġ")
    config.suppress_ids = []
    config.suppress_ids_begin = [space, eot]
    config.lang_ids = list(range(first_lang, first_lang + len(LANGUAGES)))
    # Must be a list of [layer, head] pairs: the last half of the decoder layers, every head.
    config.alignment_heads = [[layer, head] for layer in range(dec_layers // 2, dec_layers) for head in range(heads)]

    spec.register_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization="int8")
    spec.save(str(out))
    _write_tokenizer(out / "tokenizer.json", vocabulary, merges, eot)
    if n_mels != 80:
        (out / "preprocessor_config.json").write_text(json.dumps({"feature_size": n_mels}))
    return out


def build_base_sized_model(out_dir: Path | str, *, seed: int = 0) -> Path:
    """A random model with base.en's shapes (d=512, 8 heads, 6+6 layers, 51864 tokens)."""
    return build_whisper_model(out_dir, d_model=512, heads=8, enc_layers=6, dec_layers=6, vocab="full", seed=seed)
