"""Triage of a resident's free-text request: language, support field, urgency, and why.

Everything is decided from one embedding of the text (multilingual-e5-small, "query: " prefix)
and one matrix multiply against it:

* field and urgency: two multinomial logistic regressions (numpy) trained at load time on the
  embeddings of the labelled examples in ``triage/examples/*.jsonl``, mixed with a soft vote
  of the nearest examples (the same multiply gives the cosine to every example). On 5-fold
  cross-validation over the examples this beat class prototypes and a plain kNN vote by
  8-10 points of field accuracy; the kNN share helps urgency by ~1.5 points;
* staff corrections (``add_examples``) retrain both models (~0.5 s; old examples are not
  re-embedded) and act as a memory: a near-duplicate of a labelled text takes its labels;
* signals never quote an example: they name the curated ``topic`` of the nearest bundled
  examples (written by the project). Examples learned from staff reviews are residents' words:
  they are reported only by id (``TriageResult.similar_examples``), for staff to follow as links;
* EMERGENCY never waits on the classifier alone: any cue from ``triage.emergency`` forces it,
  and the classifier's own emergency probability escalates at a lower threshold than the
  argmax that decides the other urgencies;
* language: ``triage.language.detect_language``.

Example embeddings are cached under ``data_dir/cache``, so a warm load embeds only new
examples. On CPUs with native bfloat16 matrix units the encoder runs in bfloat16 (about
twice the float32 throughput; cosine to the float32 embedding >= 0.9999); pooling stays
float32. ``Triage.embedder`` is the float32 sentence-transformers model, for other uses.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import importlib
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from triage.emergency import find_emergency_cues
from triage.labels import SupportField, Urgency
from triage.language import LanguageGuess, detect_language
from triage.model import embedding_model_name, load_embedder

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

TRIAGE_VERSION = "1.2"
MAX_TEXT_CHARS = 4000
BATCH_SIZE = 64
# Batches are also capped in tokens: bigger ones fall out of the CPU caches.
_BATCH_TOKENS = 1024

FIELDS: tuple[SupportField, ...] = tuple(SupportField)
URGENCIES: tuple[Urgency, ...] = tuple(Urgency)
_EMERGENCY = URGENCIES.index(Urgency.EMERGENCY)
# urgency_score is the probability-weighted level of these (0..1, higher is more urgent).
_URGENCY_LEVEL = np.array(
    [{"EMERGENCY": 1.0, "HIGH": 2 / 3, "NORMAL": 1 / 3, "LOW": 0.0}[u.value] for u in URGENCIES]
)

# Chosen by 5-fold cross-validation on the examples; the dev set is only for evaluation.
_L2_FIELD = 0.1
_L2_URGENCY = 0.3
_TRAIN_ITERS = 300
_KNN_SHARE = 0.3  # weight of the nearest-examples vote against the linear model
_KNN_K = 10
_KNN_TEMPERATURE = 0.02  # e5 cosines are compressed (unrelated texts ~0.8): a sharp softmax
# Staff corrections weigh more than the seed examples: they come from the service's own traffic.
_STAFF_WEIGHT = 2.0
# EMERGENCY at this probability already (recall first); other urgencies go by argmax.
_EMERGENCY_THRESHOLD = 0.3
# With emergency cues the emergency probability is raised to at least this.
_CUE_PROBABILITY = 0.9
# Cosine from which an example is a near-duplicate (the same text re-sent or slightly edited)
# whose labels take over. Different requests in one language and style reach ~0.95, and short
# paraphrases ~0.98.
_DUPLICATE_COSINE = 0.985
_UNSURE_MARGIN = 0.15  # top two fields closer than this: say so to staff
# Reviewed examples reported as similar: at most this many, from this cosine (unrelated texts
# sit near 0.8 with e5, requests about the same matter above 0.9).
_SIMILAR_COUNT = 5
_SIMILAR_COSINE = 0.9

Precision = Literal["auto", "float32", "bfloat16"]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


class TextLengthError(ValueError):
    """The text is empty or longer than MAX_TEXT_CHARS characters."""


def check_text(text: str) -> None:
    """Raise TextLengthError unless 1 <= len(text) <= MAX_TEXT_CHARS."""
    if not 1 <= len(text) <= MAX_TEXT_CHARS:
        raise TextLengthError(f"text must have 1..{MAX_TEXT_CHARS} characters, not {len(text)}")


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A request text with the field and urgency staff give it."""

    text: str
    field: SupportField
    urgency: Urgency
    lang: str = ""
    # Short English gist written by the project, shown in signals, e.g. "child fever at night".
    # Examples learned at run time never have one: signals must not carry a resident's words.
    topic: str = ""
    weight: float = 1.0
    # The staff-reviewed example this came from (the service's triage_examples id); None for
    # the project's own examples.
    source_id: int | None = None
    # Paraphrases of one situation share a group: evaluation keeps them on one side of a fold.
    group: str = ""
    variant: str = ""  # how it is written: a language, script or romanisation ("vi-latn")
    tags: tuple[str, ...] = ()  # voice of the text: "spam", "chat", "past", "negation", ...


@dataclass(frozen=True, slots=True)
class TriageResult:
    language: str  # ISO 639-1 or "und"
    language_confidence: float
    field: SupportField
    # Every field with its probability, highest first; sums to ~1.
    field_scores: tuple[tuple[SupportField, float], ...]
    urgency: Urgency
    # 0..1, how urgent: the probability-weighted level (LOW 0, NORMAL 1/3, HIGH 2/3, EMERGENCY 1).
    urgency_score: float
    # 0..1, how sure the triage is of field and urgency together (geometric mean of both).
    confidence: float
    # Short reasons: emergency cues, curated topics of the nearest bundled examples, doubts.
    # Made only of the project's own words (cue names, topics, labels), never an example's text.
    signals: tuple[str, ...]
    model: str  # embedding model and triage version
    # (source_id, cosine) of the nearest examples learned from staff reviews, nearest first.
    # For staff only (links to requests they may read anyway); never turned into text here.
    similar_examples: tuple[tuple[int, float], ...] = ()
    # 0..1, the probability of EMERGENCY after the emergency cues are taken into account.
    emergency_probability: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "language_confidence": round(self.language_confidence, 4),
            "field": self.field.value,
            "field_scores": [[f.value, round(s, 4)] for f, s in self.field_scores],
            "urgency": self.urgency.value,
            "urgency_score": round(self.urgency_score, 4),
            "confidence": round(self.confidence, 4),
            "signals": list(self.signals),
            "model": self.model,
            "similar_examples": [[i, round(c, 4)] for i, c in self.similar_examples],
        }


# --------------------------------------------------------------------------- examples


def examples_dir() -> Path:
    return Path(str(resources.files("triage").joinpath("examples")))


def load_examples(directory: Path | None = None) -> list[LabelledExample]:
    """Every row of every ``*.jsonl`` in the examples directory and below it, in path order."""
    rows: list[LabelledExample] = []
    for path in sorted((directory or examples_dir()).rglob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append(
                    LabelledExample(
                        text=str(row["text"]),
                        field=SupportField(row["field"]),
                        urgency=Urgency(row["urgency"]),
                        lang=str(row.get("lang", "")),
                        topic=str(row.get("topic", "")),
                        group=str(row.get("group", "")),
                        variant=str(row.get("variant", "")),
                        tags=tuple(str(t) for t in row.get("tags", ())),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{lineno}: bad example row: {exc}") from exc
    return rows


def _as_example(item: LabelledExample | Sequence[Any], weight: float) -> LabelledExample:
    """An example learned at run time: (text, field, urgency[, source_id]) or a LabelledExample.

    Its topic is dropped whatever it was: only the project's own examples describe themselves.
    """
    if isinstance(item, LabelledExample):
        return dataclasses.replace(item, topic="")
    text, field, urgency = item[0], item[1], item[2]
    source_id = int(item[3]) if len(item) > 3 and item[3] is not None else None
    return LabelledExample(
        str(text), SupportField(field), Urgency(urgency), weight=weight, source_id=source_id
    )


# --------------------------------------------------------------------------- encoder


@dataclass(frozen=True)
class _Layer:
    qkv_w: torch.Tensor  # query, key and value stacked: one matmul instead of three
    qkv_b: torch.Tensor
    out_w: torch.Tensor
    out_b: torch.Tensor
    ln1_w: torch.Tensor
    ln1_b: torch.Tensor
    ffn_in_w: torch.Tensor
    ffn_in_b: torch.Tensor
    ffn_out_w: torch.Tensor
    ffn_out_b: torch.Tensor
    ln2_w: torch.Tensor
    ln2_b: torch.Tensor


class _LeanBert:
    """transformers' BertModel forward (eval mode, absolute positions, exact GELU) written
    for throughput on a small CPU: the tokens of a batch are packed without padding for every
    matmul and elementwise op (only attention pads), Q/K/V is one matmul, attention is two
    batched matmuls. About 1.5x the module's throughput on 2 cores; cosine to it >= 0.99997.
    """

    def __init__(self, bert: Any, dtype: torch.dtype) -> None:
        import torch

        def t(x: torch.Tensor) -> torch.Tensor:
            return x.detach().to(dtype).contiguous()

        cfg = bert.config
        emb = bert.embeddings
        self.heads = int(cfg.num_attention_heads)
        self.eps = float(cfg.layer_norm_eps)
        self.word = t(emb.word_embeddings.weight)
        self.position = t(emb.position_embeddings.weight)
        self.token_type = t(emb.token_type_embeddings.weight[0])
        self.ln_w, self.ln_b = t(emb.LayerNorm.weight), t(emb.LayerNorm.bias)
        self.layers = []
        for layer in bert.encoder.layer:
            att = layer.attention
            qkv = (att.self.query, att.self.key, att.self.value)
            self.layers.append(
                _Layer(
                    qkv_w=t(torch.cat([m.weight for m in qkv])),
                    qkv_b=t(torch.cat([m.bias for m in qkv])),
                    out_w=t(att.output.dense.weight),
                    out_b=t(att.output.dense.bias),
                    ln1_w=t(att.output.LayerNorm.weight),
                    ln1_b=t(att.output.LayerNorm.bias),
                    ffn_in_w=t(layer.intermediate.dense.weight),
                    ffn_in_b=t(layer.intermediate.dense.bias),
                    ffn_out_w=t(layer.output.dense.weight),
                    ffn_out_b=t(layer.output.dense.bias),
                    ln2_w=t(layer.output.LayerNorm.weight),
                    ln2_b=t(layer.output.LayerNorm.bias),
                )
            )

    @staticmethod
    def supports(model: Any) -> bool:
        cfg = getattr(model, "config", None)
        return (
            getattr(cfg, "model_type", None) == "bert"
            and getattr(cfg, "position_embedding_type", "absolute") == "absolute"
            and getattr(cfg, "hidden_act", None) == "gelu"
            and not getattr(cfg, "is_decoder", False)
        )

    def embed(self, seqs: Sequence[Sequence[int]]) -> torch.Tensor:
        """Mean-pooled, L2-normalised float32 embeddings of token-id sequences."""
        import torch
        import torch.nn.functional as F

        lengths = [len(s) for s in seqs]
        batch, width, hidden = len(seqs), max(lengths), self.word.shape[1]
        heads, head_dim = self.heads, hidden // self.heads
        shape = (hidden,)
        n = torch.tensor(lengths)
        ids = torch.tensor([token for s in seqs for token in s])
        positions = torch.cat([torch.arange(k) for k in lengths])
        # Where each packed token sits in the padded [batch, width] layout that attention uses.
        slots = torch.cat([torch.arange(k) + row * width for row, k in enumerate(lengths)])
        padding = torch.arange(width)[None, :] >= n[:, None]
        blocked = torch.zeros((batch, 1, 1, width), dtype=self.word.dtype).masked_fill(
            padding[:, None, None, :], float("-inf")
        )
        blocked = blocked.expand(batch, heads, width, width).reshape(batch * heads, width, width)
        scale = 1.0 / math.sqrt(head_dim)

        x = self.word[ids] + self.position[positions] + self.token_type  # [tokens, hidden]
        x = F.layer_norm(x, shape, self.ln_w, self.ln_b, self.eps)
        for p in self.layers:
            qkv = x.new_zeros((batch * width, 3 * hidden))
            qkv[slots] = F.linear(x, p.qkv_w, p.qkv_b)
            q, k, v = (
                qkv.view(batch, width, 3, heads, head_dim)
                .permute(2, 0, 3, 1, 4)
                .reshape(3, batch * heads, width, head_dim)
            )
            # On CPU in bfloat16, faster than scaled_dot_product_attention for short texts.
            probs = torch.softmax(torch.baddbmm(blocked, q, k.transpose(1, 2), alpha=scale), dim=-1)
            ctx = torch.bmm(probs, v).view(batch, heads, width, head_dim).transpose(1, 2)
            ctx = ctx.reshape(batch * width, hidden)[slots]
            x = F.layer_norm(F.linear(ctx, p.out_w, p.out_b) + x, shape, p.ln1_w, p.ln1_b, self.eps)
            h = F.gelu(F.linear(x, p.ffn_in_w, p.ffn_in_b))
            x = F.layer_norm(F.linear(h, p.ffn_out_w, p.ffn_out_b) + x, shape, p.ln2_w, p.ln2_b, self.eps)
        rows = torch.repeat_interleave(torch.arange(batch), n)
        sums = torch.zeros((batch, hidden)).index_add_(0, rows, x.to(torch.float32))
        return F.normalize(sums / n[:, None], dim=-1)


class _PaddedModel:
    """Any transformers encoder: padded batches, mean pooling over the attention mask."""

    def __init__(self, module: torch.nn.Module, pad_id: int) -> None:
        self.module = module
        self.pad_id = pad_id

    def embed(self, seqs: Sequence[Sequence[int]]) -> torch.Tensor:
        import torch

        width = max(len(s) for s in seqs)
        input_ids = torch.full((len(seqs), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for row, s in enumerate(seqs):
            input_ids[row, : len(s)] = torch.tensor(s, dtype=torch.long)
            mask[row, : len(s)] = 1
        hidden = self.module(input_ids=input_ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(torch.float32)
        pooled = (hidden.to(torch.float32) * weights).sum(1) / weights.sum(1)
        return torch.nn.functional.normalize(pooled, dim=-1)


@dataclass
class _FastPath:
    """Tokenizer -> transformer -> mean pooling, without sentence-transformers' per-call work.

    Only for models that are exactly Transformer + mean Pooling (+ Normalize), as e5 is.
    """

    tokenizer: Any  # the model's transformers fast tokenizer
    model: _LeanBert | _PaddedModel
    max_length: int
    dtype_name: str

    @classmethod
    def build(cls, embedder: SentenceTransformer, precision: Precision) -> _FastPath | None:
        import torch
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )

        modules = list(embedder)
        if not (
            len(modules) in (2, 3)
            and isinstance(modules[0], Transformer)
            and isinstance(modules[1], Pooling)
            and modules[1].pooling_mode == "mean"
            and modules[1].include_prompt
            and all(isinstance(m, Normalize) for m in modules[2:])
        ):
            return None
        tokenizer = embedder.tokenizer
        module = getattr(modules[0], "model", None)
        if getattr(tokenizer, "pad_token_id", None) is None or not isinstance(module, torch.nn.Module):
            return None
        bf16 = precision == "bfloat16" or (
            precision == "auto" and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        )
        dtype = torch.bfloat16 if bf16 else torch.float32
        model: _LeanBert | _PaddedModel
        if _LeanBert.supports(module):
            model = _LeanBert(module, dtype)  # its own weights: the embedder stays float32
        else:
            if bf16:  # a twin; the memo hands deepcopy converted parameters, never fp32 copies
                memo: dict[int, Any] = {
                    id(p): torch.nn.Parameter(p.detach().to(dtype), requires_grad=False)
                    for p in module.parameters()
                }
                module = copy.deepcopy(module, memo)
            model = _PaddedModel(module.to(dtype).eval(), int(tokenizer.pad_token_id))
        max_length = int(embedder.max_seq_length or 512)
        return cls(tokenizer, model, max_length, str(dtype).removeprefix("torch."))

    def encode(self, texts: Sequence[str], prompt: str) -> F32:
        import torch

        ids: list[list[int]] = self.tokenizer(
            [prompt + t for t in texts], truncation=True, max_length=self.max_length, padding=False
        )["input_ids"]
        # Longest first, so that a batch holds texts of similar length (little attention padding).
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        out = np.empty((len(texts), 0), dtype=np.float32)
        start = 0
        while start < len(order):
            end, tokens = start, 0
            while (
                end < len(order)
                and end - start < BATCH_SIZE
                and (end == start or tokens + len(ids[order[end]]) <= _BATCH_TOKENS)
            ):
                tokens += len(ids[order[end]])
                end += 1
            batch = order[start:end]
            start = end
            with torch.inference_mode():
                vectors = self.model.embed([ids[i] for i in batch]).numpy()
            if out.shape[1] == 0:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
        return out


class _Encoder:
    """Embeds texts with a prompt; one forward pass at a time (the CPU is the limit anyway)."""

    def __init__(self, embedder: SentenceTransformer, precision: Precision) -> None:
        self.embedder = embedder
        self.dim = int(embedder.get_embedding_dimension() or 0)
        self._lock = threading.Lock()
        self._fast = _FastPath.build(embedder, precision)
        self.precision = self._fast.dtype_name if self._fast else "float32"
        prompts = embedder.prompts or {}
        self.query_prompt = str(prompts.get("query", ""))
        self.passage_prompt = str(prompts.get("passage", prompts.get("document", "")))

    def encode(self, texts: Sequence[str], prompt: str) -> F32:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._fast is not None:
                return self._fast.encode(texts, prompt)
            out = self.embedder.encode(
                list(texts),
                prompt=prompt,
                batch_size=BATCH_SIZE,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.ascontiguousarray(out, dtype=np.float32)


# --------------------------------------------------------------------------- classifier


def _single_threaded_blas() -> Callable[[], AbstractContextManager[Any]]:
    """A context that keeps numpy's BLAS on one thread.

    The matrices here are small, and a multi-threaded OpenBLAS spinning next to torch's
    threads on a small machine is slower than one thread: training took 9 s instead of 0.4 s
    on 2 cores.
    """
    try:  # installed with scikit-learn, a sentence-transformers dependency; untyped
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:  # without it only speed suffers
        return contextlib.nullcontext
    controller = threadpoolctl.ThreadpoolController()
    return lambda: controller.limit(limits=1, user_api="blas")


def _softmax(z: F64) -> F64:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    out: F64 = e / e.sum(axis=-1, keepdims=True)
    return out


def fit_logistic(
    x: F64,
    y: I64,
    n_classes: int,
    l2: float,
    sample_weight: F64 | None = None,
    balanced: bool = False,
) -> tuple[F64, F64]:
    """Multinomial logistic regression on standardised features; returns (W, b) for raw x.

    L2-regularised, fitted by accelerated gradient descent with a fixed step (1/Lipschitz)
    and a fixed number of iterations: deterministic, no random state. Classes keep the
    examples' prior unless ``balanced`` (closer to real traffic, where most requests are
    NORMAL, than a uniform prior; it also measured better).
    """
    n, d = x.shape
    mu = x.mean(axis=0)
    sd = x.std(axis=0) + 1e-6
    z = np.hstack([(x - mu) / sd, np.ones((n, 1))])
    w = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64)
    if balanced:
        counts = np.bincount(y, minlength=n_classes).astype(np.float64)
        w = w * (n / (n_classes * np.maximum(counts, 1.0)))[y]
    w = (w / w.mean())[:, None]
    onehot = np.eye(n_classes)[y]
    reg = np.ones((d + 1, 1))
    reg[-1] = 0.0  # no penalty on the bias
    step = 1.0 / (0.5 * float(np.linalg.eigvalsh(z.T @ (z * w))[-1]) / n + l2)
    theta = np.zeros((d + 1, n_classes))
    v = theta.copy()
    t = 1.0
    for _ in range(_TRAIN_ITERS):
        grad = z.T @ ((_softmax(z @ v) - onehot) * w) / n + l2 * reg * v
        nxt = v - step * grad
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        v = nxt + ((t - 1) / t_next) * (nxt - theta)
        theta, t = nxt, t_next
    # Fold the standardisation into the weights: scores = x @ W + b.
    weights = theta[:-1] / sd[:, None]
    bias = theta[-1] - (mu / sd) @ theta[:-1]
    return weights, bias


@dataclass(frozen=True)
class _State:
    """Everything triage reads. add_examples replaces it whole, so readers never lock."""

    examples: tuple[LabelledExample, ...]
    vectors: F32  # [n, dim] unit vectors of the examples
    field_onehot: F64  # [n, n_fields]
    urgency_onehot: F64  # [n, n_urgencies]
    # The whole classification is one multiply: [dim, n_fields + n_urgencies + n_examples].
    projection: F32
    bias: F32
    described: I64  # indices of the examples with a curated topic (the project's own)
    reviewed: I64  # indices of the examples learned from staff reviews (with a source_id)

    @classmethod
    def train(cls, examples: Sequence[LabelledExample], vectors: F32) -> _State:
        fl = np.array([FIELDS.index(e.field) for e in examples], dtype=np.int64)
        ul = np.array([URGENCIES.index(e.urgency) for e in examples], dtype=np.int64)
        sw = np.array([e.weight for e in examples], dtype=np.float64)
        x = vectors.astype(np.float64)
        wf, bf = fit_logistic(x, fl, len(FIELDS), _L2_FIELD, sw)
        wu, bu = fit_logistic(x, ul, len(URGENCIES), _L2_URGENCY, sw)
        return cls(
            examples=tuple(examples),
            vectors=vectors,
            field_onehot=np.eye(len(FIELDS))[fl],
            urgency_onehot=np.eye(len(URGENCIES))[ul],
            projection=np.hstack([wf, wu, x.T]).astype(np.float32),
            bias=np.concatenate([bf, bu, np.zeros(len(examples))]).astype(np.float32),
            described=np.array([i for i, e in enumerate(examples) if e.topic], dtype=np.int64),
            reviewed=np.array([i for i, e in enumerate(examples) if e.source_id is not None], dtype=np.int64),
        )

    def nearest_among(self, scores: F32, among: I64, k: int) -> tuple[F64, I64]:
        """For each row of scores: the cosines and example indices of the k nearest examples
        in ``among``, nearest first (ties by index)."""
        n = scores.shape[0]
        k = min(k, len(among))
        if k == 0:
            return np.zeros((n, 0)), np.zeros((n, 0), dtype=np.int64)
        sims = scores[:, len(FIELDS) + len(URGENCIES) + among].astype(np.float64)
        top = np.sort(np.argpartition(-sims, k - 1, axis=1)[:, :k], axis=1)
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        return np.take_along_axis(top_sims, order, axis=1), among[np.take_along_axis(top, order, axis=1)]

    def probabilities(self, scores: F32) -> tuple[F64, F64, F64, I64]:
        """For each row of scores: p_field, p_urgency, cosines to the K nearest examples and
        their indices, nearest first."""
        nf, nu = len(FIELDS), len(URGENCIES)
        s = scores.astype(np.float64)
        sims = s[:, nf + nu :]
        k = min(_KNN_K, sims.shape[1])
        # K nearest, by cosine then index (deterministic whatever argpartition returns).
        nearest = np.sort(np.argpartition(-sims, k - 1, axis=1)[:, :k], axis=1)
        near_sims = np.take_along_axis(sims, nearest, axis=1)
        order = np.argsort(-near_sims, axis=1, kind="stable")
        nearest = np.take_along_axis(nearest, order, axis=1)
        near_sims = np.take_along_axis(near_sims, order, axis=1)
        vote = np.exp((near_sims - near_sims[:, :1]) / _KNN_TEMPERATURE)
        vote /= vote.sum(axis=1, keepdims=True)
        p_field = (1 - _KNN_SHARE) * _softmax(s[:, :nf]) + _KNN_SHARE * np.einsum(
            "nk,nkc->nc", vote, self.field_onehot[nearest]
        )
        p_urg = (1 - _KNN_SHARE) * _softmax(s[:, nf : nf + nu]) + _KNN_SHARE * np.einsum(
            "nk,nkc->nc", vote, self.urgency_onehot[nearest]
        )
        # A near-duplicate takes over: half at the threshold, all of it from halfway to identical.
        mix = np.clip(0.5 + (near_sims[:, :1] - _DUPLICATE_COSINE) / (1 - _DUPLICATE_COSINE), 0.0, 1.0)
        mix = np.where(near_sims[:, :1] >= _DUPLICATE_COSINE, mix, 0.0)
        p_field = (1 - mix) * p_field + mix * self.field_onehot[nearest[:, 0]]
        p_urg = (1 - mix) * p_urg + mix * self.urgency_onehot[nearest[:, 0]]
        return p_field, p_urg, near_sims, nearest


# --------------------------------------------------------------------------- cache


class _VectorCache:
    """Example embeddings on disk, one file per model and precision, keyed by text hash."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def load(self) -> dict[str, F32]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys = [str(k) for k in data["keys"]]
                vectors = np.asarray(data["vectors"], dtype=np.float32)
        except (OSError, KeyError, ValueError):
            return {}  # missing or damaged: embed again
        return dict(zip(keys, vectors, strict=True))

    def save(self, entries: dict[str, F32]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with tmp.open("wb") as fh:
                np.savez(fh, keys=np.array(list(entries)), vectors=np.stack(list(entries.values())))
            os.replace(tmp, self.path)  # readers see the old file or the new one, never half
        finally:
            tmp.unlink(missing_ok=True)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:80] or "model"


# --------------------------------------------------------------------------- engine


class Triage:
    """The triage engine. Build it with ``Triage.load``.

    ``triage``/``triage_many``/``embed_*`` and ``add_examples`` may run in different threads.
    """

    embedder: SentenceTransformer  # float32 sentence-transformers model
    model_name: str  # the embedding model, stored next to every vector it makes
    version: str  # embedding model + triage version, reported as TriageResult.model

    def __init__(
        self,
        embedder: SentenceTransformer,
        model_name: str,
        examples: Sequence[LabelledExample],
        *,
        precision: Precision = "auto",
        cache_dir: Path | None = None,
        find_cues: Callable[[str], list[str]] = find_emergency_cues,
    ) -> None:
        if not examples:
            raise ValueError("no labelled examples to train the triage on")
        self.embedder = embedder
        self.model_name = model_name
        self._encoder = _Encoder(embedder, precision)
        self.version = f"{model_name} [{self._encoder.precision}] + otonari-triage {TRIAGE_VERSION}"
        self._find_cues = find_cues
        self._train_lock = threading.Lock()
        self._one_blas_thread = _single_threaded_blas()
        self._cache: _VectorCache | None = None
        if cache_dir is not None:
            # The vectors depend on the model, its precision and this encoder's code (version).
            name = f"triage-examples-{_slug(model_name)}-{self._encoder.precision}-v{TRIAGE_VERSION}.npz"
            self._cache = _VectorCache(cache_dir / name)
        self._cache_lock = threading.Lock()
        self._known = self._cache.load() if self._cache else {}  # text key -> vector
        vectors = self._example_vectors([e.text for e in examples])
        with self._one_blas_thread():
            self._state = _State.train(examples, vectors)

    @classmethod
    def load(
        cls,
        data_dir: Path,
        model: str | None = None,
        extra_examples: Iterable[LabelledExample | Sequence[Any]] = (),
        *,
        precision: Precision = "auto",
        examples: Sequence[LabelledExample] | None = None,
    ) -> Triage:
        """Load the embedding model (``triage.model.load_embedder``) and train on the examples.

        ``extra_examples``: more labelled texts, e.g. staff corrections kept in the database,
        as LabelledExample or (text, field, urgency[, source_id]); like ``add_examples``.
        ``examples`` replaces the bundled ones.
        """
        import torch

        started = time.perf_counter()
        # Intra-op threads = the CPUs this process may use; more only adds contention.
        torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
        rows = list(load_examples() if examples is None else examples)
        rows += [_as_example(e, _STAFF_WEIGHT) for e in extra_examples]
        engine = cls(
            load_embedder(data_dir, model),
            embedding_model_name(model),
            rows,
            precision=precision,
            cache_dir=data_dir / "cache",
        )
        log.info(
            "triage ready in %.1f s: %d examples, %s",
            time.perf_counter() - started,
            len(rows),
            engine.version,
        )
        return engine

    def _example_vectors(self, texts: Sequence[str]) -> F32:
        """Vectors of labelled texts: from the cache when known, else embedded and cached."""
        keys = [_VectorCache.key(t) for t in texts]
        with self._cache_lock:
            missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._known}
        if missing:
            fresh = self.embed_queries(list(missing.values()))
            with self._cache_lock:
                self._known.update(zip(missing, fresh, strict=True))
                snapshot = dict(self._known)
            if self._cache:
                try:
                    self._cache.save(snapshot)
                except OSError as exc:  # a read-only data dir only costs time at the next load
                    log.warning("cannot write the example cache %s: %s", self._cache.path, exc)
        with self._cache_lock:
            return np.stack([self._known[k] for k in keys]).astype(np.float32)

    # ------------------------------------------------------------------ embeddings

    def embed_queries(self, texts: Sequence[str]) -> F32:
        """[n, dim] unit vectors of texts as e5 queries ("query: "), e.g. requests."""
        return self._encoder.encode(list(texts), self._encoder.query_prompt)

    def embed_query(self, texts: Sequence[str]) -> F32:
        """Same as embed_queries."""
        return self.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> F32:
        """[n, dim] unit vectors of texts as e5 passages ("passage: "), e.g. volunteers' skills."""
        return self._encoder.encode(list(texts), self._encoder.passage_prompt)

    @property
    def precision(self) -> str:
        return self._encoder.precision

    # ------------------------------------------------------------------ triage

    def triage(self, text: str) -> TriageResult:
        return self.triage_many([text])[0]

    def triage_many(self, texts: Sequence[str]) -> list[TriageResult]:
        """Triage texts, embedded in batches. Raises TextLengthError before doing any work."""
        texts = list(texts)
        for t in texts:
            check_text(t)
        if not texts:
            return []
        # The text-only work (cue patterns, language) runs beside the encoder: torch releases the
        # GIL in its kernels, so a batch costs the longer of the two, not their sum.
        with ThreadPoolExecutor(max_workers=1) as pool:
            text_facts = pool.submit(lambda: [(self._find_cues(t), detect_language(t)) for t in texts])
            vectors = self.embed_queries(texts)
            facts = text_facts.result()
        state = self._state  # one consistent snapshot even if add_examples swaps it meanwhile
        with self._one_blas_thread():
            scores = vectors @ state.projection + state.bias
            p_field, p_urg, _, _ = state.probabilities(scores)
            # Signals describe the nearest curated examples only: a pure function of the text and
            # the project's data, whatever residents' reviewed texts the engine has learned.
            described = state.nearest_among(scores, state.described, 3)
            similar = state.nearest_among(scores, state.reviewed, _SIMILAR_COUNT)
        return [
            self._decide(
                p_field[i],
                p_urg[i],
                _neighbour_signal(state, described[1][i], described[0][i]),
                tuple(
                    (int(state.examples[j].source_id or 0), float(c))
                    for j, c in zip(similar[1][i], similar[0][i], strict=True)
                    if c >= _SIMILAR_COSINE
                ),
                *facts[i],
            )
            for i in range(len(texts))
        ]

    def _decide(
        self,
        p_field: F64,
        p_urg: F64,
        neighbour_signal: str | None,
        similar_examples: tuple[tuple[int, float], ...],
        cues: list[str],
        language: LanguageGuess,
    ) -> TriageResult:
        signals: list[str] = []
        if cues:
            signals.append("mentions: " + ", ".join(dict.fromkeys(cues)))
            if p_urg[_EMERGENCY] < _CUE_PROBABILITY:
                others = 1.0 - p_urg[_EMERGENCY]
                p_urg = p_urg * ((1.0 - _CUE_PROBABILITY) / others if others > 0 else 0.0)
                p_urg[_EMERGENCY] = _CUE_PROBABILITY
        if p_urg[_EMERGENCY] >= _EMERGENCY_THRESHOLD:
            urgency = _EMERGENCY
        else:
            urgency = int(np.argmax(np.where(np.arange(len(p_urg)) == _EMERGENCY, -1.0, p_urg)))

        order = np.argsort(-p_field, kind="stable")
        field_scores = tuple((FIELDS[i], float(p_field[i])) for i in order)
        if neighbour_signal:
            signals.append(neighbour_signal)
        if field_scores[0][1] - field_scores[1][1] < _UNSURE_MARGIN:
            signals.append(f"unsure: {field_scores[0][0].value} or {field_scores[1][0].value}")
        return TriageResult(
            language=language.code,
            language_confidence=float(language.confidence),
            field=field_scores[0][0],
            field_scores=field_scores,
            urgency=URGENCIES[urgency],
            urgency_score=float(p_urg @ _URGENCY_LEVEL),
            confidence=float(math.sqrt(field_scores[0][1] * p_urg[urgency])),
            signals=tuple(signals),
            model=self.version,
            similar_examples=similar_examples,
            emergency_probability=float(p_urg[_EMERGENCY]),
        )

    # ------------------------------------------------------------------ learning

    def add_examples(self, examples: Iterable[LabelledExample | Sequence[Any]]) -> None:
        """Learn labelled texts at run time, e.g. staff corrections (text, field, urgency) or
        (text, field, urgency, source_id); with a source id they are reported, by id only, in
        ``similar_examples``. Their text never appears in signals.

        Only new texts are embedded; both linear models are retrained (~0.5 s) and
        swapped in at once: a triage in another thread sees the old state or the new one.
        """
        new = [_as_example(e, _STAFF_WEIGHT) for e in examples]
        if not new:
            return
        vectors = self._example_vectors([e.text for e in new])
        with self._train_lock, self._one_blas_thread():
            old = self._state
            self._state = _State.train([*old.examples, *new], np.vstack([old.vectors, vectors]))

    def remove_examples(self, source_ids: Collection[int]) -> None:
        """Forget examples learned with these source ids (a resident's erasure): both models are
        retrained without them, and their vectors leave the cache, in memory and on disk."""
        wanted = set(source_ids)
        with self._train_lock, self._one_blas_thread():
            old = self._state
            keep = [i for i, e in enumerate(old.examples) if e.source_id not in wanted]
            if len(keep) == len(old.examples):
                return
            gone = {_VectorCache.key(e.text) for e in old.examples if e.source_id in wanted}
            gone -= {_VectorCache.key(old.examples[i].text) for i in keep}
            self._state = _State.train([old.examples[i] for i in keep], old.vectors[keep])
        with self._cache_lock:
            for key in gone:
                self._known.pop(key, None)
            snapshot = dict(self._known)
        if self._cache and gone:
            try:
                self._cache.save(snapshot)
            except OSError as exc:
                log.warning("cannot write the example cache %s: %s", self._cache.path, exc)

    @property
    def example_count(self) -> int:
        return len(self._state.examples)

    def with_examples(self, examples: Sequence[LabelledExample]) -> Triage:
        """An engine sharing this one's model, trained on ``examples`` instead (for evaluation:
        cross-validation trains one per fold without loading the model again)."""
        vectors = self._example_vectors([e.text for e in examples])
        twin = copy.copy(self)
        twin._train_lock = threading.Lock()
        with self._one_blas_thread():
            twin._state = _State.train(list(examples), vectors)
        return twin

    def fork(self) -> Triage:
        """An engine sharing this one's model and current examples, learning on its own."""
        twin = copy.copy(self)
        twin._train_lock = threading.Lock()
        return twin


def _neighbour_signal(state: _State, nearest: I64, near_sims: F64) -> str | None:
    """ "close to examples of: <topics> (FIELD/URGENCY, cosine c)" over the nearest curated
    examples: their topics and labels only, never their text."""
    if len(nearest) == 0:
        return None
    topics = list(dict.fromkeys(state.examples[int(i)].topic for i in nearest))
    best = state.examples[int(nearest[0])]
    return (
        f"close to examples of: {'; '.join(topics[:2])} "
        f"({best.field.value}/{best.urgency.value}, cosine {float(near_sims[0]):.2f})"
    )
