"""Judgement on sets the brain never trained on: does each customer who needs a person reach one?

``python -m bench.judgement`` (part of ``make eval``) runs the brain over a split of labelled
single messages and short conversations and reports handoff recall per category and language,
routine messages sent to a person, routine topic top-1, off-topic handling and the
conversation rules:

- ``--split validation`` (the default while working): every threshold, pattern, weight and
  model choice is made on it (``faq_corpus/labelled/written/``, rows with ``"split": "validation"``,
  and the held-out half of ``escalation.jsonl``);
- ``--split sealed``: the sealed test (``faq_corpus/labelled/sealed/``), written before any
  tuning; refused when a file's SHA-256 differs from ``faq_corpus/labelled/SEALED.md``.
  Its misses are written only with ``--misses``, after the last change.
"""
