"""The triage's LoRA adapter on disk: ``triage/adapter/lora.safetensors``.

Written by ``python -m triage.train --finetune`` (``triage.finetune``), read by the engine. The
file holds, per adapted linear layer of the BertModel, ``<layer>.lora_a`` [r, in] and
``<layer>.lora_b`` [out, r] (float32), and in its metadata (one JSON string) the rank, alpha
and the embedding model it was trained on. safetensors rather than npz: the bytes depend only on
the tensors, so the digest (which names the engine's example-vector cache and is stored with the
calibration) changes only when the weights do.

The engine never merges the adapter into the shared model: matching and volunteers' stored skill
vectors use the bare encoder, the triage a twin with merged attention weights
(``triage.encoder.Encoder.adapted``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import torch

ADAPTER_FILE = Path(__file__).with_name("adapter") / "lora.safetensors"
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Adapter:
    tensors: Mapping[str, F32]  # "<layer>.lora_a" / "<layer>.lora_b"
    rank: int
    alpha: float
    model: str  # embedding model name (triage.model.embedding_model_name) it was trained on
    digest: str  # sha256 of the file, 12 hex digits

    @property
    def layers(self) -> list[str]:
        return sorted(k.removesuffix(".lora_a") for k in self.tensors if k.endswith(".lora_a"))

    def deltas(self) -> dict[str, torch.Tensor]:
        """Per adapted layer, what merging adds to its weight: (alpha / r) B A, float32 (the
        product ``triage.finetune.merge`` computes)."""
        import torch

        scale = self.alpha / self.rank
        return {
            name: scale
            * (
                torch.from_numpy(np.array(self.tensors[f"{name}.lora_b"], dtype=np.float32))
                @ torch.from_numpy(np.array(self.tensors[f"{name}.lora_a"], dtype=np.float32))
            )
            for name in self.layers
        }


def save_adapter(path: Path, tensors: Mapping[str, F32], rank: int, alpha: float, model: str) -> str:
    """Write the adapter; returns its digest."""
    from safetensors.numpy import save

    data = save(
        {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sorted(tensors.items())},
        # One metadata key: safetensors writes the metadata map in no fixed order.
        metadata={
            "adapter": json.dumps({"rank": rank, "alpha": float(alpha), "model": model}, sort_keys=True)
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return hashlib.sha256(data).hexdigest()[:12]


def load_adapter(path: Path | None = ADAPTER_FILE) -> Adapter | None:
    """The adapter at ``path``, or None when there is none (the engine then uses the bare
    encoder)."""
    if path is None or not path.exists():
        return None
    from safetensors.numpy import load

    data = path.read_bytes()
    tensors = load(data)
    # The metadata sits in the JSON header: 8 bytes of its length (little endian), then the JSON.
    header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])
    meta = json.loads((header.get("__metadata__") or {}).get("adapter", "{}"))
    names = {k.removesuffix(".lora_a") for k in tensors if k.endswith(".lora_a")}
    if not names or set(tensors) != {f"{n}.lora_{m}" for n in names for m in "ab"}:
        raise ValueError(f"{path}: not a LoRA adapter (expected <layer>.lora_a/.lora_b pairs)")
    return Adapter(
        tensors=tensors,
        rank=int(meta["rank"]),
        alpha=float(meta["alpha"]),
        model=str(meta["model"]),
        digest=hashlib.sha256(data).hexdigest()[:12],
    )
