"""Turning texts into embeddings, fast: the engine's own forward pass over the embedding model.

``Encoder`` embeds with a prompt ("query: " / "passage: " for e5) through ``FastPath`` when the
model is exactly Transformer + mean pooling (+ normalisation), as e5 is: the tokens of a batch
are packed without padding (``LeanBert``), and on CPUs with native bfloat16 matrix units the
encoder runs in bfloat16 (about twice the float32 throughput; cosine to the float32 embedding
>= 0.9999; pooling stays float32). Other models go through sentence-transformers ``encode``.

``VectorCache`` keeps the embeddings of labelled examples on disk, so a warm start embeds only
new examples.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

BATCH_SIZE = 64
# Batches are also capped in tokens: bigger ones fall out of the CPU caches.
_BATCH_TOKENS = 1024

Precision = Literal["auto", "float32", "bfloat16"]
F32 = npt.NDArray[np.float32]


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


_QKV = ("query", "key", "value")


class LeanBert:
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

    def adapted(self, bert: Any, deltas: Mapping[str, torch.Tensor]) -> LeanBert:
        """A twin whose attention projections are ``bert``'s float32 weights plus ``deltas``
        (merged LoRA, by qualified layer name: ``encoder.layer.<i>.attention.self.<query|key|
        value>``), cast like this one's. Everything else (embeddings, layer norms, output and
        feed-forward weights) is this one's tensors, shared, not copied: +~10 MB in bfloat16."""
        import torch

        known = {f"encoder.layer.{i}.attention.self.{m}" for i in range(len(self.layers)) for m in _QKV}
        if unknown := sorted(set(deltas) - known):
            raise ValueError(f"the adapter changes layers the fast path cannot merge: {unknown[:3]}")
        twin = copy.copy(self)
        twin.layers = []
        for i, (layer, p) in enumerate(zip(bert.encoder.layer, self.layers, strict=True)):
            names = [f"encoder.layer.{i}.attention.self.{m}" for m in _QKV]
            if not any(n in deltas for n in names):
                twin.layers.append(p)
                continue
            weights = []
            for name, m in zip(names, _QKV, strict=True):
                w = getattr(layer.attention.self, m).weight.detach().to(torch.float32)
                weights.append(w + deltas[name] if name in deltas else w)
            twin.layers.append(replace(p, qkv_w=torch.cat(weights).to(p.qkv_w.dtype).contiguous()))
        return twin

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


class PaddedModel:
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
class FastPath:
    """Tokenizer -> transformer -> mean pooling, without sentence-transformers' per-call work.

    Only for models that are exactly Transformer + mean Pooling (+ Normalize), as e5 is.
    """

    tokenizer: Any  # the model's transformers fast tokenizer
    model: LeanBert | PaddedModel
    max_length: int
    dtype_name: str

    @classmethod
    def build(cls, embedder: SentenceTransformer, precision: Precision) -> FastPath | None:
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
        model: LeanBert | PaddedModel
        if LeanBert.supports(module):
            model = LeanBert(module, dtype)  # its own weights: the embedder stays float32
        else:
            if bf16:  # a twin; the memo hands deepcopy converted parameters, never fp32 copies
                memo: dict[int, Any] = {
                    id(p): torch.nn.Parameter(p.detach().to(dtype), requires_grad=False)
                    for p in module.parameters()
                }
                module = copy.deepcopy(module, memo)
            model = PaddedModel(module.to(dtype).eval(), int(tokenizer.pad_token_id))
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


class Encoder:
    """Embeds texts with a prompt; one forward pass at a time (the CPU is the limit anyway)."""

    def __init__(self, embedder: SentenceTransformer, precision: Precision) -> None:
        self.embedder = embedder
        self.dim = int(embedder.get_embedding_dimension() or 0)
        self._lock = threading.Lock()
        self._fast = FastPath.build(embedder, precision)
        self.precision = self._fast.dtype_name if self._fast else "float32"
        prompts = embedder.prompts or {}
        self.query_prompt = str(prompts.get("query", ""))
        self.passage_prompt = str(prompts.get("passage", prompts.get("document", "")))

    def adapted(self, deltas: Mapping[str, torch.Tensor]) -> Encoder:
        """A twin encoder with LoRA deltas merged into its attention weights (see
        ``LeanBert.adapted``); this one, and the model it shares, stay unchanged. The twin
        shares the lock: one forward pass at a time across both."""
        fast = self._fast
        if fast is None or not isinstance(fast.model, LeanBert):
            raise ValueError("a LoRA adapter needs the LeanBert fast path (a BERT model, mean pooling)")
        twin = copy.copy(self)
        twin._fast = replace(fast, model=fast.model.adapted(self.embedder[0].model, deltas))
        return twin

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


class VectorCache:
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
        save_npz(self.path, keys=np.array(list(entries)), vectors=np.stack(list(entries.values())))


def save_npz(path: Path, **arrays: npt.NDArray[Any]) -> None:
    """Write an .npz whole: other processes and threads read the old file or the new one, never
    half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy stubs: a key could be allow_pickle
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:80] or "model"
