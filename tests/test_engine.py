"""The triage engine with the real model: dev-set accuracy, determinism, learning, limits."""

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from bench.triage import DEFAULT_DATA, evaluate, load_rows
from bench.triage_metrics import Estimate, estimate_all
from triage.engine import (
    MAX_TEXT_CHARS,
    TRIAGE_VERSION,
    LabelledExample,
    TextLengthError,
    Triage,
    load_examples,
)
from triage.heads import F32, WARM_ITERS, Heads
from triage.labels import SupportField, Urgency

DEV = DEFAULT_DATA


@pytest.fixture(scope="module")
def dev_scores(triage_engine: Triage) -> dict[str, float]:
    if not DEV.exists():
        pytest.skip(f"dev set not found at {DEV}")
    estimates: dict[str, Estimate] = estimate_all(evaluate(triage_engine, load_rows(DEV)), resamples=1)
    return {name: e.value for name, e in estimates.items()}


def test_field_accuracy(dev_scores: dict[str, float]) -> None:
    assert dev_scores["field accuracy"] >= 0.88


def test_urgency_accuracy(dev_scores: dict[str, float]) -> None:
    assert dev_scores["urgency accuracy"] >= 0.75


def test_every_emergency_is_caught_without_crying_wolf(dev_scores: dict[str, float]) -> None:
    assert dev_scores["EMERGENCY recall"] == 1.0
    assert dev_scores["EMERGENCY precision"] >= 0.70


def test_language_accuracy(dev_scores: dict[str, float]) -> None:
    assert dev_scores["language accuracy"] >= 0.97


def test_examples_are_well_formed() -> None:
    examples = load_examples()
    assert len(examples) >= 300
    assert {e.field for e in examples} == set(SupportField)
    assert {e.urgency for e in examples} == set(Urgency)
    assert len({e.lang for e in examples}) >= 12


def test_result_shape(triage_engine: Triage) -> None:
    r = triage_engine.triage(
        "Ｈｅｌｌｏ？ My daughter has had a fever since last night, which clinic is open today?"
    )
    assert r.field is SupportField.MEDICAL
    assert r.language == "en"
    assert [f for f, _ in r.field_scores] and {f for f, _ in r.field_scores} == set(SupportField)
    scores = [s for _, s in r.field_scores]
    assert scores == sorted(scores, reverse=True) and abs(sum(scores) - 1.0) < 1e-6
    assert r.field_scores[0][0] is r.field
    assert 0.0 <= r.confidence <= 1.0 and 0.0 <= r.urgency_score <= 1.0
    assert any(s.startswith("close to examples of: ") for s in r.signals)
    assert r.similar_examples == ()  # nothing learned from reviews yet
    assert TRIAGE_VERSION in r.model and triage_engine.model_name in r.model
    assert r.to_json()["field"] == "MEDICAL"


def test_emergency_cues_escalate_and_are_named(triage_engine: Triage) -> None:
    r = triage_engine.triage("There is a strong gas smell in my kitchen and my son feels dizzy")
    assert r.urgency is Urgency.EMERGENCY
    assert r.urgency_score > 0.8
    assert any(s.startswith("mentions: ") for s in r.signals)


def test_a_cue_in_a_not_now_context_is_a_signal_not_a_forced_emergency(triage_engine: Triage) -> None:
    r = triage_engine.triage("My son had a seizure last year, what should we tell the new school?")
    assert "mentions (past): seizure" in r.signals
    assert not any(s.startswith("mentions: ") for s in r.signals)


def test_deterministic(triage_engine: Triage) -> None:
    texts = [
        "Ang 住民税 letter po, hindi ko maintindihan",
        "ほいくえん の もうしこみ を てつだって ください",
        "Preciso trocar o contrato de internet, alguém fala português?",
    ]
    first = triage_engine.triage_many(texts)
    assert triage_engine.triage_many(texts) == first
    assert [triage_engine.triage(t) for t in texts] == [triage_engine.triage(t) for t in texts]
    single = [triage_engine.triage(t) for t in texts]
    assert [(r.field, r.urgency) for r in single] == [(r.field, r.urgency) for r in first]


def test_add_examples_changes_a_near_duplicate(triage_engine: Triage) -> None:
    engine = triage_engine.fork()  # the session engine must not learn this
    text = "Could someone explain how the recycling collection works in my building?"
    before = engine.triage(text)
    field = SupportField.OTHER if before.field is not SupportField.OTHER else SupportField.WELFARE
    urgency = Urgency.HIGH if before.urgency is not Urgency.HIGH else Urgency.LOW
    engine.add_examples([(text, field, urgency)])
    after = engine.triage("Could someone explain how the recycling collection works in my building ?")
    assert (after.field, after.urgency) == (field, urgency)
    assert engine.example_count == triage_engine.example_count + 1
    assert triage_engine.triage(text) == before  # the original is untouched


def test_romanised_nepali_is_learned_as_read_and_as_typed(triage_engine: Triage) -> None:
    """Step 73: an example the Nepali word table reads anew is learned twice, in Devanagari and as
    typed, yet counted, reported and erased as one."""
    engine = triage_engine.fork()
    text = "mero chhora lai raati dekhi jwaro aayo, byouin kahile jane hola"
    assert engine.encoder_text(text) != text  # the table reads it in Devanagari
    engine.add_examples([(text, SupportField.MEDICAL, Urgency.HIGH, 987_654)])
    assert engine.example_count == triage_engine.example_count + 1
    read, typed = engine._state.examples[-2:]  # the example, then its twin
    assert (read.as_typed, typed.as_typed) == (False, True) and read.text == typed.text == text
    as_read, as_typed = engine._state.vectors[-2:]
    assert np.allclose(as_read, engine.embed_for_triage([text])[0], atol=1e-5)
    assert np.allclose(as_typed, engine._triage_encoder.encode([text], engine.query_prompt)[0], atol=1e-5)
    assert not np.allclose(as_read, as_typed, atol=1e-2)
    assert [sid for sid, _ in engine.triage(text).similar_examples].count(987_654) == 1
    engine.remove_examples([987_654])
    assert engine.example_count == triage_engine.example_count
    assert not any(e.source_id == 987_654 for e in engine._state.examples)


def test_add_examples_from_another_thread(triage_engine: Triage) -> None:
    engine = triage_engine.fork()
    errors: list[BaseException] = []

    def learn() -> None:
        try:
            for i in range(3):
                engine.add_examples([(f"test request number {i} about garbage day", "LIFELINE", "LOW")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=learn)
    worker.start()
    for _ in range(5):
        assert engine.triage("where do I put out plastic bottles?").field is SupportField.LIFELINE
    worker.join()
    assert not errors
    assert engine.example_count == triage_engine.example_count + 3


def test_length_limits(triage_engine: Triage) -> None:
    with pytest.raises(TextLengthError):
        triage_engine.triage("")
    with pytest.raises(ValueError, match="4000"):
        triage_engine.triage("a" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(TextLengthError):  # checked before any work is done
        triage_engine.triage_many(["fine", "x" * (MAX_TEXT_CHARS + 1)])
    longest = ("My landlord says I must leave the apartment by Friday. " * 80)[:MAX_TEXT_CHARS]
    assert len(longest) == MAX_TEXT_CHARS
    assert triage_engine.triage(longest).field in SupportField
    assert triage_engine.triage_many([]) == []


def test_embeddings_for_matching(triage_engine: Triage) -> None:
    q = triage_engine.embed_queries(["need a Tagalog speaker for the ward office", "歯医者"])
    p = triage_engine.embed_passages(["I speak Tagalog and English, can accompany to city hall"])
    assert q.shape == (2, 384) and p.shape == (1, 384) and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-4)
    # Alone or padded in a batch: the same vector up to rounding.
    assert float(np.dot(triage_engine.embed_queries(["歯医者"])[0], q[1])) > 0.9999
    # The engine's encoder (bfloat16 where available) stays within rounding of the float32 model.
    reference = triage_engine.embedder.encode(
        ["need a Tagalog speaker for the ward office"], prompt_name="query"
    )
    assert float(np.dot(q[0], reference[0])) > 0.999
    assert triage_engine.embed_passages([]).shape == (0, 384)


def test_example_cache_is_written(triage_engine: Triage, data_dir: Path) -> None:
    assert list((data_dir / "cache").glob(f"triage-examples-*-{triage_engine.precision}-v*.npz"))


def test_a_staff_example_joins_at_once_and_the_heads_follow_in_one_refit(triage_engine: Triage) -> None:
    """What the worker does (service.pipeline.ExampleSync): add without refitting, the
    near-duplicate takes the staff's labels at once; one warm refit later takes all of them in."""
    engine = triage_engine.fork()
    text = "Could someone explain how the recycling collection works in my building?"
    before = engine.triage(text)
    field = SupportField.OTHER if before.field is not SupportField.OTHER else SupportField.WELFARE
    urgency = Urgency.HIGH if before.urgency is not Urgency.HIGH else Urgency.LOW
    engine.add_examples([(text, field, urgency, 77)], refit=False)
    engine.add_examples([("test request about the garbage day calendar", "LIFELINE", "LOW", 78)], refit=False)
    near = "Could someone explain how the recycling collection works in my building ?"
    after = engine.triage(near)
    assert (after.field, after.urgency) == (field, urgency)
    assert after.similar_examples[0][0] == 77
    assert engine.unfitted_count == 2 and engine.example_count == triage_engine.example_count + 2
    assert engine.refit_heads() == 2
    assert engine.refit_heads() == 0 and engine.unfitted_count == 0
    assert (engine.triage(near).field, engine.triage(near).urgency) == (field, urgency)
    assert triage_engine.triage(text) == before  # the original is untouched


def test_a_refit_started_before_an_erasure_is_dropped(
    triage_engine: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = triage_engine.fork()
    engine.add_examples(
        [("please help me read this letter from the ward office", "WELFARE", "LOW", 91)], refit=False
    )
    fitting, release = threading.Event(), threading.Event()
    fit_linear = Heads.fit_linear

    def slow_fit(self: Heads, iterations: int = WARM_ITERS) -> tuple[F32, F32]:
        fitting.set()
        release.wait(60)
        return fit_linear(self, iterations)

    monkeypatch.setattr(Heads, "fit_linear", slow_fit)
    refitted: list[int] = []
    refit = threading.Thread(target=lambda: refitted.append(engine.refit_heads()))
    refit.start()
    assert fitting.wait(60)
    engine.remove_examples({91})  # a full training without the example, while the refit runs
    release.set()
    refit.join(60)
    assert refitted == [0]  # its heads, fitted with the erased example, were not installed
    assert engine.example_count == triage_engine.example_count and engine.unfitted_count == 0
    state = engine._state
    assert np.array_equal(state.projection, triage_engine._state.projection)


def test_a_warm_refit_agrees_with_a_full_training(triage_engine: Triage) -> None:
    """300 reviews' worth of examples learned without refitting, then one warm refit
    (WARM_ITERS steps from the previous heads): the linear heads decide as a full training
    from scratch does, and closer to it than without the refit. Training examples only."""
    examples = load_examples()
    vectors = triage_engine.example_vectors([e.text for e in examples])
    order = np.random.default_rng(0).permutation(len(examples))
    new, old = order[:300], np.sort(order[300:])
    grown = Heads.train([examples[i] for i in old], vectors[old]).extend(
        [examples[i] for i in new], vectors[new]
    )
    full = Heads.train(list(grown.examples), grown.vectors)
    warm = grown.with_linear(grown.fit_linear())

    def decisions(heads: Heads) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        weights, bias = heads.linear()
        scores = grown.vectors @ weights + bias
        nf = len(SupportField)
        return scores[:, :nf].argmax(axis=1), scores[:, nf:].argmax(axis=1)

    (full_f, full_u), (warm_f, warm_u), (stale_f, stale_u) = (
        decisions(full),
        decisions(warm),
        decisions(grown),
    )
    assert np.mean(warm_f == full_f) >= 0.995 and np.mean(warm_u == full_u) >= 0.995
    assert np.sum(warm_f != full_f) + np.sum(warm_u != full_u) < np.sum(stale_f != full_f) + np.sum(
        stale_u != full_u
    )


def test_a_restart_takes_the_linear_heads_from_the_cache(
    triage_engine: Triage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up stores the full training's linear heads beside the example vectors; a start with
    the same examples uses them instead of fitting again (seconds on this machine), and a start
    with other examples fits."""
    from triage import heads

    examples = load_examples()[:60]

    def start(rows: list[LabelledExample]) -> Triage:
        return Triage(
            triage_engine.encoder,
            triage_engine.model_name,
            rows,
            cache_dir=tmp_path,
            calibration=triage_engine.calibration,
        )

    first = start(examples)
    assert (tmp_path / "triage-heads.npz").exists()
    fitted = heads.fit_logistic

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("fitted again")

    monkeypatch.setattr(heads, "fit_logistic", refuse)
    again = start(examples)
    assert np.array_equal(again._state.projection, first._state.projection)
    with pytest.raises(AssertionError, match="fitted again"):
        start(examples[:-1])
    monkeypatch.setattr(heads, "fit_logistic", fitted)
    assert start(examples[:-1])._state.projection.shape[1] == first._state.projection.shape[1] - 1
