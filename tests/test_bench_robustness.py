"""`python -m bench robustness`: its data and the texts it builds (pure logic; the bench itself
runs the real model and is recorded in docs/benchmarks.md)."""

from bench.robustness import CANDIDATES, HelpQuestions, emergency_rows
from tests.test_examples import VARIANT_LANG

# The priority languages' writing variants (issue 8): every one needs its question.
PRIORITY_VARIANTS = {
    v for v, lang in VARIANT_LANG.items() if lang not in {"hi", "bn", "mn", "uz", "ru", "fr", "und"}
}


def test_every_priority_variant_has_a_question_and_nothing_else_does() -> None:
    questions = HelpQuestions.load()
    assert set(questions.question) == PRIORITY_VARIANTS
    assert all(q.strip() == q and q for q in questions.question.values())
    assert set(questions.join) - {"default"} <= PRIORITY_VARIANTS


def test_the_question_is_joined_by_the_script_s_spacing() -> None:
    questions = HelpQuestions.load()
    assert (
        questions.append("息子がけいれんしています。", "ja")
        == "息子がけいれんしています。どうしたらいいですか"
    )
    assert questions.append("chor pasyo ghar ma!!", "ne-latn") == "chor pasyo ghar ma!! k garne?"


def test_it_reads_only_the_emergencies_of_the_variants_asked() -> None:
    rows = emergency_rows([CANDIDATES / "batch-h"], {"ko"})
    assert rows and {r["variant"] for r in rows} == {"ko"}
    assert all(r["source"] == "ha.jsonl" for r in rows)


def test_it_leaves_the_held_back_batches_unopened() -> None:
    # y25 is kept unread for the founders' decision (bench.calls.HELD_BACK).
    rows = emergency_rows([CANDIDATES / "batch-y"], {"en", "ja", "ko", "pt", "tl", "id", "th"})
    assert rows and not [r for r in rows if r["source"].startswith("y25")]
    assert [r for r in rows if r["source"].startswith("y24")]
