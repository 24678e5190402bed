"""Vietnamese typed without its marks, given its marks back before the encoder reads it.

Residents often type Vietnamese on a phone without a Vietnamese keyboard: "con toi bi sot cao"
for "con tôi bị sốt cao". The encoder's vocabulary knows the marked syllables; stripped of their
marks they are unrelated Latin fragments (grouped cross-validation, issue 8 step 19: field 0.51
and urgency 0.55 on such rows against 0.93 and 0.87 with the marks). ``MarkRestorer`` puts back
the most likely marked forms, by how often each form and each pair of neighbouring forms occur
in marked Vietnamese (a bigram model, Viterbi over the syllables). Only the encoder sees the
restored text: the resident's text is stored, shown, and scanned for cues as written.

The counts are data (``triage/words/vi_marks.json``), rebuilt by ``python -m triage.vietnamese``
from the examples' marked Vietnamese and a text written for it (``triage/words/vi_text.txt``: 625
residents' messages in marked Vietnamese, written on 2026-12-03 by an AI writer given no data file
to read; no line is a near copy of an example or of an evaluation text);
``tests/test_vietnamese.py`` checks the committed file matches. Cross-validation rebuilds them from
the training folds only (``restorer_for``), so a held-out row's marks never come from its own
paraphrases.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from triage.corpus import LabelledExample
from triage.language import LanguageGuess, detect_language
from triage.ngram import interpolated_log_p
from triage.wordlists import strip_latin_marks

WORDS = Path(__file__).resolve().parent / "words"
MARKS_FILE = WORDS / "vi_marks.json"
# Marked Vietnamese written for the counts only (residents' everyday messages), beside the
# examples' own marked rows.
TEXT_FILE = WORDS / "vi_text.txt"
# The weight of the pair's share against the form's own frequency. Chosen on the examples'
# marked Vietnamese, stripped and restored with counts from TEXT_FILE alone: 90.7% of syllables
# right at 0.5-0.8 (unigram alone: 80.6%; 0.99: 90.6%).
PAIR_WEIGHT = 0.8
_SYLLABLE = re.compile(r"[^\W\d_]+")
_ASCII_WORD = re.compile(r"[A-Za-z]+")


def _is_marked_latin(ch: str) -> bool:
    """A Latin letter beyond ASCII (Latin-1 Supplement to Latin Extended-B, Latin Extended
    Additional: where Vietnamese's marked letters are)."""
    return "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"


def _is_latin(word: str) -> bool:
    return all(c.isascii() or _is_marked_latin(c) for c in word)


def _recased(form: str, like: str) -> str:
    if len(like) > 1 and like.isupper():
        return form.upper()
    return form[:1].upper() + form[1:] if like[:1].isupper() else form


@dataclass(frozen=True)
class MarkRestorer:
    """Counts of marked syllables and of adjacent pairs of them, and the restoration they give."""

    syllables: dict[str, int]
    pairs: dict[str, int]  # "form form" -> count

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> MarkRestorer:
        """Counts from marked Vietnamese texts (Latin words only; Japanese words inside are skipped)."""
        syllables: Counter[str] = Counter()
        pairs: Counter[str] = Counter()
        for text in texts:
            words = [w for w in _SYLLABLE.findall(unicodedata.normalize("NFC", text).lower()) if _is_latin(w)]
            syllables.update(words)
            pairs.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        return cls(dict(sorted(syllables.items())), dict(sorted(pairs.items())))

    @classmethod
    def load(cls, path: Path = MARKS_FILE) -> MarkRestorer:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {str(k): int(v) for k, v in data["syllables"].items()},
            {str(k): int(v) for k, v in data["pairs"].items()},
        )

    def save(self, path: Path = MARKS_FILE) -> None:
        doc = {"syllables": self.syllables, "pairs": self.pairs}
        path.write_text(
            json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
        )

    @functools.cached_property
    def digest(self) -> str:
        """A short hash of the counts: what the encoder reads depends on them (caches key on it)."""
        doc = json.dumps([self.syllables, self.pairs], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(doc.encode("utf-8")).hexdigest()[:12]

    @functools.cached_property
    def _total(self) -> int:
        return max(1, sum(self.syllables.values()))

    @functools.cached_property
    def _forms(self) -> dict[str, list[str]]:
        """Unmarked syllable -> its marked forms, most frequent first."""
        by_bare: dict[str, Counter[str]] = {}
        for form, count in self.syllables.items():
            by_bare.setdefault(strip_latin_marks(form), Counter())[form] += count
        return {bare: [form for form, _ in c.most_common()] for bare, c in by_bare.items()}

    def unmarked_share(self, words: Sequence[str]) -> float:
        """The share of ``words`` (lower case, no marks) that are Vietnamese syllables this table
        knows: how Vietnamese a text typed without marks looks (``triage.language``, step 78)."""
        return sum(word in self._forms for word in words) / len(words) if words else 0.0

    def may_apply(self, text: str) -> bool:
        """The cheap half of ``applies``: Latin words and no marked Latin letter (then only the
        language decides)."""
        return _ASCII_WORD.search(text) is not None and not any(_is_marked_latin(c) for c in text)

    def applies(self, text: str, language: LanguageGuess | None = None) -> bool:
        """Whether ``text`` is Vietnamese typed without its marks: Latin words, no marked Latin
        letter, and detected as Vietnamese (``language``, when the caller has already detected
        it; else ``triage.language``)."""
        return self.may_apply(text) and (language or detect_language(text)).code == "vi"

    def restore(self, text: str) -> str:
        """``text`` with each known unmarked syllable replaced by its most likely marked form:
        the sequence of forms of highest probability under the pair model (Viterbi)."""
        matches = list(_ASCII_WORD.finditer(text))
        if not matches:
            return text
        options = [self._forms.get(m.group(0).lower(), [m.group(0).lower()]) for m in matches]
        # best[i][j]: (log probability of the best forms up to word i ending in form j, back pointer)
        best: list[list[tuple[float, int]]] = [[(self._log_p(None, form), -1) for form in options[0]]]
        for i in range(1, len(options)):
            best.append(
                [
                    max(
                        (best[i - 1][j][0] + self._log_p(prev, form), j)
                        for j, prev in enumerate(options[i - 1])
                    )
                    for form in options[i]
                ]
            )
        chosen = [max(range(len(best[-1])), key=lambda j: best[-1][j][0])]
        for i in range(len(options) - 1, 0, -1):
            chosen.append(best[i][chosen[-1]][1])
        chosen.reverse()
        out, last = [], 0
        for m, forms, j in zip(matches, options, chosen, strict=True):
            out += [text[last : m.start()], _recased(forms[j], m.group(0))]
            last = m.end()
        return "".join([*out, text[last:]])

    def _log_p(self, prev: str | None, form: str) -> float:
        """log P(form | previous form): the pair's share interpolated with the form's own
        frequency (a word never seen gets a small constant, the same for all its forms)."""
        seen_prev = self.syllables.get(prev, 0) if prev is not None else 0
        pair = self.pairs.get(f"{prev} {form}", 0)
        return interpolated_log_p(self.syllables.get(form, 0), self._total, seen_prev, pair, PAIR_WEIGHT)

    def encoder_text(self, text: str, language: LanguageGuess | None = None) -> str:
        """What the encoder reads for ``text``: restored when it is unmarked Vietnamese."""
        return self.restore(text) if self.applies(text, language) else text


@functools.cache
def default_restorer() -> MarkRestorer:
    """The committed counts (``MARKS_FILE``)."""
    return MarkRestorer.load()


def restorer_for(examples: Iterable[LabelledExample]) -> MarkRestorer:
    """Counts from ``TEXT_FILE`` and the marked Vietnamese (variant "vi") of ``examples``."""
    written = TEXT_FILE.read_text(encoding="utf-8").splitlines()
    return MarkRestorer.from_texts([*written, *(e.text for e in examples if e.variant == "vi")])


def main(argv: Sequence[str] | None = None) -> int:
    from triage.corpus import load_examples

    parser = argparse.ArgumentParser(
        prog="python -m triage.vietnamese", description="rebuild the syllable counts from the examples"
    )
    parser.add_argument("--out", type=Path, default=MARKS_FILE, help="default: %(default)s")
    args = parser.parse_args(argv)
    restorer = restorer_for(load_examples())
    restorer.save(args.out)
    print(f"wrote {args.out}: {len(restorer.syllables)} syllables, {len(restorer.pairs)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
