"""triage.heads with small synthetic data (no model): the refit's memory and its arithmetic."""

import tracemalloc
from dataclasses import replace

import numpy as np

from triage.corpus import LabelledExample
from triage.heads import Design, Heads, HeadsConfig, fit_key
from triage.labels import SupportField, Urgency


def _heads(n: int, d: int = 64) -> Heads:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, d)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    fields, urgencies = list(SupportField), list(Urgency)
    examples = [
        LabelledExample(f"text {i}", fields[i % len(fields)], urgencies[i % len(urgencies)]) for i in range(n)
    ]
    return Heads.train(examples, vectors)


def test_the_design_standardises_as_numpy_does() -> None:
    x = np.random.default_rng(1).normal(2.0, 3.0, size=(500, 16)).astype(np.float32)
    design = Design.of(x)
    wide = x.astype(np.float64)
    np.testing.assert_allclose(design.mu, wide.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(design.sd, wide.std(axis=0) + 1e-6, rtol=1e-10)
    np.testing.assert_allclose(design.z[:, :16], (wide - design.mu) / design.sd, rtol=1e-10)
    assert np.all(design.z[:, 16] == 1.0)


def test_a_refit_holds_one_design_matrix_at_a_time() -> None:
    """The worker refits while it serves and its RSS is watched (issue 11's soak): a refit of
    both heads allocates one [n, d + 1] float64 matrix and small things besides, not copies of
    the vectors and products of their size (it took 2.4x more before)."""
    n, d = 6000, 64
    heads = _heads(n, d)
    tracemalloc.start()
    try:
        heads.fit_linear(iterations=3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    design_bytes = n * (d + 1) * 8
    assert peak < 1.5 * design_bytes, f"refit peak {peak / design_bytes:.2f}x the design matrix"


def test_given_linear_heads_are_the_fitted_ones() -> None:
    fitted = _heads(300)
    again = Heads.train(list(fitted.examples), fitted.vectors, linear=fitted.linear())
    assert np.array_equal(again.projection, fitted.projection) and np.array_equal(again.bias, fitted.bias)


def test_the_fit_key_follows_what_the_fit_depends_on() -> None:
    heads = _heads(50)
    examples, vectors = list(heads.examples), heads.vectors
    key = fit_key(examples, vectors, HeadsConfig())
    assert key == fit_key(examples, vectors.copy(), HeadsConfig())
    other = next(u for u in Urgency if u != examples[0].urgency)
    relabelled = [replace(examples[0], urgency=other), *examples[1:]]
    moved = vectors.copy()
    moved[3, 0] += 1e-6
    reweighted = [replace(examples[0], weight=2.0), *examples[1:]]
    others = {
        fit_key(relabelled, vectors, HeadsConfig()),
        fit_key(examples, moved, HeadsConfig()),
        fit_key(reweighted, vectors, HeadsConfig()),
        fit_key(examples, vectors, HeadsConfig(l2_field=0.2)),
        fit_key(examples[:-1], vectors[:-1], HeadsConfig()),
    }
    assert key not in others and len(others) == 5
