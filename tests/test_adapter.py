"""The triage's LoRA adapter (triage.adapter, LeanBert.adapted, Triage with an adapter): the file
round-trips byte for byte, merging into the fast path computes what ``triage.finetune.merge``
computes, and the engine adapts the triage's encoder only, never matching's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from triage.adapter import ADAPTER_FILE, Adapter, load_adapter, save_adapter  # noqa: E402
from triage.encoder import LeanBert  # noqa: E402
from triage.finetune import FinetuneConfig, adapter_state, add_lora, merge  # noqa: E402


def _bert() -> Any:
    torch.manual_seed(3)
    config = transformers.BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=20,
    )
    return transformers.BertModel(config, add_pooling_layer=False).eval()


def _trained_lora(bert: Any, config: FinetuneConfig) -> dict[str, Any]:
    """LoRA layers on ``bert`` with random (as if trained) B matrices; returns the adapter."""
    add_lora(bert, config)
    with torch.no_grad():
        for name, p in bert.named_parameters():
            if "lora_b" in name:
                p.copy_(0.3 * torch.randn_like(p))
    return {k: v.numpy() for k, v in adapter_state(bert, config).items()}


SEQS = [[1, 5, 7, 9, 2], [1, 4, 2], [1, 8, 8, 8, 8, 8, 3, 2]]


def test_the_file_round_trips_and_its_digest_depends_only_on_the_weights(tmp_path: Path) -> None:
    tensors = {
        "a.lora_a": np.ones((2, 3), np.float32),
        "a.lora_b": np.arange(8, dtype=np.float32).reshape(4, 2),
    }
    first = save_adapter(tmp_path / "one.safetensors", tensors, 2, 4.0, "model x")
    again = save_adapter(tmp_path / "two.safetensors", dict(reversed(tensors.items())), 2, 4.0, "model x")
    assert first == again  # same weights, same bytes: the cache key is stable across runs
    assert (tmp_path / "one.safetensors").read_bytes() == (tmp_path / "two.safetensors").read_bytes()
    loaded = load_adapter(tmp_path / "one.safetensors")
    assert loaded is not None
    assert (loaded.rank, loaded.alpha, loaded.model, loaded.digest, loaded.layers) == (
        2,
        4.0,
        "model x",
        first,
        ["a"],
    )
    np.testing.assert_array_equal(
        loaded.deltas()["a"].numpy(), 2.0 * tensors["a.lora_b"] @ tensors["a.lora_a"]
    )
    tensors["a.lora_b"][0, 0] = 5.0
    assert save_adapter(tmp_path / "three.safetensors", tensors, 2, 4.0, "model x") != first
    assert load_adapter(tmp_path / "missing.safetensors") is None
    assert load_adapter(None) is None
    (tmp_path / "bad.safetensors").write_bytes((tmp_path / "one.safetensors").read_bytes()[:20])
    with pytest.raises(Exception):  # noqa: B017 - a damaged file must not load silently
        load_adapter(tmp_path / "bad.safetensors")


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_merging_into_the_fast_path_equals_merging_into_the_model(dtype: str) -> None:
    dt = getattr(torch, dtype)
    config = FinetuneConfig(rank=4, alpha=8.0)
    bert = _bert()
    bare = LeanBert.from_module(bert, dt)
    before = bare.embed(SEQS)
    adapted_model = _bert()
    tensors = _trained_lora(adapted_model, config)
    with torch.no_grad():
        reference_adapted = adapted_model(input_ids=torch.tensor([SEQS[0]])).last_hidden_state.mean(1)
    merge(adapted_model, config)
    expected = LeanBert.from_module(adapted_model, dt).embed(SEQS)

    adapter = Adapter(tensors, config.rank, config.alpha, "m", "d")
    twin = bare.adapted(adapter.deltas())
    got = twin.embed(SEQS)
    torch.testing.assert_close(got, expected, rtol=0, atol=0)  # the same float32 merge, then the cast
    assert not torch.allclose(got, before, atol=1e-3)  # the adapter changes the embedding
    torch.testing.assert_close(bare.embed(SEQS), before, rtol=0, atol=0)  # the bare one is untouched
    # Shared, not copied: the embeddings and every weight LoRA does not touch.
    assert twin.word is bare.word and twin.position is bare.position
    assert all(
        t.ffn_in_w is b.ffn_in_w and t.out_w is b.out_w for t, b in zip(twin.layers, bare.layers, strict=True)
    )
    assert all(t.qkv_w is not b.qkv_w for t, b in zip(twin.layers, bare.layers, strict=True))
    # And the merged model is what the adapted model computed (float32).
    if dtype == "float32":
        with torch.no_grad():
            merged_out = adapted_model(input_ids=torch.tensor([SEQS[0]])).last_hidden_state.mean(1)
        torch.testing.assert_close(merged_out, reference_adapted, rtol=1e-5, atol=1e-5)


def test_an_adapter_on_layers_the_fast_path_does_not_merge_is_refused() -> None:
    bert = _bert()
    config = FinetuneConfig(rank=2, alpha=4.0, targets=("query", "dense"))
    tensors = _trained_lora(_bert(), config)
    adapter = Adapter(tensors, 2, 4.0, "m", "d")
    with pytest.raises(ValueError, match="cannot merge"):
        LeanBert.from_module(bert, torch.float32).adapted(adapter.deltas())


def test_the_committed_adapter_is_for_the_bundled_model() -> None:
    from triage.model import embedding_model_name

    adapter = load_adapter(ADAPTER_FILE)
    if adapter is None:
        pytest.skip("no committed adapter: the triage uses the bare encoder")
    assert adapter.model == embedding_model_name()
    assert ADAPTER_FILE.stat().st_size < 2_000_000
    assert len(adapter.layers) == 24  # query and value of the 12 layers


def test_the_engine_adapts_the_triage_encoder_only(triage_engine: Any, tmp_path: Path) -> None:
    """The real model: with an adapter, matching's embeddings (embed_queries, embed_passages) are
    exactly the bare engine's; the triage's differ; the example cache is keyed on the adapter."""
    from triage.calibration import Calibration
    from triage.corpus import load_examples
    from triage.engine import Triage

    bert = triage_engine.embedder[0].auto_model
    rng = np.random.default_rng(0)
    tensors: dict[str, Any] = {}
    for i in range(len(bert.encoder.layer)):
        for m in ("query", "value"):
            name = f"encoder.layer.{i}.attention.self.{m}"
            tensors[f"{name}.lora_a"] = rng.normal(0, 0.05, (8, 384)).astype(np.float32)
            tensors[f"{name}.lora_b"] = rng.normal(0, 0.05, (384, 8)).astype(np.float32)
    path = tmp_path / "adapter.safetensors"
    digest = save_adapter(path, tensors, 8, 16.0, triage_engine.model_name)
    adapter = load_adapter(path)
    examples = load_examples()[:40]
    adapted = Triage(
        triage_engine.encoder,
        triage_engine.model_name,
        examples,
        cache_dir=tmp_path,
        calibration=Calibration(),
        adapter=adapter,
    )
    bare = Triage(triage_engine.encoder, triage_engine.model_name, examples, calibration=Calibration())
    queries = ["need a Tagalog speaker for the ward office", "歯医者", "煙が出ています"]
    skills = ["I speak Tagalog and English, can accompany to city hall"]
    np.testing.assert_array_equal(adapted.embed_queries(queries), bare.embed_queries(queries))
    np.testing.assert_array_equal(adapted.embed_passages(skills), bare.embed_passages(skills))
    np.testing.assert_array_equal(adapted.embed_queries(queries), triage_engine.embed_queries(queries))
    mine, theirs = adapted.embed_for_triage(queries), bare.embed_for_triage(queries)
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-4)
    assert float((mine * theirs).sum(axis=1).max()) < 0.999  # the triage sees the adapted encoder
    assert adapted.adapter == digest and f"lora {digest}" in adapted.version
    assert bare.adapter is None and "lora" not in bare.version
    (cache,) = tmp_path.glob("triage-examples-*.npz")
    assert f"-lora-{digest}-vi-" in cache.name  # adapter, then the Vietnamese counts (triage.vietnamese)
    # Staff corrections are embedded by the adapted encoder too.
    np.testing.assert_array_equal(adapted.example_vectors(queries[:1]), mine[:1])
    # An adapter trained for another model is not used.
    other = Triage(
        triage_engine.encoder,
        triage_engine.model_name,
        examples,
        calibration=Calibration(),
        adapter=Adapter(adapter.tensors, 8, 16.0, "another model", "x") if adapter else None,
    )
    assert other.adapter is None
