"""The texts matching embeds, and helpers to embed them with any sentence-transformers model.

Both sides must use the same model (multilingual-e5-small) with its asymmetric prefixes:
requests are queries ("query: "), volunteers' skills are passages ("passage: ").  The
prefixes are passed as the encoder's prompt, so the texts below do not contain them.
Embed a volunteer when they register or change their skills, store the vector, and never
re-embed the pool per request.
"""

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from matching.profiles import EMBEDDING_DIM, unit_vector
from triage.labels import SupportField

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

# Appended to the request text so that the field the triage (or staff) chose steers the
# query towards the right kind of helper, e.g. a short "fever" text towards clinics.
# English keywords: e5 is multilingual, and volunteers' skills mix English with other languages.
FIELD_CONTEXT: Mapping[SupportField, str] = MappingProxyType(
    {
        SupportField.MEDICAL: "medical help: hospital, clinic, doctor, medicine",
        SupportField.WELFARE: "welfare: city hall benefits, pension, insurance, tax",
        SupportField.CHILDCARE_EDUCATION: "childcare and education: nursery, school",
        SupportField.LIFELINE: "daily life: housing, utilities, garbage, bank, phone",
        SupportField.OTHER: "other: visa, legal, work",
    }
)


def request_text(text: str, field: SupportField | str) -> str:
    """What a request is embedded as (without the 'query: ' prefix)."""
    return f"{text.strip()}\n({FIELD_CONTEXT[SupportField(field)]})"


def volunteer_text(skills: str) -> str:
    """What a volunteer is embedded as (without the 'passage: ' prefix): their skills text."""
    return skills.strip()


class Encoder(Protocol):
    """The part of sentence_transformers.SentenceTransformer that matching uses."""

    def encode(
        self,
        sentences: list[str],
        /,
        *,
        prompt: str | None = ...,
        batch_size: int = ...,
        convert_to_numpy: bool = ...,
        normalize_embeddings: bool = ...,
    ) -> Any: ...


def _encode(encoder: Encoder, texts: list[str], prompt: str) -> NDArray[np.float32]:
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    raw = encoder.encode(
        texts, prompt=prompt, normalize_embeddings=True, convert_to_numpy=True, batch_size=32
    )
    arr = np.asarray(raw, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] != len(texts):
        raise ValueError(f"encoder returned shape {arr.shape} for {len(texts)} texts")
    return np.stack([unit_vector(row, arr.shape[1]) for row in arr])


def embed_requests(
    encoder: Encoder, requests: Sequence[tuple[str, SupportField | str]]
) -> NDArray[np.float32]:
    """[len(requests), dim] query vectors for (text, field) pairs."""
    return _encode(encoder, [request_text(t, f) for t, f in requests], QUERY_PROMPT)


def embed_volunteers(encoder: Encoder, skills: Sequence[str]) -> NDArray[np.float32]:
    """[len(skills), dim] passage vectors, to store with each volunteer."""
    return _encode(encoder, [volunteer_text(s) for s in skills], PASSAGE_PROMPT)
