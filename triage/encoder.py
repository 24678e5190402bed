"""Turning texts into embeddings, fast: the engine's own forward pass over the embedding model.

``Encoder`` embeds with a prompt ("query: " / "passage: " for e5) through ``FastPath`` when the
model is exactly Transformer + mean pooling (+ normalisation), as e5 is: the tokens of a batch
are packed without padding (``LeanBert``), and on CPUs with native bfloat16 matrix units the
encoder runs in bfloat16 (about twice the float32 throughput; cosine to the float32 embedding
>= 0.9999; pooling stays float32). Other models go through sentence-transformers ``encode``.

``Encoder.from_directory`` builds that fast path straight from a model directory's
``model.safetensors`` and ``tokenizer.json`` (``safetensors`` and ``tokenizers``): importing
transformers and sentence-transformers took ~9 s of a 10 s start, and their float32 model was a
second copy of the weights in every serving process. The sentence-transformers model is then
loaded only when something asks for ``Encoder.embedder`` (fine-tuning, the benches' baseline).

``VectorCache`` keeps the embeddings of labelled examples on disk, so a warm start embeds only
new examples.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
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
# name -> float32 tensor of a BertModel parameter (``encoder.layer.0.attention.self.query.weight``)
Weights = Callable[[str], "torch.Tensor"]


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

    def __init__(self, weights: Weights, config: Mapping[str, Any], dtype: torch.dtype) -> None:
        """``weights(name)``: the float32 tensor of BertModel's parameter ``name`` (kept, for
        ``adapted``); ``config``: BertModel's config as a dict (``config.json``)."""
        import torch

        def t(name: str) -> torch.Tensor:
            return weights(name).detach().to(dtype).contiguous()

        self._weights = weights
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.word = t("embeddings.word_embeddings.weight")
        self.position = t("embeddings.position_embeddings.weight")
        self.token_type = t("embeddings.token_type_embeddings.weight")[0]
        self.ln_w, self.ln_b = t("embeddings.LayerNorm.weight"), t("embeddings.LayerNorm.bias")
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            at = f"encoder.layer.{i}."
            qkv = [f"{at}attention.self.{m}" for m in _QKV]
            self.layers.append(
                _Layer(
                    qkv_w=torch.cat([t(f"{n}.weight") for n in qkv]).contiguous(),
                    qkv_b=torch.cat([t(f"{n}.bias") for n in qkv]).contiguous(),
                    out_w=t(f"{at}attention.output.dense.weight"),
                    out_b=t(f"{at}attention.output.dense.bias"),
                    ln1_w=t(f"{at}attention.output.LayerNorm.weight"),
                    ln1_b=t(f"{at}attention.output.LayerNorm.bias"),
                    ffn_in_w=t(f"{at}intermediate.dense.weight"),
                    ffn_in_b=t(f"{at}intermediate.dense.bias"),
                    ffn_out_w=t(f"{at}output.dense.weight"),
                    ffn_out_b=t(f"{at}output.dense.bias"),
                    ln2_w=t(f"{at}output.LayerNorm.weight"),
                    ln2_b=t(f"{at}output.LayerNorm.bias"),
                )
            )

    @classmethod
    def from_module(cls, bert: Any, dtype: torch.dtype) -> LeanBert:
        """From a loaded transformers BertModel (its own weights: the module stays float32)."""
        return cls(bert.get_parameter, bert.config.to_dict(), dtype)

    def adapted(self, deltas: Mapping[str, torch.Tensor]) -> LeanBert:
        """A twin whose attention projections are the model's float32 weights plus ``deltas``
        (merged LoRA, by qualified layer name: ``encoder.layer.<i>.attention.self.<query|key|
        value>``), cast like this one's. Everything else (embeddings, layer norms, output and
        feed-forward weights) is this one's tensors, shared, not copied: +~10 MB in bfloat16."""
        import torch

        known = {f"encoder.layer.{i}.attention.self.{m}" for i in range(len(self.layers)) for m in _QKV}
        if unknown := sorted(set(deltas) - known):
            raise ValueError(f"the adapter changes layers the fast path cannot merge: {unknown[:3]}")
        twin = copy.copy(self)
        twin.layers = []
        for i, p in enumerate(self.layers):
            names = [f"encoder.layer.{i}.attention.self.{m}" for m in _QKV]
            if not any(n in deltas for n in names):
                twin.layers.append(p)
                continue
            weights = []
            for name in names:
                w = self._weights(f"{name}.weight").detach().to(torch.float32)
                weights.append(w + deltas[name] if name in deltas else w)
            twin.layers.append(replace(p, qkv_w=torch.cat(weights).to(p.qkv_w.dtype).contiguous()))
        return twin

    @staticmethod
    def supports(config: Mapping[str, Any]) -> bool:
        """Whether ``config`` (BertModel's, as a dict) is a model this forward pass computes."""
        return (
            config.get("model_type") == "bert"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and config.get("hidden_act") == "gelu"
            and not config.get("is_decoder", False)
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


def _dtype(precision: Precision) -> torch.dtype:
    """bfloat16 when asked, or on "auto" where the CPU has native bfloat16 matrix units."""
    import torch

    bf16 = precision == "bfloat16" or (
        precision == "auto" and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    )
    return torch.bfloat16 if bf16 else torch.float32


@dataclass
class FastPath:
    """Tokenizer -> transformer -> mean pooling, without sentence-transformers' per-call work.

    Only for models that are exactly Transformer + mean Pooling (+ Normalize), as e5 is.
    """

    tokenize: Callable[[list[str]], list[list[int]]]  # texts -> token ids, truncated, special tokens
    model: LeanBert | PaddedModel
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
        dtype = _dtype(precision)
        model: LeanBert | PaddedModel
        config: Any = module.config  # a transformers PretrainedConfig
        if LeanBert.supports(config.to_dict()):
            model = LeanBert.from_module(module, dtype)  # its own weights: the embedder stays float32
        else:
            if dtype != torch.float32:
                # A twin; the memo hands deepcopy converted parameters, never fp32 copies.
                memo: dict[int, Any] = {
                    id(p): torch.nn.Parameter(p.detach().to(dtype), requires_grad=False)
                    for p in module.parameters()
                }
                module = copy.deepcopy(module, memo)
            model = PaddedModel(module.to(dtype).eval(), int(tokenizer.pad_token_id))
        max_length = int(embedder.max_seq_length or 512)

        def tokenize(texts: list[str]) -> list[list[int]]:
            encoded = tokenizer(texts, truncation=True, max_length=max_length, padding=False)
            ids: list[list[int]] = encoded["input_ids"]
            return ids

        return cls(tokenize, model, str(dtype).removeprefix("torch."))

    @classmethod
    def from_directory(cls, path: Path, max_length: int, precision: Precision) -> FastPath | None:
        """From a BertModel directory (``config.json``, ``model.safetensors``, ``tokenizer.json``)
        without transformers: the same weights and token ids as ``build`` on that directory's
        sentence-transformers model. None when LeanBert does not compute this model."""
        from safetensors import safe_open
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if not LeanBert.supports(config):
            return None
        weights_file = str(path / "model.safetensors")

        def weights(name: str) -> torch.Tensor:
            # Opened per tensor (a header read and an mmap): nothing of the file stays mapped.
            with safe_open(weights_file, framework="pt", device="cpu") as fh:
                tensor: torch.Tensor = fh.get_tensor(name)
            return tensor

        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        # What transformers' fast tokenizer sets per call: truncation=True, max_length, no padding.
        tokenizer.enable_truncation(max_length=max_length)
        tokenizer.no_padding()

        def tokenize(texts: list[str]) -> list[list[int]]:
            return [e.ids for e in tokenizer.encode_batch(texts)]

        dtype = _dtype(precision)
        return cls(tokenize, LeanBert(weights, config, dtype), str(dtype).removeprefix("torch."))

    def encode(self, texts: Sequence[str], prompt: str) -> F32:
        import torch

        ids = self.tokenize([prompt + t for t in texts])
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
    """Embeds texts with a prompt; one forward pass at a time (the CPU is the limit anyway).

    ``embedder`` is the float32 sentence-transformers model, loaded on first use when the
    encoder was built without it (``from_directory``)."""

    def __init__(
        self,
        fast: FastPath | None,
        embedder: Callable[[], SentenceTransformer],
        *,
        dim: int,
        query_prompt: str,
        passage_prompt: str,
    ) -> None:
        self._fast = fast
        self._embedder = _Lazy(embedder)  # shared by adapted twins
        self.dim = dim
        self._lock = threading.Lock()
        self.precision = fast.dtype_name if fast else "float32"
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt

    @classmethod
    def from_embedder(cls, embedder: SentenceTransformer, precision: Precision) -> Encoder:
        """Over a loaded sentence-transformers model (any model; the fast path when it fits)."""
        prompts = embedder.prompts or {}
        return cls(
            FastPath.build(embedder, precision),
            lambda: embedder,
            dim=int(embedder.get_embedding_dimension() or 0),
            query_prompt=str(prompts.get("query", "")),
            passage_prompt=str(prompts.get("passage", prompts.get("document", ""))),
        )

    @classmethod
    def from_directory(
        cls,
        path: Path,
        precision: Precision,
        *,
        query_prompt: str,
        passage_prompt: str,
        max_length: int,
        embedder: Callable[[], SentenceTransformer],
    ) -> Encoder:
        """Over the BertModel + mean pooling + normalisation directory at ``path``, without
        loading ``embedder`` (the same model through sentence-transformers) unless LeanBert
        cannot run it."""
        fast = FastPath.from_directory(path, max_length, precision)
        if fast is None:
            return cls.from_embedder(embedder(), precision)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        return cls(
            fast,
            embedder,
            dim=int(config["hidden_size"]),
            query_prompt=query_prompt,
            passage_prompt=passage_prompt,
        )

    @property
    def embedder(self) -> SentenceTransformer:
        """The float32 sentence-transformers model (loaded now if it was not)."""
        return self._embedder.get()

    def adapted(self, deltas: Mapping[str, torch.Tensor]) -> Encoder:
        """A twin encoder with LoRA deltas merged into its attention weights (see
        ``LeanBert.adapted``); this one, and the model it shares, stay unchanged. The twin
        shares the lock: one forward pass at a time across both."""
        fast = self._fast
        if fast is None or not isinstance(fast.model, LeanBert):
            raise ValueError("a LoRA adapter needs the LeanBert fast path (a BERT model, mean pooling)")
        twin = copy.copy(self)
        twin._fast = replace(fast, model=fast.model.adapted(deltas))
        return twin

    def encode(self, texts: Sequence[str], prompt: str) -> F32:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._fast is not None:
                return self._fast.encode(texts, prompt)
            out = self._embedder.get().encode(
                list(texts),
                prompt=prompt,
                batch_size=BATCH_SIZE,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.ascontiguousarray(out, dtype=np.float32)


class _Lazy:
    """A sentence-transformers model made on first use, once, whichever thread asks."""

    def __init__(self, make: Callable[[], SentenceTransformer]) -> None:
        self._make = make
        self._value: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def get(self) -> SentenceTransformer:
        with self._lock:
            if self._value is None:
                self._value = self._make()
            return self._value


class VectorCache:
    """Example embeddings on disk, one file per model and precision, keyed by text hash."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def key(text: str, *, as_typed: bool = False) -> str:
        """The key of ``text``'s vector as the triage reads it, or, ``as_typed``, as typed."""
        marked = f"as typed\x00{text}" if as_typed else text
        return hashlib.sha256(marked.encode("utf-8")).hexdigest()[:32]

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
