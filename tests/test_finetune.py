"""LoRA adapters (triage.finetune): training starts from the unchanged model, merging the adapter
into the weights computes exactly what the adapted model computed, and training is reproducible."""

from __future__ import annotations

from typing import Any

import pytest

torch = pytest.importorskip("torch")

from triage.finetune import FinetuneConfig, adapter_state, add_lora, merge  # noqa: E402


class _Attention(torch.nn.Module):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.query = torch.nn.Linear(12, 12)
        self.key = torch.nn.Linear(12, 12)
        self.value = torch.nn.Linear(12, 12)

    def forward(self, x: Any) -> Any:
        return self.query(x) * self.key(x) + self.value(x)


def _model() -> Any:
    torch.manual_seed(1)
    return torch.nn.Sequential(_Attention(), torch.nn.Tanh(), _Attention())


def test_lora_starts_from_the_unchanged_model_and_adapts_only_the_targets() -> None:
    model = _model()
    x = torch.randn(5, 12)
    before = model(x).detach()
    config = FinetuneConfig(rank=4, alpha=8.0)
    layers = add_lora(model, config)
    assert len(layers) == 4  # query and value of both blocks, not key
    assert torch.equal(model(x), before)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {f"{b}.{t}.lora_{m}" for b in "02" for t in ("query", "value") for m in "ab"}


def test_merging_computes_what_the_adapter_computed() -> None:
    model = _model()
    config = FinetuneConfig(rank=4, alpha=8.0)
    add_lora(model, config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_b" in name:
                p.copy_(torch.randn_like(p))
    x = torch.randn(5, 12)
    adapted = model(x).detach()
    state = adapter_state(model, config)
    assert set(state) == {f"{b}.{t}.lora_{m}" for b in "02" for t in ("query", "value") for m in "ab"}
    merge(model, config)
    assert all(type(m).__name__ != "LoRALinear" for m in model.modules())
    assert not torch.equal(model(x), _model()(x))  # the adapter changed the weights
    torch.testing.assert_close(model(x), adapted, rtol=1e-5, atol=1e-5)


def test_fine_tuning_the_real_model_twice_gives_the_same_adapter(triage_engine: Any, data_dir: Any) -> None:
    """`python -m triage.train --finetune` is reproducible on one machine: the same examples and
    options give the same adapter, bit for bit (seeded initialisation, batch order and dropout).
    Another machine's CPU kernels may round differently (docs/benchmarks.md, step 63's note)."""
    from triage.corpus import load_examples
    from triage.finetune import train_adapter

    examples = load_examples()[:32]
    frozen = triage_engine.embed_queries([e.text for e in examples])
    config = FinetuneConfig(batch_size=8)
    first, second = (train_adapter(data_dir, examples, frozen, config, log=lambda *_: None) for _ in range(2))
    assert sorted(first) == sorted(second) and first
    assert all((first[name] == second[name]).all() for name in first)
    assert any(bool(first[name].any()) for name in first if "lora_b" in name)  # it did train
