"""Fine-tuning the encoder with LoRA adapters: the triage's adapter (``python -m triage.train
--finetune``, ``triage.adapter``) and the per-fold ones its calibration and the benches use.

LoRA (Hu et al. 2021, the parametrisation ``peft`` uses): each adapted ``nn.Linear`` computes
``W x + b + (alpha / r) * B (A x)`` with ``A`` [r, in] random and ``B`` [out, r] zero at the
start, so training starts from the unchanged model; only ``A`` and ``B`` (and two small
classification layers) are trained. ``merge`` folds ``(alpha / r) B A`` into ``W``: the merged
model is a plain BertModel, which the engine's ``LeanBert`` runs at the cost of the bare one.
Written out here (about 60 lines) rather than taken from ``peft``: the engine needs only the
merged weights, and it keeps the dependency list as it is.

Objective: cross-entropy of field and urgency (EMERGENCY is one of the urgencies) from linear
layers on the mean-pooled, L2-normalised embedding, the same features the engine's heads use.
The layers start at the logistic regressions the engine would fit on the frozen embeddings
(``triage.heads.fit_logistic``), so the first steps move the encoder towards what the heads
already separate instead of towards random layers. Deterministic: seeded initialisation and
batch order, no data-dependent randomness elsewhere (dropout is seeded too).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from triage.corpus import LabelledExample
from triage.heads import FIELDS, URGENCIES, fit_logistic
from triage.romanised import default_native_script
from triage.vietnamese import restorer_for

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

    from triage.engine import Triage

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class FinetuneConfig:
    rank: int = 8
    alpha: float = 16.0
    targets: tuple[str, ...] = ("query", "value")  # attention projections of every layer
    epochs: int = 1
    batch_size: int = 16
    learning_rate: float = 1e-3  # chosen on grouped CV (docs/benchmarks.md, step 10)
    max_length: int = 128
    warmup: float = 0.1  # share of the steps with a linear warm-up, then linear decay
    seed: int = 0
    l2_heads: float = 0.1  # of the logistic regressions the classification layers start from


def _lora_linear_class() -> Any:
    import torch

    class LoRALinear(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear, rank: int, alpha: float, gen: torch.Generator) -> None:
            super().__init__()
            self.base = base
            self.scale = alpha / rank
            a = torch.empty(rank, base.in_features)
            torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5), generator=gen)
            self.lora_a = torch.nn.Parameter(a)
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.base(x) + self.scale * ((x @ self.lora_a.T) @ self.lora_b.T)
            return out

    return LoRALinear


def _adapted(bert: Any, targets: Sequence[str]) -> list[tuple[str, Any, str]]:
    """(qualified name, parent module, attribute) of every linear layer to adapt."""
    out = []
    for name, module in bert.named_modules():
        for attr in targets:
            child = getattr(module, attr, None)
            if child is not None and type(child).__name__ in ("Linear", "LoRALinear"):
                out.append((f"{name}.{attr}" if name else attr, module, attr))
    return out


def add_lora(bert: Any, config: FinetuneConfig) -> list[Any]:
    """Wrap the target linear layers of ``bert`` in LoRA layers (in place); freezes the rest."""
    import torch

    cls = _lora_linear_class()
    gen = torch.Generator().manual_seed(config.seed)
    for p in bert.parameters():
        p.requires_grad_(False)
    wrapped = []
    for _, parent, attr in _adapted(bert, config.targets):
        layer = cls(getattr(parent, attr), config.rank, config.alpha, gen)
        setattr(parent, attr, layer)
        wrapped.append(layer)
    return wrapped


def adapter_state(bert: Any, config: FinetuneConfig) -> dict[str, torch.Tensor]:
    """The adapter's tensors, by the qualified name of the layer they adapt."""
    state = {}
    for name, parent, attr in _adapted(bert, config.targets):
        layer = getattr(parent, attr)
        state[f"{name}.lora_a"] = layer.lora_a.detach().clone()
        state[f"{name}.lora_b"] = layer.lora_b.detach().clone()
    return state


def merge(bert: Any, config: FinetuneConfig) -> None:
    """Fold every LoRA layer of ``bert`` into its base weights and unwrap it (in place)."""
    import torch

    with torch.no_grad():
        for _, parent, attr in _adapted(bert, config.targets):
            layer = getattr(parent, attr)
            if type(layer).__name__ != "LoRALinear":
                continue
            layer.base.weight += layer.scale * (layer.lora_b @ layer.lora_a)
            setattr(parent, attr, layer.base)


def _batches(lengths: Sequence[int], batch_size: int, rng: np.random.Generator) -> list[list[int]]:
    """Shuffled batches of similar length (little padding): shuffle, sort within chunks of 16
    batches by length, cut, shuffle the batches."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * 16
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk].tolist(), key=lambda i: lengths[i])
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def finetune(
    embedder: SentenceTransformer,
    examples: Sequence[LabelledExample],
    frozen_vectors: F32,
    prompt: str,
    config: FinetuneConfig = FinetuneConfig(),
    log: Any = print,
) -> dict[str, torch.Tensor]:
    """Train LoRA adapters on ``examples`` and merge them into ``embedder``'s model (in place).

    ``frozen_vectors``: the examples' embeddings by the unadapted model, to start the
    classification layers from. Returns the adapter (before merging) for saving.
    """
    import torch
    import torch.nn.functional as F

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    bert: Any = embedder[0].auto_model
    tokenizer = embedder.tokenizer
    fl = np.array([FIELDS.index(e.field) for e in examples], dtype=np.int64)
    ul = np.array([URGENCIES.index(e.urgency) for e in examples], dtype=np.int64)
    x = frozen_vectors.astype(np.float64)
    heads = []
    for labels, n in ((fl, len(FIELDS)), (ul, len(URGENCIES))):
        w, b = fit_logistic(x, labels, n, config.l2_heads)
        layer = torch.nn.Linear(x.shape[1], n)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w.T.astype(np.float32)))
            layer.bias.copy_(torch.from_numpy(b.astype(np.float32)))
        heads.append(layer)
    lora = add_lora(bert, config)
    params = [p for m in lora for p in (m.lora_a, m.lora_b)] + [p for h in heads for p in h.parameters()]
    optimiser = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
    ids: list[list[int]] = tokenizer(
        [prompt + e.text for e in examples], truncation=True, max_length=config.max_length
    )["input_ids"]
    pad = int(tokenizer.pad_token_id)
    schedule = [_batches([len(s) for s in ids], config.batch_size, rng) for _ in range(config.epochs)]
    total = sum(len(s) for s in schedule)
    warm = max(1, int(config.warmup * total))
    step = 0
    started = time.perf_counter()
    bert.train()
    for epoch, batches in enumerate(schedule):
        running = 0.0
        for batch in batches:
            width = max(len(ids[i]) for i in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                mask[row, : len(ids[i])] = 1
            hidden = bert(input_ids=input_ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(hidden.dtype)
            emb = F.normalize((hidden * m).sum(1) / m.sum(1), dim=-1)
            loss = F.cross_entropy(heads[0](emb), torch.from_numpy(fl[batch])) + F.cross_entropy(
                heads[1](emb), torch.from_numpy(ul[batch])
            )
            lr = config.learning_rate * min((step + 1) / warm, max(0.0, (total - step) / (total - warm)))
            for group in optimiser.param_groups:
                group["lr"] = lr
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            running += float(loss.detach())
            step += 1
            if step % 50 == 0:
                log(
                    f"  epoch {epoch + 1} step {step}/{total} loss {running / 50:.3f}"
                    f" ({time.perf_counter() - started:.0f} s)"
                )
                running = 0.0
    bert.eval()
    state = adapter_state(bert, config)
    merge(bert, config)
    return state


# ----------------------------------------------------------------------------- per-fold adapters

# Grouped folds of the per-fold adapters (python -m triage.train --finetune, python -m bench
# finetune, the cv column of python -m bench triage): 3, not 5, for the CPU (a fine-tune of two
# thirds of the examples costs ~6-8 minutes on 2 quiet cores).
FINETUNE_FOLDS = 3


def train_adapter(
    data_dir: Path,
    examples: Sequence[LabelledExample],
    frozen_vectors: F32,
    config: FinetuneConfig = FinetuneConfig(),
    log: Any = print,
) -> dict[str, F32]:
    """An adapter fine-tuned on ``examples``, as float32 arrays (``triage.adapter`` layout). The
    model is loaded afresh for it (fine-tuning changes it in place)."""
    from triage.model import load_embedder

    embedder = load_embedder(data_dir)
    prompt = str((embedder.prompts or {}).get("query", ""))
    state = finetune(embedder, examples, frozen_vectors, prompt, config, log)
    return {k: v.numpy().astype(np.float32) for k, v in state.items()}


def fold_key(texts: Sequence[str], folds: Sequence[int], k: int, config: FinetuneConfig) -> str:
    return hashlib.sha256(
        json.dumps([list(texts), [int(f) for f in folds], k, asdict(config)], ensure_ascii=False).encode()
    ).hexdigest()[:16]


def fold_vectors(
    engine: Triage,
    data_dir: Path,
    examples: Sequence[LabelledExample],
    frozen_vectors: F32 | Callable[[], F32],
    folds: Sequence[int],
    k: int,
    config: FinetuneConfig = FinetuneConfig(),
    log: Any = print,
) -> F32:
    """Every example embedded for the triage by the adapter fine-tuned on the folds other than
    ``k`` (merged as the engine merges it: ``triage.encoder.Encoder.adapted`` on ``engine``'s
    bare encoder). Cached in ``data_dir/cache/finetune-cv-<key>.npz`` (key: the texts, the
    folds, ``k`` and the options), shared with ``python -m bench finetune`` and the cv column of
    ``python -m bench triage``. ``frozen_vectors``: the bare encoder's embeddings of the
    examples, or a function computing them (only called when the adapter has to be trained)."""
    from triage.adapter import Adapter

    fold = np.asarray(folds)
    train = np.flatnonzero(fold != k)
    # What the encoder reads (triage.vietnamese), with the marks learnt from the training folds
    # only: a held-out row's marks never come from its own paraphrases.
    restorer = restorer_for(examples[int(i)] for i in train)
    # triage.romanised: one reading for every fold. Its Korean syllable counts come from every
    # example, but only text typed in Latin letters is read by it, and no Korean example is (a test
    # keeps the counts equal to the examples'; step 62 checked that none is touched). The word
    # tables read 18 Sinhala examples typed in Latin letters; they learn nothing from the examples.
    native = default_native_script()
    texts = [native.encoder_text(restorer.encoder_text(e.text)) for e in examples]
    path = data_dir / "cache" / f"finetune-cv-{fold_key(texts, folds, k, config)}.npz"
    if path.exists():
        with np.load(path) as data:
            return np.asarray(data["vectors"], dtype=np.float32)
    started = time.perf_counter()
    frozen = frozen_vectors if isinstance(frozen_vectors, np.ndarray) else frozen_vectors()
    as_read = [dataclasses.replace(examples[int(i)], text=texts[int(i)]) for i in train]
    tensors = train_adapter(data_dir, as_read, frozen[train], config, log)
    trained = time.perf_counter() - started
    adapter = Adapter(tensors, config.rank, config.alpha, engine.model_name, "fold")
    vectors = engine.adapted_encoder(adapter).encode(texts, engine.query_prompt)
    log(
        f"fold {k}: fine-tuned on {len(train)} examples in {trained:.0f} s,"
        f" re-embedded {len(texts)} in {time.perf_counter() - started - trained:.0f} s"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.npz")
    np.savez(tmp, vectors=vectors)
    tmp.replace(path)
    return vectors
