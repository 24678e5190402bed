"""triage.duplicates and the near-duplicate takeover in triage.heads (no model: small fakes)."""

import numpy as np

from triage.corpus import LabelledExample
from triage.duplicates import DUPLICATE_OVERLAP, is_near_duplicate, overlap
from triage.heads import URGENCIES, Heads
from triage.labels import SupportField, Urgency
from triage.train import matched_similar_cosine

BODY = "My residence card expires on Friday and I do not understand the letter from the bureau."


def test_a_re_sent_text_is_a_near_duplicate_whatever_the_name_phone_or_punctuation() -> None:
    assert overlap(BODY, BODY) == 1.0
    assert is_near_duplicate("Wang 080-9999-1111. " + BODY, "Li 090-4444-2323. " + BODY)
    assert is_near_duplicate(BODY, BODY.replace(".", "").upper())
    assert is_near_duplicate("電話は０９０−１２３４−５６７８です。" + BODY, "電話は080-9999-1111です " + BODY)


def test_two_stories_written_apart_are_not_near_duplicates() -> None:
    # Two paraphrases of one lost-child story in the examples (drafts/vi-latn.jsonl and hard/e.jsonl): the
    # closest pair of different situations among the nearest examples of every training example.
    a = "con e 5 tuoi choi o cong vien, e nghe dien thoai 1 phut quay lai ko thay dau"
    b = "con e 4 tuoi choi o cong vien e quay di nghe dien thoai xong ko thay chau dau tim 20 phut roi"
    assert 0.5 < overlap(a, b) < DUPLICATE_OVERLAP
    assert not is_near_duplicate("熱がある", "熱がない")
    assert overlap("help", "where is the ward office") == 0.0


def _heads(texts_and_labels: list[tuple[str, SupportField, Urgency]], vectors: np.ndarray) -> Heads:
    examples = [LabelledExample(t, f, u) for t, f, u in texts_and_labels]
    return Heads.train(examples, vectors.astype(np.float32))


def _scores(heads: Heads, vector: np.ndarray) -> np.ndarray:
    return np.asarray(vector[None, :].astype(np.float32) @ heads.projection + heads.bias)


def test_a_near_duplicate_takes_the_labels_but_never_talks_an_emergency_down() -> None:
    rng = np.random.default_rng(0)
    fields, urgencies = list(SupportField), list(Urgency)
    rows = [(f"unrelated example {i}", fields[i % 5], urgencies[i % 4]) for i in range(40)]
    vectors = rng.normal(size=(42, 32))
    # Two examples on one spot: an emergency, and a reviewed "he is breathing again" marked LOW.
    rows += [
        ("my husband collapsed and is not waking up", SupportField.MEDICAL, Urgency.EMERGENCY),
        ("Kim 080-1111-2222. my husband is breathing now, thank you", SupportField.WELFARE, Urgency.LOW),
    ]
    vectors[41] = vectors[40] + 0.01 * rng.normal(size=32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    heads = _heads(rows, vectors)
    scores = _scores(heads, vectors[40])
    alike = "Park 090-3333-4444. my husband is not breathing now, thank you"
    assert is_near_duplicate(alike, rows[41][0])
    p_field, p_urg, _, nearest = heads.probabilities(scores, [alike])
    q_field, q_urg, _, _ = heads.probabilities(scores, ["something else entirely"])
    assert {40, 41} <= set(nearest[0][:2].tolist())
    welfare = list(SupportField).index(SupportField.WELFARE)
    low, emergency = URGENCIES.index(Urgency.LOW), URGENCIES.index(Urgency.EMERGENCY)
    # The reviewed labels take over...
    assert p_field[0, welfare] > 0.8 > q_field[0, welfare]
    assert p_urg[0, low] > q_urg[0, low]
    # ...but the probability of EMERGENCY stays where the model and the vote put it.
    assert p_urg[0, emergency] >= q_urg[0, emergency] - 1e-12 and q_urg[0, emergency] > 0.2
    assert np.allclose(p_urg.sum(axis=1), 1.0) and np.allclose(p_field.sum(axis=1), 1.0)


def test_the_similar_cosine_of_the_bare_space_maps_to_itself_and_follows_a_stretch() -> None:
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(60, 16))
    vectors = np.repeat(centres, 5, axis=0) + 0.6 * rng.normal(size=(300, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    groups = [str(i // 3) for i in range(300)]
    folds = [i % 3 for i in range(300)]
    same = matched_similar_cosine(vectors, [vectors] * 3, folds, groups)
    assert abs(same - 0.9) < 0.02
    # A space that spreads every direction apart: the matched cosine comes down with it.
    spread = vectors + 0.5 * rng.normal(size=(300, 16))
    spread /= np.linalg.norm(spread, axis=1, keepdims=True)
    assert matched_similar_cosine(vectors, [spread] * 3, folds, groups) < same - 0.05
