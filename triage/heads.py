"""Field and urgency probabilities from an embedding: linear heads and a nearest-example vote.

Two multinomial logistic regressions (numpy) trained on the embeddings of the labelled
examples, mixed with a soft vote of the nearest examples (the same matrix multiply gives the
cosine to every example). On 5-fold cross-validation over the examples this beat class
prototypes and a plain kNN vote by 8-10 points of field accuracy; the kNN share helps urgency
by ~1.5 points. A near-duplicate of a labelled text (the same request re-sent or slightly
edited, judged on the text by ``triage.duplicates`` among the nearest examples) takes its labels:
staff corrections act as a memory.

``Heads`` is immutable: learning builds a new one, so readers never lock. A new example joins
the nearest-example part at once (``extend``, a copy of the arrays); the linear heads are
refitted apart (``fit_linear``, warm-started from the previous ones), so a stream of staff
reviews does not cost a full training each.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from triage.corpus import LabelledExample
from triage.duplicates import DUPLICATE_OVERLAP, overlap
from triage.labels import SupportField, Urgency

FIELDS: tuple[SupportField, ...] = tuple(SupportField)
URGENCIES: tuple[Urgency, ...] = tuple(Urgency)
_EMERGENCY = URGENCIES.index(Urgency.EMERGENCY)

_TRAIN_ITERS = 300
# A refit that starts from the previous heads (``Heads.refit``): the examples changed by a few
# reviews since, so the previous optimum is close and far fewer steps get there.
WARM_ITERS = 60
KNN_K = 10
_KNN_TEMPERATURE = 0.02  # e5 cosines are compressed (unrelated texts ~0.8): a sharp softmax

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def single_threaded_blas() -> Callable[[], AbstractContextManager[Any]]:
    """A context that keeps numpy's BLAS on one thread.

    The matrices here are small, and a multi-threaded OpenBLAS spinning next to torch's
    threads on a small machine is slower than one thread: training took 9 s instead of 0.4 s
    on 2 cores.
    """
    try:  # installed with scikit-learn, a sentence-transformers dependency; untyped
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:  # without it only speed suffers
        return contextlib.nullcontext
    controller = threadpoolctl.ThreadpoolController()
    return lambda: controller.limit(limits=1, user_api="blas")


def _emergency_kept(before: F64, after: F64) -> F64:
    """``after`` with the probability of EMERGENCY at least ``before``'s, the other levels scaled
    to fill the rest. Recall first: text overlap also joins "he is breathing" to "he is not
    breathing", so a near-duplicate's labels may raise the urgency, never talk an emergency down.
    Rows where it was not lowered are ``after`` exactly (no rescaling rounding)."""
    lowered = after[:, _EMERGENCY] < before[:, _EMERGENCY]
    kept = after.copy()
    kept[:, _EMERGENCY] = 0.0
    kept *= ((1.0 - before[:, _EMERGENCY]) / np.maximum(kept.sum(axis=1), 1e-12))[:, None]
    kept[:, _EMERGENCY] = before[:, _EMERGENCY]
    return np.where(lowered[:, None], kept, after)


def _softmax(z: F64) -> F64:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    out: F64 = e / e.sum(axis=-1, keepdims=True)
    return out


@dataclass(frozen=True)
class Design:
    """Standardised features with a bias column, built once and shared by the field and urgency
    fits: a worker refits while it serves and its RSS is watched, so the [n, d + 1] matrix is the
    only temporary of a refit's size (no float64 copy of the vectors, no products of its size)."""

    z: F64  # [n, d + 1]: (x - mu) / sd, then a column of ones
    mu: F64
    sd: F64

    @classmethod
    def of(cls, x: F32 | F64) -> Design:
        n, d = x.shape
        mu = x.mean(axis=0, dtype=np.float64)
        z = np.empty((n, d + 1))
        np.subtract(x, mu, out=z[:, :d])
        sd = np.sqrt(np.einsum("ij,ij->j", z[:, :d], z[:, :d]) / n) + 1e-6  # x.std(axis=0)
        z[:, :d] /= sd
        z[:, d] = 1.0
        return cls(z=z, mu=mu, sd=sd)


_GRAM_ROWS = 1024  # rows per chunk of z.T @ (z * w): bounded temporaries


def _weighted_gram(z: F64, w: F64) -> F64:
    gram = np.zeros((z.shape[1], z.shape[1]))
    for start in range(0, len(z), _GRAM_ROWS):
        rows = z[start : start + _GRAM_ROWS]
        gram += rows.T @ (rows * w[start : start + _GRAM_ROWS])
    return gram


def fit_logistic(
    x: F32 | F64 | Design,
    y: I64,
    n_classes: int,
    l2: float,
    sample_weight: F64 | None = None,
    balanced: bool = False,
    start: tuple[F64, F64] | None = None,
    iterations: int = _TRAIN_ITERS,
) -> tuple[F64, F64]:
    """Multinomial logistic regression on standardised features; returns (W, b) for raw x.

    L2-regularised, fitted by accelerated gradient descent with a fixed step (1/Lipschitz)
    and a fixed number of iterations: deterministic, no random state. Classes keep the
    examples' prior unless ``balanced`` (closer to real traffic, where most requests are
    NORMAL, than a uniform prior; it also measured better). ``start``: (W, b) of an earlier
    fit for raw x to start from (a warm start) instead of zero. ``x`` may be a ``Design``
    already built from it (two heads on the same examples share one).
    """
    design = x if isinstance(x, Design) else Design.of(x)
    z, mu, sd = design.z, design.mu, design.sd
    n, d = z.shape[0], z.shape[1] - 1
    w = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64)
    if balanced:
        counts = np.bincount(y, minlength=n_classes).astype(np.float64)
        w = w * (n / (n_classes * np.maximum(counts, 1.0)))[y]
    w = (w / w.mean())[:, None]
    onehot = np.eye(n_classes)[y]
    reg = np.ones((d + 1, 1))
    reg[-1] = 0.0  # no penalty on the bias
    step = 1.0 / (0.5 * float(np.linalg.eigvalsh(_weighted_gram(z, w))[-1]) / n + l2)
    theta = np.zeros((d + 1, n_classes))
    if start is not None:  # the same scores in standardised coordinates
        theta[:-1] = start[0] * sd[:, None]
        theta[-1] = start[1] + mu @ start[0]
    v = theta.copy()
    t = 1.0
    for _ in range(iterations):
        grad = z.T @ ((_softmax(z @ v) - onehot) * w) / n + l2 * reg * v
        nxt = v - step * grad
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        v = nxt + ((t - 1) / t_next) * (nxt - theta)
        theta, t = nxt, t_next
    # Fold the standardisation into the weights: scores = x @ W + b.
    weights = theta[:-1] / sd[:, None]
    bias = theta[-1] - (mu / sd) @ theta[:-1]
    return weights, bias


@dataclass(frozen=True)
class HeadsConfig:
    """The heads' options, chosen by grouped cross-validation on the examples
    (``python -m triage.train --compare``); the dev and frozen sets are only for evaluation."""

    l2_field: float = 0.1
    l2_urgency: float = 0.03  # 0.1 until step 6 of issue 8 (docs/benchmarks.md)
    knn_share: float = 0.5  # weight of the nearest-examples vote against the linear model (was 0.3)


def _fit_both(
    examples: Sequence[LabelledExample],
    vectors: F32,
    fl: I64,
    ul: I64,
    config: HeadsConfig,
    start: tuple[F64, F64] | None = None,
    iterations: int = _TRAIN_ITERS,
) -> tuple[F32, F32]:
    """Both linear heads (field columns, then urgency columns) fitted on one shared design;
    ``start``: earlier weights and biases in that layout, for a warm start."""
    nf = len(FIELDS)
    sw = np.array([e.weight for e in examples], dtype=np.float64)
    design = Design.of(vectors)
    wf, bf = fit_logistic(
        design,
        fl,
        nf,
        config.l2_field,
        sw,
        start=None if start is None else (start[0][:, :nf], start[1][:nf]),
        iterations=iterations,
    )
    wu, bu = fit_logistic(
        design,
        ul,
        len(URGENCIES),
        config.l2_urgency,
        sw,
        start=None if start is None else (start[0][:, nf:], start[1][nf:]),
        iterations=iterations,
    )
    return np.hstack([wf, wu]).astype(np.float32), np.concatenate([bf, bu]).astype(np.float32)


# Part of every fit_key: bump it when the fit's arithmetic changes, so a stored fit is not reused.
FIT_VERSION = 1


def _described(example: LabelledExample) -> bool:
    """Named in signals by its topic: the project's own examples, each once (not its twin)."""
    return bool(example.topic) and not example.as_typed


def _reviewed(example: LabelledExample) -> bool:
    """Reported by id in ``similar_examples``: staff-reviewed examples, each once."""
    return example.source_id is not None and not example.as_typed


def fit_key(examples: Sequence[LabelledExample], vectors: F32, config: HeadsConfig) -> str:
    """What a full training's linear heads depend on: the vectors, labels and weights of the
    examples, the options and the fit itself. Equal keys, equal heads (the fit is deterministic)."""
    digest = hashlib.sha256(f"{FIT_VERSION}|{_TRAIN_ITERS}|{config}|".encode())
    digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    for e in examples:
        digest.update(f"{FIELDS.index(e.field)},{URGENCIES.index(e.urgency)},{e.weight!r};".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Heads:
    """Everything triage reads. add_examples replaces it whole, so readers never lock."""

    examples: tuple[LabelledExample, ...]
    vectors: F32  # [n, dim] unit vectors of the examples
    field_onehot: F64  # [n, n_fields]
    urgency_onehot: F64  # [n, n_urgencies]
    # The whole classification is one multiply: [dim, n_fields + n_urgencies + n_examples].
    projection: F32
    bias: F32
    described: I64  # indices of the examples with a curated topic (the project's own)
    reviewed: I64  # indices of the examples learned from staff reviews (with a source_id)

    config: HeadsConfig

    @classmethod
    def train(
        cls,
        examples: Sequence[LabelledExample],
        vectors: F32,
        config: HeadsConfig = HeadsConfig(),
        linear: tuple[F32, F32] | None = None,
    ) -> Heads:
        """Fit both linear heads on these examples, or take ``linear``: what ``linear()`` of a
        training on the same examples, vectors and config returned (``fit_key``), e.g. cached."""
        fl = np.array([FIELDS.index(e.field) for e in examples], dtype=np.int64)
        ul = np.array([URGENCIES.index(e.urgency) for e in examples], dtype=np.int64)
        if linear is None:
            linear = _fit_both(examples, vectors, fl, ul, config)
        return cls(
            examples=tuple(examples),
            vectors=vectors,
            field_onehot=np.eye(len(FIELDS))[fl],
            urgency_onehot=np.eye(len(URGENCIES))[ul],
            projection=np.hstack([linear[0], vectors.T]).astype(np.float32),
            bias=np.concatenate([linear[1], np.zeros(len(examples))]).astype(np.float32),
            described=np.array([i for i, e in enumerate(examples) if _described(e)], dtype=np.int64),
            reviewed=np.array([i for i, e in enumerate(examples) if _reviewed(e)], dtype=np.int64),
            config=config,
        )

    def extend(self, examples: Sequence[LabelledExample], vectors: F32) -> Heads:
        """These heads with more examples: the nearest-example vote and the near-duplicate
        takeover use them at once; the linear heads stay as they are until ``refit``."""
        if not examples:
            return self
        n = len(self.examples)
        fl = np.array([FIELDS.index(e.field) for e in examples], dtype=np.int64)
        ul = np.array([URGENCIES.index(e.urgency) for e in examples], dtype=np.int64)
        return Heads(
            examples=(*self.examples, *examples),
            vectors=np.vstack([self.vectors, vectors]).astype(np.float32, copy=False),
            field_onehot=np.vstack([self.field_onehot, np.eye(len(FIELDS))[fl]]),
            urgency_onehot=np.vstack([self.urgency_onehot, np.eye(len(URGENCIES))[ul]]),
            projection=np.hstack([self.projection, vectors.T.astype(np.float32)]),
            bias=np.concatenate([self.bias, np.zeros(len(examples), dtype=np.float32)]),
            described=np.concatenate(
                [self.described, [n + i for i, e in enumerate(examples) if _described(e)]]
            ).astype(np.int64),
            reviewed=np.concatenate(
                [self.reviewed, [n + i for i, e in enumerate(examples) if _reviewed(e)]]
            ).astype(np.int64),
            config=self.config,
        )

    def linear(self) -> tuple[F32, F32]:
        """The linear heads' weights and biases (field columns, then urgency columns)."""
        k = len(FIELDS) + len(URGENCIES)
        return self.projection[:, :k], self.bias[:k]

    def fit_linear(self, iterations: int = WARM_ITERS) -> tuple[F32, F32]:
        """The linear heads refitted on all of these examples, starting from the current ones."""
        weights, bias = (a.astype(np.float64) for a in self.linear())
        return _fit_both(
            self.examples,
            self.vectors,
            self.field_onehot.argmax(axis=1),
            self.urgency_onehot.argmax(axis=1),
            self.config,
            start=(weights, bias),
            iterations=iterations,
        )

    def with_linear(self, linear: tuple[F32, F32]) -> Heads:
        """These heads with other linear weights (from ``fit_linear`` on these examples or on
        the first ones of them); the examples stay."""
        k = len(FIELDS) + len(URGENCIES)
        return replace(
            self,
            projection=np.hstack([linear[0], self.projection[:, k:]]),
            bias=np.concatenate([linear[1], self.bias[k:]]),
        )

    def nearest_among(self, scores: F32, among: I64, k: int) -> tuple[F64, I64]:
        """For each row of scores: the cosines and example indices of the k nearest examples
        in ``among``, nearest first (ties by index)."""
        n = scores.shape[0]
        k = min(k, len(among))
        if k == 0:
            return np.zeros((n, 0)), np.zeros((n, 0), dtype=np.int64)
        sims = scores[:, len(FIELDS) + len(URGENCIES) + among].astype(np.float64)
        top = np.sort(np.argpartition(-sims, k - 1, axis=1)[:, :k], axis=1)
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        return np.take_along_axis(top_sims, order, axis=1), among[np.take_along_axis(top, order, axis=1)]

    def probabilities(self, scores: F32, texts: Sequence[str]) -> tuple[F64, F64, F64, I64]:
        """For each row of scores (the embedding of ``texts[row]``): p_field, p_urgency, cosines
        to the K nearest examples and their indices, nearest first."""
        nf, nu = len(FIELDS), len(URGENCIES)
        s = scores.astype(np.float64)
        sims = s[:, nf + nu :]
        k = min(KNN_K, sims.shape[1])
        # K nearest, by cosine then index (deterministic whatever argpartition returns).
        nearest = np.sort(np.argpartition(-sims, k - 1, axis=1)[:, :k], axis=1)
        near_sims = np.take_along_axis(sims, nearest, axis=1)
        order = np.argsort(-near_sims, axis=1, kind="stable")
        nearest = np.take_along_axis(nearest, order, axis=1)
        near_sims = np.take_along_axis(near_sims, order, axis=1)
        vote = np.exp((near_sims - near_sims[:, :1]) / _KNN_TEMPERATURE)
        vote /= vote.sum(axis=1, keepdims=True)
        share = self.config.knn_share
        p_field = (1 - share) * _softmax(s[:, :nf]) + share * np.einsum(
            "nk,nkc->nc", vote, self.field_onehot[nearest]
        )
        p_urg = (1 - share) * _softmax(s[:, nf : nf + nu]) + share * np.einsum(
            "nk,nkc->nc", vote, self.urgency_onehot[nearest]
        )
        # A near-duplicate among the nearest takes over: half at the threshold, all of it from
        # halfway to identical.
        best, source = self.duplicates(texts, nearest)
        mix = np.clip(0.5 + (best - DUPLICATE_OVERLAP) / (1 - DUPLICATE_OVERLAP), 0.0, 1.0)
        mix = np.where(best >= DUPLICATE_OVERLAP, mix, 0.0)[:, None]
        p_field = (1 - mix) * p_field + mix * self.field_onehot[source]
        taken = (1 - mix) * p_urg + mix * self.urgency_onehot[source]
        return p_field, _emergency_kept(p_urg, taken), near_sims, nearest

    def duplicates(self, texts: Sequence[str], candidates: I64) -> tuple[F64, I64]:
        """For each text, the highest text overlap (``triage.duplicates``) with its candidate
        examples and which example has it (the first, nearest, on a tie)."""
        n = len(texts)
        best, source = np.zeros(n), np.zeros(n, dtype=np.int64)
        for i, (text, row) in enumerate(zip(texts, candidates, strict=True)):
            scores = [overlap(text, self.examples[int(j)].text) for j in row]
            if scores:
                top = int(np.argmax(scores))
                best[i], source[i] = scores[top], row[top]
        return best, source
