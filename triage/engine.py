"""The triage engine: a resident's free-text request in, language, field, urgency and why out.

``Triage.load(data_dir)`` then ``triage(text)`` / ``triage_many(texts)``; staff corrections join
at run time with ``add_examples`` (no reload). Each concern has its module:

* ``triage.encoder``: the text's embedding (multilingual-e5-small, "query: " prefix), one
  forward pass; example embeddings are cached on disk. With the committed LoRA adapter
  (``triage.adapter``, trained by ``python -m triage.train --finetune``) the triage embeds with
  a twin of the encoder whose attention weights have the adapter merged in; ``embed_queries`` /
  ``embed_passages`` (matching, volunteers' stored vectors) keep the bare encoder;
* ``triage.corpus``: the labelled examples (``triage/examples/``, staff reviews);
* ``triage.heads``: field and urgency probabilities from the embedding, one matrix multiply
  against linear heads and every example;
* ``triage.calibration``: the maps that make those probabilities calibrated (fitted offline by
  ``python -m triage.train``, data in ``triage/calibration.json``);
* ``triage.emergency``: the emergency cues; ``triage.language``: the language;
* ``triage.vietnamese``: Vietnamese typed without its marks gets them back before the encoder
  reads it (only the encoder: cues, duplicates and what people see use the text as written);
  ``triage.romanised``: Japanese, Korean, Russian, Mongolian and Chinese (``triage.pinyin``) typed
  in Latin letters, the same way, and the words of Thai, Burmese, Sinhala and Japanese its tables
  know;
* ``triage.decision``: the rules that turn all of that into a ``TriageResult`` and its signals.

This module only wires them together, in threads: ``triage``/``triage_many``/``embed_*`` and
``add_examples`` may run concurrently.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from triage.adapter import ADAPTER_FILE, Adapter, load_adapter
from triage.calibration import Calibration
from triage.corpus import LabelledExample, as_examples, load_examples
from triage.decision import (
    DESCRIBED_COUNT,
    SIMILAR_COUNT,
    Decisions,
    TriageResult,
    decide,
    neighbour_signal,
    similar_reviewed,
)
from triage.emergency import CueScan, scan_emergency_cues
from triage.encoder import Encoder, Precision, VectorCache, save_npz, slug
from triage.heads import Heads, HeadsConfig, fit_key, single_threaded_blas
from triage.language import LanguageGuess, detect_language
from triage.model import embedding_model_name, load_encoder
from triage.romanised import LEARNED_AS_TYPED, NativeScript, default_native_script
from triage.timing import time_markers
from triage.tone import tone_markers
from triage.vietnamese import MarkRestorer, default_restorer

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "MAX_TEXT_CHARS",
    "TRIAGE_VERSION",
    "LabelledExample",
    "TextLengthError",
    "Triage",
    "TriageResult",
    "check_text",
    "load_examples",
]

log = logging.getLogger(__name__)

# Reported with every result: 1.3 = calibrated probabilities, 1.4 = cue floor, 1.5 = step-14 cue
# guards, 1.6 = unmarked Vietnamese read with its marks (step 20), 1.7 = emoji no advert markers,
# advert words, examples written with emoji and jokes with danger words (steps 24-27), 1.8 = more
# jokes with danger words, and "not a joke" no joke marker (steps 28-29), 1.9 = its list widened
# (step 31), 1.10 = cues for every kind in romanised Nepali, Bengali, Mongolian, Uzbek, Russian and
# French (steps 32-33), 1.11 = training rows in the less-covered variants, the adapter retrained
# (step 34), 1.12 = a light-tone marker no longer silences a sure emergency (step 35), 1.13 =
# gas cues for smells and fumes without the word for gas, in every language (steps 36 and 38),
# 1.14 = heavy bleeding told by what is seen, in every language (step 39), 1.15 = sure cues for
# emergencies told calmly (stroke, allergy, choking, a goodbye), which the cue floor does not doubt (step 40),
# 1.16 = more sure cues, whose two signs may be told in different sentences (step 41), 1.17 =
# those cues in pt, fr, tl and id too (step 42), 1.18 = word lists for languages typed in Latin
# letters and for Uzbek in Cyrillic (step 43; only the language, and the Vietnamese restoration
# it decides, change), 1.19 = training rows of emergencies told calmly and of a calm inbox that is
# not one, the adapter retrained, the threshold chosen for recall at precision >= 0.80 with no
# ceiling (steps 45-48), 1.20 = the advert words in hiragana too, as easy Japanese writes them
# (step 50; no row of any blind batch changed), 1.21 = training rows of medical emergencies of
# more kinds told calmly (bleeding in pregnancy, chest pain, a dried-out baby, ...), the adapter
# retrained (step 53), 1.22 = the cues' "not now" contexts in every language (a negation after the
# word or over a verb of perceiving, past words, a friend's old story, "found, fine now", "if I
# ever ..."; step 54; the calibration is unchanged), 1.23 = step 54's words of the contexts tried
# before "now" (story, after-care, resolved, hypothetical) taken back: they outranked a present
# danger in the same sentence (docs/benchmarks.md, "Step 54 narrowed"), 1.24 = the language's word
# lists for languages typed in Latin letters, measured on step 56's rows (step 57), and Japanese,
# Russian and Mongolian typed in Latin letters read by the encoder in their own script (step 58;
# the adapter and the calibration are 1.23's), 1.25 = "I thought it was a joke" no longer marks a
# light tone: it hid a goodbye message from frozen set 9 (a fix made after its read; no example's
# markers change, so the calibration stays), 1.26 = Korean typed in Latin letters read in Hangul
# (step 59; no example touched), 1.27 = Chinese typed in pinyin read in characters (step 61; no
# example touched), 1.28 = Korean typed in Latin letters composed as it is spelt where the syllables
# the examples' Korean uses most say so (step 62; no example touched), 1.29 = Thai, Burmese and
# Sinhala typed in Latin letters read with the words their tables know in the script (step 67;
# 18 Sinhala examples typed in Latin letters read anew, the adapter and calibration kept), 1.30 =
# a text typed in Latin letters most of whose words one of those word tables knows is named that
# table's language (step 68; no example's language changes), 1.31 = Japanese typed in romaji read
# with the words its word table knows in kanji and katakana, the rest in hiragana as before, and
# named Japanese by that table as step 68 names the others (step 69; no example touched), 1.32 =
# "does not answer the phone" alone is no longer a Mongolian missing person (step 71; no example's
# cues change), 1.33 = Nepali typed in Latin letters read with the words its word table knows in
# Devanagari and named Nepali by that table (step 72's table), the examples it reads anew learned
# both as read and as typed (step 73; the adapter and the calibration are 1.23's), 1.34 = Burmese
# typed in Latin letters read with a fuller word table (step 67's merged with a second blind
# author's, 3,658 keys; step 75), any example it reads anew learned both ways as in step 73, 1.35 =
# Vietnamese typed without marks named by its syllables where the vote named another language
# (step 78; the encoder then reads it with its marks restored), 1.36 = step 77's `missing` cues for a
# child taken away now by someone the parents did not send, judged on the oblique telling (step 81).
TRIAGE_VERSION = "1.36"
# The example-vector cache is named by this, not TRIAGE_VERSION: only a change to how texts are
# embedded (triage.encoder) or to what the encoder reads that no data digest covers invalidates it
# (1.3: step 78 names more texts Vietnamese, which are then read with their marks restored).
ENCODER_VERSION = "1.3"
MAX_TEXT_CHARS = 4000

F32 = npt.NDArray[np.float32]
# What the text alone says, found beside the encoder: cues, language, tone markers, time words.
TextFacts = tuple[CueScan, LanguageGuess, tuple[bool, bool], tuple[bool, ...]]


class TextLengthError(ValueError):
    """The text is empty or longer than MAX_TEXT_CHARS characters."""


def check_text(text: str) -> None:
    """Raise TextLengthError unless 1 <= len(text) <= MAX_TEXT_CHARS."""
    if not 1 <= len(text) <= MAX_TEXT_CHARS:
        raise TextLengthError(f"text must have 1..{MAX_TEXT_CHARS} characters, not {len(text)}")


class _FitCache:
    """The linear heads of the last full training at start-up, on disk beside the example vectors:
    fitting them takes seconds on a small machine, and a restart with the same examples (the same
    ``fit_key``) would fit the same weights. One file, replaced whole."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / "triage-heads.npz"

    def load(self, key: str) -> tuple[F32, F32] | None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["key"]) != key:
                    return None
                return np.asarray(data["weights"], np.float32), np.asarray(data["bias"], np.float32)
        except (OSError, KeyError, ValueError):
            return None  # missing or damaged: fit again

    def save(self, key: str, linear: tuple[F32, F32]) -> None:
        try:
            save_npz(self.path, key=np.array(key), weights=linear[0], bias=linear[1])
        except OSError as error:  # a read-only cache only costs the next start a fit
            log.warning("triage heads not cached: %s", error)


class Triage:
    """The triage engine. Build it with ``Triage.load``.

    ``triage``/``triage_many``/``embed_*`` and ``add_examples`` may run in different threads.
    """

    model_name: str  # the embedding model, stored next to every vector it makes
    version: str  # embedding model + triage version, reported as TriageResult.model

    def __init__(
        self,
        encoder: Encoder,
        model_name: str,
        examples: Sequence[LabelledExample],
        *,
        cache_dir: Path | None = None,
        find_cues: Callable[[str], CueScan] = scan_emergency_cues,
        calibration: Calibration | None = None,
        adapter: Adapter | None = None,
        restorer: MarkRestorer | None = None,
        native: NativeScript | None = None,
    ) -> None:
        if not examples:
            raise ValueError("no labelled examples to train the triage on")
        self.model_name = model_name
        self._encoder = encoder  # matching's space: never adapted
        self._restorer = restorer or default_restorer()
        self._native = native or default_native_script()
        self._triage_encoder = self._encoder
        self.adapter: str | None = None  # digest of the adapter in use
        if adapter is not None and adapter.model != model_name:
            log.warning("adapter for %s, not %s: triage uses the bare encoder", adapter.model, model_name)
        elif adapter is not None:
            self._triage_encoder = self.adapted_encoder(adapter)
            self.adapter = adapter.digest
        lora = f" + lora {self.adapter}" if self.adapter else ""
        self.version = f"{model_name} [{self._encoder.precision}]{lora} + otonari-triage {TRIAGE_VERSION}"
        self._find_cues = find_cues
        self.calibration = calibration or Calibration.load()
        fitted_for = self.calibration.evidence.get("adapter") if self.calibration.evidence else None
        if calibration is None and fitted_for != self.adapter:
            log.warning("calibration fitted for adapter %s, triage uses %s", fitted_for, self.adapter)
        find_cues("fire")  # compile the cue data now, not during the first request
        tone_markers("")  # and the word lists
        time_markers("")
        self._train_lock = threading.Lock()  # guards _state, _generation, _unfitted
        self._refit_lock = threading.Lock()  # one refit_heads at a time
        self._generation = 0  # bumped by a full training: a refit started before it is dropped
        self._unfitted = 0  # examples added since the linear heads were last fitted
        self._one_blas_thread = single_threaded_blas()
        self._cache: VectorCache | None = None
        if cache_dir is not None:
            # The vectors depend on the model, its precision, this encoder's code (version), the
            # adapter, the Vietnamese syllable counts and the script tables (what the encoder reads).
            lora = f"-lora-{self.adapter}" if self.adapter else ""
            marks = f"-vi-{self._restorer.digest}-rs-{self._native.digest}"
            marks += f"-typed-{'-'.join(sorted(LEARNED_AS_TYPED))}" if LEARNED_AS_TYPED else ""
            name = f"triage-examples-{slug(model_name)}-{self.precision}-v{ENCODER_VERSION}{lora}{marks}.npz"
            self._cache = VectorCache(cache_dir / name)
        self._cache_lock = threading.Lock()
        self._known = self._cache.load() if self._cache else {}  # text key -> vector
        examples, vectors = self._learned(examples)
        fits = _FitCache(cache_dir) if cache_dir is not None else None
        key = fit_key(examples, vectors, HeadsConfig())
        cached = fits.load(key) if fits else None
        with self._one_blas_thread():
            self._state = Heads.train(examples, vectors, linear=cached)
        if fits and cached is None:
            fits.save(key, self._state.linear())

    @classmethod
    def load(
        cls,
        data_dir: Path,
        model: str | None = None,
        extra_examples: Iterable[LabelledExample | Sequence[Any]] = (),
        *,
        precision: Precision = "auto",
        examples: Sequence[LabelledExample] | None = None,
        calibration: Calibration | None = None,
        adapter_file: Path | None = ADAPTER_FILE,
    ) -> Triage:
        """Load the embedding model (``triage.model.load_encoder``) and train on the examples.

        ``extra_examples``: more labelled texts, e.g. staff corrections kept in the database,
        as LabelledExample or (text, field, urgency[, source_id]); like ``add_examples``.
        ``examples`` replaces the bundled ones; ``calibration`` the fitted one
        (``triage/calibration.json``); ``adapter_file`` the committed LoRA adapter (None, or a
        missing file: the bare encoder).
        """
        import torch

        started = time.perf_counter()
        # Intra-op threads = the CPUs this process may use; more only adds contention.
        torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
        rows = list(load_examples() if examples is None else examples)
        rows += as_examples(list(extra_examples))
        engine = cls(
            load_encoder(data_dir, model, precision),
            embedding_model_name(model),
            rows,
            cache_dir=data_dir / "cache",
            calibration=calibration,
            adapter=load_adapter(adapter_file),
        )
        log.info(
            "triage ready in %.1f s: %d examples, %s",
            time.perf_counter() - started,
            len(rows),
            engine.version,
        )
        return engine

    def _learned(self, examples: Sequence[LabelledExample]) -> tuple[list[LabelledExample], F32]:
        """The examples as the heads learn them, with their vectors: each as read, and, after
        them, a twin as typed of each that a reader of ``LEARNED_AS_TYPED`` reads anew (step 73)."""
        texts = [e.text for e in examples]
        vectors = self.example_vectors(texts)
        with self._cache_lock:
            # A text has a twin exactly when it was embedded with one (same cache: same tables).
            keys = [VectorCache.key(t, as_typed=True) for t in texts]
            typed = {i: self._known[k] for i, k in enumerate(keys) if k in self._known}
        if not typed:
            return list(examples), vectors
        twins = [dataclasses.replace(examples[i], as_typed=True) for i in typed]
        return [*examples, *twins], np.vstack([vectors, np.stack(list(typed.values()))])

    def example_vectors(self, texts: Sequence[str]) -> F32:
        """Vectors of labelled texts as the triage reads them: from the cache when known, else
        embedded (with their twins as typed, ``_embed_examples``) and cached."""
        keys = [VectorCache.key(t) for t in texts]
        with self._cache_lock:
            missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._known}
        if missing:
            fresh = self._embed_examples(list(missing.values()))
            with self._cache_lock:
                self._known.update(fresh)
                snapshot = dict(self._known)
            if self._cache:
                try:
                    self._cache.save(snapshot)
                except OSError as exc:  # a read-only data dir only costs time at the next load
                    log.warning("cannot write the example cache %s: %s", self._cache.path, exc)
        with self._cache_lock:
            return np.stack([self._known[k] for k in keys]).astype(np.float32)

    def _embed_examples(self, texts: Sequence[str]) -> dict[str, F32]:
        """Cache entries for new labelled texts: each as read, and as typed where a reader of
        ``LEARNED_AS_TYPED`` reads it anew."""
        languages = [detect_language(t) if self._language_matters(t) else None for t in texts]
        read = [self._read(t, lang) for t, lang in zip(texts, languages, strict=True)]
        typed = [
            t
            for t, lang, r in zip(texts, languages, read, strict=True)
            if r != t and lang is not None and lang.code in LEARNED_AS_TYPED
        ]
        vectors = self._triage_encoder.encode([*read, *typed], self._encoder.query_prompt)
        entries = {VectorCache.key(t): v for t, v in zip(texts, vectors[: len(texts)], strict=True)}
        entries |= {
            VectorCache.key(t, as_typed=True): v for t, v in zip(typed, vectors[len(texts) :], strict=True)
        }
        return entries

    # ------------------------------------------------------------------ embeddings

    def embed_queries(self, texts: Sequence[str]) -> F32:
        """[n, dim] unit vectors of texts as e5 queries ("query: "), e.g. requests."""
        return self._encoder.encode(list(texts), self._encoder.query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> F32:
        """[n, dim] unit vectors of texts as e5 passages ("passage: "), e.g. volunteers' skills."""
        return self._encoder.encode(list(texts), self._encoder.passage_prompt)

    def embed_for_triage(self, texts: Sequence[str]) -> F32:
        """[n, dim] unit vectors of texts as the triage sees them (``encoder_text``):
        ``embed_queries`` through the adapted encoder when there is an adapter."""
        return self._embed_for_triage(texts, [None] * len(texts))

    def _embed_for_triage(self, texts: Sequence[str], languages: Sequence[LanguageGuess | None]) -> F32:
        read = [self._read(t, lang) for t, lang in zip(texts, languages, strict=True)]
        return self._triage_encoder.encode(read, self._encoder.query_prompt)

    def encoder_text(self, text: str) -> str:
        """What the triage's encoder reads for ``text``: unmarked Vietnamese with its marks back,
        Japanese, Korean, Russian, Mongolian and Chinese typed in Latin letters in their own script,
        and Thai, Burmese, Sinhala, Nepali and Japanese with the words their tables know in it."""
        return self._read(text, None)

    def _read(self, text: str, language: LanguageGuess | None) -> str:
        # At most one applies: the restoration to Vietnamese, the script tables to ja, ko, ru, mn,
        # zh (pinyin), th, my, si and ne (word tables).
        # Both are decided by the language: detected here once when the caller has not.
        if language is None and self._language_matters(text):
            language = detect_language(text)
        return self._native.encoder_text(self._restorer.encoder_text(text, language), language)

    def _language_matters(self, text: str) -> bool:
        """Whether what the encoder reads for ``text`` may depend on its language: the cheap
        tests of the restoration (Latin words, no marked Latin letter) and of the script tables
        (Latin letters only)."""
        return self._restorer.may_apply(text) or self._native.may_apply(text)

    def adapted_encoder(self, adapter: Adapter) -> Encoder:
        """The bare encoder with ``adapter`` merged into a twin (shared embeddings); this
        engine's encoders are unchanged."""
        return self._encoder.adapted(adapter.deltas())

    @property
    def encoder(self) -> Encoder:
        """The bare encoder (matching's space), to build another engine on the same model."""
        return self._encoder

    @property
    def embedder(self) -> SentenceTransformer:
        """The float32 sentence-transformers model, loaded on first use (fine-tuning, benches)."""
        return self._encoder.embedder

    @property
    def query_prompt(self) -> str:
        return self._encoder.query_prompt

    @property
    def precision(self) -> str:
        return self._encoder.precision

    # ------------------------------------------------------------------ triage

    def triage(self, text: str) -> TriageResult:
        return self.triage_many([text])[0]

    def triage_many(self, texts: Sequence[str]) -> list[TriageResult]:
        """Triage texts, embedded in batches. Raises TextLengthError before doing any work."""
        texts = list(texts)
        for t in texts:
            check_text(t)
        if not texts:
            return []
        # Each language is detected once. The encoder needs it first where the text may be
        # unmarked Vietnamese or typed in Latin letters (to read it restored, or in its script);
        # the text facts, which run beside the encoder (torch releases the GIL in its kernels),
        # detect the rest.
        languages = [detect_language(t) if self._language_matters(t) else None for t in texts]
        with ThreadPoolExecutor(max_workers=1) as pool:
            text_facts = pool.submit(self._text_facts, texts, languages)
            vectors = self._embed_for_triage(texts, languages)
            facts = text_facts.result()
        return self._classify(texts, vectors, facts)

    def triage_embedded(self, texts: Sequence[str], vectors: F32) -> list[TriageResult]:
        """Triage texts whose embeddings (``embed_for_triage``) are already known: for evaluation,
        which triages every example under several folds of training data."""
        texts = list(texts)
        for t in texts:
            check_text(t)
        return self._classify(texts, vectors, self._text_facts(texts)) if texts else []

    def _text_facts(
        self, texts: Sequence[str], languages: Sequence[LanguageGuess | None] | None = None
    ) -> list[TextFacts]:
        """Cues, language (detected here where ``languages`` has none), tone and time words."""
        known = languages or [None] * len(texts)
        return [
            (self._find_cues(t), language or detect_language(t), tone_markers(t), time_markers(t))
            for t, language in zip(texts, known, strict=True)
        ]

    def _classify(self, texts: Sequence[str], vectors: F32, facts: Sequence[TextFacts]) -> list[TriageResult]:
        state = self._state  # one consistent snapshot even if add_examples swaps it meanwhile
        with self._one_blas_thread():
            scores = vectors @ state.projection + state.bias
            p_field, p_urg, _, _ = state.probabilities(scores, texts)
            decisions = Decisions.make(
                p_field,
                p_urg,
                [f[0] for f in facts],
                [f[2] for f in facts],
                [f[3] for f in facts],
                self.calibration,
            )
            # Signals describe the nearest curated examples only: a pure function of the text and
            # the project's data, whatever residents' reviewed texts the engine has learned.
            described = state.nearest_among(scores, state.described, DESCRIBED_COUNT)
            similar = state.nearest_among(scores, state.reviewed, SIMILAR_COUNT)
        return [
            decide(
                decisions,
                i,
                cues=cues,
                language=language,
                neighbour_signal=neighbour_signal(state.examples, described[1][i], described[0][i]),
                similar_examples=similar_reviewed(
                    state.examples, similar[1][i], similar[0][i], texts[i], self.calibration.similar_cosine
                ),
                model=self.version,
                unsure_below=self.calibration.unsure_below,
            )
            for i, (cues, language, _, _) in enumerate(facts)
        ]

    # ------------------------------------------------------------------ learning

    def add_examples(
        self, examples: Iterable[LabelledExample | Sequence[Any]], *, refit: bool = True
    ) -> None:
        """Learn labelled texts at run time, e.g. staff corrections (text, field, urgency) or
        (text, field, urgency, source_id); with a source id they are reported, by id only, in
        ``similar_examples``. Their text never appears in signals.

        Only new texts are embedded. They join the nearest-example vote and the near-duplicate
        takeover at once. With ``refit`` both linear heads are also retrained from scratch (~0.5-4 s);
        without it they stay until ``refit_heads`` (what the worker does: one cheap, warm-started
        refit for many reviews). Either way the new state is swapped in at once: a triage in
        another thread sees the old state or the new one.
        """
        given = as_examples(list(examples))
        if not given:
            return
        new, vectors = self._learned(given)
        with self._train_lock, self._one_blas_thread():
            old = self._state
            if refit:
                self._state = Heads.train([*old.examples, *new], np.vstack([old.vectors, vectors]))
                self._generation += 1
                self._unfitted = 0
            else:
                self._state = old.extend(new, vectors)
                self._unfitted += len(given)

    def refit_heads(self) -> int:
        """Refit the linear heads on every example learned so far, warm-started from the current
        ones (``Heads.fit_linear``): returns how many examples joined them (0: nothing to do).

        Runs without holding up ``triage`` or ``add_examples``: examples added meanwhile keep
        their nearest-example part and wait for the next refit; a removal meanwhile (a full
        training without the erased examples) makes this refit's result be dropped.
        """
        with self._refit_lock:
            with self._train_lock:
                state, generation, pending = self._state, self._generation, self._unfitted
            if not pending:
                return 0
            with self._one_blas_thread():
                linear = state.fit_linear()
            with self._train_lock:
                if self._generation != generation:
                    return 0
                self._state = self._state.with_linear(linear)
                self._unfitted -= pending
            return pending

    @property
    def unfitted_count(self) -> int:
        """Examples learned since the linear heads were last fitted (``refit_heads``)."""
        return self._unfitted

    def remove_examples(self, source_ids: Collection[int]) -> None:
        """Forget examples learned with these source ids (a resident's erasure): both models are
        retrained without them, and their vectors leave the cache, in memory and on disk."""
        wanted = set(source_ids)
        with self._train_lock, self._one_blas_thread():
            old = self._state
            keep = [i for i, e in enumerate(old.examples) if e.source_id not in wanted]
            if len(keep) == len(old.examples):
                return
            gone = {
                VectorCache.key(e.text, as_typed=t)
                for e in old.examples
                if e.source_id in wanted
                for t in (False, True)
            }
            gone -= {VectorCache.key(old.examples[i].text, as_typed=t) for i in keep for t in (False, True)}
            self._state = Heads.train([old.examples[i] for i in keep], old.vectors[keep])
            self._generation += 1
            self._unfitted = 0
        with self._cache_lock:
            for key in gone:
                self._known.pop(key, None)
            snapshot = dict(self._known)
        if self._cache and gone:
            try:
                self._cache.save(snapshot)
            except OSError as exc:
                log.warning("cannot write the example cache %s: %s", self._cache.path, exc)

    @property
    def example_count(self) -> int:
        """Examples learned, each once (a twin as typed is not another example)."""
        return sum(not e.as_typed for e in self._state.examples)

    def with_examples(self, examples: Sequence[LabelledExample], vectors: F32 | None = None) -> Triage:
        """An engine sharing this one's model, trained on ``examples`` instead (for evaluation:
        cross-validation trains one per fold without loading the model again); ``vectors``:
        their embeddings when not this engine's (a per-fold adapter's: then no twin as typed is
        learned, having no vector of that adapter)."""
        if vectors is None:
            examples, vectors = self._learned(examples)
        twin = copy.copy(self)
        twin._train_lock = threading.Lock()
        twin._refit_lock = threading.Lock()
        twin._unfitted = 0
        with self._one_blas_thread():
            twin._state = Heads.train(list(examples), vectors)
        return twin

    def fork(self) -> Triage:
        """An engine sharing this one's model and current examples, learning on its own."""
        twin = copy.copy(self)
        twin._train_lock = threading.Lock()
        twin._refit_lock = threading.Lock()
        return twin
