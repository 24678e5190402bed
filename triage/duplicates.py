"""Whether a request is another one re-sent or slightly edited: by its text, not its embedding.

Staff corrections act as a memory: a near-duplicate of a labelled text takes its labels
(``triage.heads``) and staff get a link to the reviewed request it repeats
(``triage.decision.similar_reviewed``). "The same text with another name, phone number, a typo or
a line added" is a property of the characters, so it is measured on them: the Jaccard overlap of
character trigrams, after folding case, width, digits and punctuation. A cosine threshold would
belong to one embedding space: the LoRA adapter (``triage.adapter``) spreads re-sent texts from
~0.97 to ~0.90 while the bare encoder's threshold was 0.985, so the memory silently stopped
working when the encoder changed.

The embedding still chooses the candidates: only the nearest examples are compared by text. On
the training examples an edited copy was among the 10 nearest examples in all of 1,600 edits
(name and phone number changed, two typos, punctuation dropped, a sentence added) in both spaces
(``python -m bench duplicates``; docs/benchmarks.md, triage step 9).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# From this overlap a text is a near-duplicate. Among the 10 nearest examples of another
# situation (another paraphrase group) of every training example, the highest overlap is 0.66
# (two paraphrases of one lost-child story written apart); an edited copy's median is ~0.82.
DUPLICATE_OVERLAP = 0.7
_N = 3  # characters per shingle: short enough for scripts without spaces (Japanese, Thai)
_DIGITS = re.compile(r"\d")
_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=16384)  # the same examples are candidates again and again
def shingles(text: str) -> frozenset[str]:
    """The character trigrams of ``text`` after folding: NFKC, case, every digit to 0 (another
    phone number is the same text), punctuation and runs of spaces to one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = " ".join(_NOT_WORD.sub(" ", _DIGITS.sub("0", folded)).split())
    if len(folded) <= _N:
        return frozenset([folded])
    return frozenset(folded[i : i + _N] for i in range(len(folded) - _N + 1))


def overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two texts' trigrams: 1 for the same text, ~0 for unrelated ones."""
    sa, sb = shingles(a), shingles(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 1.0


def is_near_duplicate(a: str, b: str) -> bool:
    return overlap(a, b) >= DUPLICATE_OVERLAP
