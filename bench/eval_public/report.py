"""The Markdown report (bench/results/public.md) rendered from the JSON report."""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.eval_public.constants import LATENCY_QUERIES, TARGETS

CITATIONS = """\
- **BANKING77** — Casanueva, Temčinas, Gerz, Henderson, Vulić. 2020. *Efficient Intent Detection with Dual Sentence
  Encoders.* NLP4ConvAI @ ACL 2020, pp. 38–45, arXiv:2003.04807. Data: https://github.com/PolyAI-LDN/task-specific-datasets
  (commit 57ec275). Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).
- **CLINC150** (data_full) — Larson, Mahendran, Peper, Clarke, Lee, Hill, Kummerfeld, Leach, Laurenzano, Tang,
  Mars. 2019. *An Evaluation Dataset for Intent Classification and Out-of-Scope Prediction.* EMNLP-IJCNLP 2019,
  https://www.aclweb.org/anthology/D19-1131. Data: https://github.com/clinc/oos-eval (commit 828f809).
  Licence: CC BY 3.0 Unported (https://creativecommons.org/licenses/by/3.0/).

The data are not redistributed here; they were read from a local copy of the files above."""

ANCHORS = """\
Published anchors (from the datasets README): BANKING77 full data — BERT fine-tuned 93.66, USE+ConveRT 93.36
(Casanueva et al. 2020, Table 3). CLINC150 full — BERT 96.9 in-scope / 40.3 oos recall (oos-train) and
96.2 / 52.3 (oos-threshold) (Larson et al. 2019, Table 2).

Reference baselines measured earlier on the same files (datasets README), for checking the 1-NN rows: BANKING77
1-NN on full train — minilm 92.05, e5 90.10, use 88.57; CLINC150 in-scope 1-NN, no oos — 88.02, 88.89, 88.73."""


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def latency_cell(result: dict[str, Any], key: str) -> str:
    lat = result["latency_ms"][key]
    return f"{lat['median']:.2f} / {lat['p99']:.2f}"


def choice_cell(result: dict[str, Any]) -> str:
    if "weight_b" in result:
        return f"C={result['C_a']:g}, {result['C_b']:g}; w_tfidf={result['weight_b']:g}"
    return f"C={result['C']:g}" if "C" in result else "–"


def banking_table(results: dict[str, Any]) -> list[str]:
    target = TARGETS["banking77"]
    rows = ["| method | held-out acc | **test acc** | target | meets | choice (held-out) | LR train s |",
            "|---|---|---|---|---|---|---|"]
    for method, r in results.items():
        meets = "yes" if r["accuracy"] >= target else "no"
        rows.append(f"| {method} | {fmt(r['dev_accuracy'])} | **{fmt(r['accuracy'])}** | ≥ {target} | {meets} "
                    f"| {choice_cell(r)} | {fmt(r.get('train_seconds'), 1)} |")
    return rows


def clinc_table(results: dict[str, Any]) -> list[str]:
    t_in, t_oos = TARGETS["clinc150_in_scope"], TARGETS["clinc150_oos_recall"]
    rows = ["| method | val acc (oos as class) | threshold | in-scope acc, no oos | **in-scope acc @thr** "
            "| **oos recall** | oos precision | target | meets | choice (val) | LR train s |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for method, r in results.items():
        meets = "yes" if r["in_scope_accuracy"] >= t_in and r["oos_recall"] >= t_oos else "no"
        rows.append(f"| {method} | {fmt(r['val_accuracy_with_oos'])} | {fmt(r['threshold'], 4)} "
                    f"| {fmt(r['in_scope_accuracy_no_oos'])} | **{fmt(r['in_scope_accuracy'])}** "
                    f"| **{fmt(r['oos_recall'])}** | {fmt(r['oos_precision'])} | ≥ {t_in} & ≥ {t_oos} "
                    f"| {meets} | {choice_cell(r)} | {fmt(r.get('train_seconds'), 1)} |")
    return rows


def oos_table(results: dict[str, Any], chosen: str) -> list[str]:
    t_in, t_oos = TARGETS["clinc150_in_scope"], TARGETS["clinc150_oos_recall"]
    rows = ["| method (intent: LR argmax; oos: score below threshold) | **val oos recall @budget** "
            "| val in-scope acc @thr | w (val) | **test in-scope acc @thr** | **test oos recall** | oos precision "
            "| meets | ms excl. / incl. embedding |",
            "|---|---|---|---|---|---|---|---|---|"]
    for method, r in results.items():
        meets = "yes" if r["in_scope_accuracy"] >= t_in and r["oos_recall"] >= t_oos else "no"
        name = f"**{method}** (chosen)" if method == chosen else method
        lat = r["latency_ms"]
        rows.append(f"| {name} | **{fmt(r['val_oos_recall'], 1)}** | {fmt(r['val_in_scope_accuracy'])} "
                    f"| {fmt(r['weight_b'], 1)} | **{fmt(r['in_scope_accuracy'])}** | **{fmt(r['oos_recall'])}** "
                    f"| {fmt(r['oos_precision'])} | {meets} | {lat['embedding_excluded']['median']:.2f} / "
                    f"{lat['embedding_included']['median']:.2f} |")
    return rows


def oos_section(report: dict[str, Any]) -> list[str]:
    if not report.get("clinc150_oos"):
        return []
    m, chosen = report["meta"], report["best"]["clinc150_oos"]["chosen_on_val"]
    budget = 100 * m["oos_budget"]
    return [
        f"## CLINC150 out-of-scope scores at a {budget:g} % in-scope rejection budget", "",
        "Each row keeps the light layer's intent (LR argmax, C as in its `X/LR` row) and changes only the "
        "out-of-scope score: `max prob` (as above), `energy` (log Σ exp logits; Liu et al. 2020), "
        f"`{m['oos_k']}th-NN cosine` (cosine to the {m['oos_k']}th nearest training utterance; Sun et al. 2022), "
        "`Mahalanobis` (minus the distance to the nearest class mean, one shared covariance shrunk "
        f"{m['mahalanobis_shrinkage']:g} towards the identity; Podolskiy et al. 2021), and `max prob + X`: "
        "(1 − w)·z(max prob) + w·z(X), each z-scored on the in-scope val items. "
        f"Threshold rule (val only): the highest threshold that rejects at most {budget:g} % of the in-scope val "
        "items — a stated price in in-scope answers instead of Larson's accuracy over 3,000 in-scope and 100 oos "
        "items; an in-scope accuracy floor on val would not carry over, val being ~1 point easier than test. w is "
        "the one catching the most oos_val at that budget; the method chosen is the row with the highest val oos "
        "recall (ties: higher val in-scope accuracy, then the earlier row). Val oos recall counts 100 items, "
        "so it moves in steps of 1 point and is noisy. Test is scored once per row.", "",
        f"Chosen on val: `{chosen}`.", "",
        *oos_table(report["clinc150_oos"], chosen), "",
    ]


def latency_table(report: dict[str, Any]) -> list[str]:
    rows = ["| method | BANKING77 excl. embedding | BANKING77 incl. embedding | CLINC150 excl. | CLINC150 incl. |",
            "|---|---|---|---|---|"]
    for method, b in report["banking77"].items():
        c = report["clinc150"][method]
        rows.append(f"| {method} | {latency_cell(b, 'embedding_excluded')} | {latency_cell(b, 'embedding_included')} "
                    f"| {latency_cell(c, 'embedding_excluded')} | {latency_cell(c, 'embedding_included')} |")
    return rows


def embedder_table(stats: dict[str, Any]) -> list[str]:
    rows = ["| embedder | sentences/s (batches of 64) | encode one query, median / p99 ms |", "|---|---|---|"]
    for name, s in stats.items():
        one = s["encode_one_ms"]
        rows.append(f"| {name} | {s['sentences_per_s']:.1f} | {one['median']:.2f} / {one['p99']:.2f} |")
    return rows


def intro(report: dict[str, Any]) -> list[str]:
    m = report["meta"]
    combo = "+".join(m["embedders"])
    return [
        "# Public intent benchmarks: BANKING77 and CLINC150", "",
        f"Finished {m['finished']} on {m['machine']}, Python {m['python']}; run time {m['run_seconds'] / 60:.1f} min "
        f"with {m['embedding_files_cached_at_start']} embedding files already cached (a cold cache adds the "
        "encoding of ~37,000 sentences per embedder at the throughputs below); command: `python -m bench.eval_public`."
        f" Load average at start / end: {m['load_average_start'][0]} / {m['load_average_end'][0]} "
        "(the machine was shared, so timings are noisy).", "",
        "Retrieval-based intent classification on **frozen** sentence embeddings. **Nothing was fine-tuned**: "
        "no encoder weight was changed. Methods:", "",
        "- `X/1-NN`, `X/10-NN`: nearest training utterance(s), cosine, FAISS `IndexFlatIP`; 10-NN is a majority "
        "vote (ties: larger summed cosine). OOS confidence: the max cosine.",
        f"- `X/LR` — **the light layer**: multinomial logistic regression (scikit-learn, lbfgs) trained on this "
        f"machine on embedder X's frozen vectors; C from {m['c_grid']}. OOS confidence: the max class probability.",
        f"- `{combo}/LR`: the same light layer on the concatenation of the embedders' L2-normalised vectors.",
        f"- `tfidf/LR`: logistic regression on word 1–2-gram + character 2–5-gram TF-IDF, C from {m['tfidf_c_grid']}.",
        f"- `{combo}/LR + tfidf/LR`: (1 − w)·p_concat + w·p_tfidf, w ∈ {{0, 0.1, …, 1}}.", "",
        "Every choice (C, w, oos threshold) was made on held-out data, never on test. BANKING77 has no validation "
        "split: 10 % of train is held out (stratified, seed 0); choices are fit on the other 90 %, the final model "
        "on all of train. CLINC150: models are fit on the 15,000 in-scope train utterances (oos_train is unused); "
        "C and w are chosen on the in-scope val items; the oos threshold by the Larson et al. rule — the value "
        "with the highest accuracy on val + oos_val over all intents, oos counted as its own class. In-scope test "
        "items rejected as oos count as errors in \"in-scope acc @thr\".", "",
    ]


def oos_line(report: dict[str, Any]) -> list[str]:
    if "clinc150_oos" not in report["best"]:
        return []
    name = report["best"]["clinc150_oos"]["chosen_on_val"]
    c = report["clinc150_oos"][name]
    met = ("met" if c["in_scope_accuracy"] >= TARGETS["clinc150_in_scope"]
           and c["oos_recall"] >= TARGETS["clinc150_oos_recall"] else "not met")
    return [f"- CLINC150 out-of-scope scoring (threshold: at most {100 * report['meta']['oos_budget']:g} % of in-scope "
            f"val rejected): `{name}` — in-scope **{c['in_scope_accuracy']:.2f}**, oos recall "
            f"**{c['oos_recall']:.2f}**, oos precision {fmt(c['oos_precision'])} (val oos recall "
            f"{c['val_oos_recall']:.1f}; target ≥ {TARGETS['clinc150_in_scope']} & ≥ "
            f"{TARGETS['clinc150_oos_recall']}: {met})."]


def best_lines(report: dict[str, Any]) -> list[str]:
    best = report["best"]
    b_name, c_name = best["banking77"]["chosen_on_dev"], best["clinc150"]["chosen_on_val"]
    b, c = report["banking77"][b_name], report["clinc150"][c_name]
    b_met = "met" if b["accuracy"] >= TARGETS["banking77"] else "not met"
    c_met = ("met" if c["in_scope_accuracy"] >= TARGETS["clinc150_in_scope"]
             and c["oos_recall"] >= TARGETS["clinc150_oos_recall"] else "not met")
    return [
        "## Best method per dataset (chosen on held-out data)", "",
        f"- BANKING77: `{b_name}` — test accuracy **{b['accuracy']:.2f}** (target ≥ {TARGETS['banking77']}: "
        f"{b_met}). Best on test, for reference: `{best['banking77']['best_on_test']}`.",
        f"- CLINC150: `{c_name}` — in-scope **{c['in_scope_accuracy']:.2f}**, oos recall **{c['oos_recall']:.2f}**, "
        f"oos precision {fmt(c['oos_precision'])} (target ≥ {TARGETS['clinc150_in_scope']} & ≥ "
        f"{TARGETS['clinc150_oos_recall']}: {c_met}). Best on test (accuracy with oos): "
        f"`{best['clinc150']['best_on_test']}`.", *oos_line(report), "",
    ]


def markdown(report: dict[str, Any]) -> str:
    lines = intro(report) + best_lines(report)
    lines += ["## BANKING77 (test: 3,080 utterances, 77 intents; top-1 accuracy, %)", ""]
    lines += [*banking_table(report["banking77"]), ""]
    lines += ["## CLINC150 data_full (test: 4,500 in-scope + 1,000 oos; %)", ""]
    lines += [*clinc_table(report["clinc150"]), ""]
    lines += oos_section(report)
    lines += ["## Per-query latency, ms (median / p99, single query, one thread)", "",
              "\"Excl.\" classifies a cached vector (TF-IDF vectorisation is part of the classifier); \"incl.\" "
              f"embeds the query first (every embedder, for concatenations). {LATENCY_QUERIES} queries incl., "
              "1,000 excl., from test.", ""]
    lines += [*latency_table(report), ""]
    lines += ["## Embedders", "", "Throughput: 640 BANKING77 test sentences, backend's default threads "
              "(e5 and use: 1 thread as configured in bot/brain/embeddings.py; minilm: torch default).", ""]
    lines += [*embedder_table(report["embedders"]), ""]
    lines += ["## Anchors", "", ANCHORS, "", "## Datasets, licences and citations", "", CITATIONS, ""]
    return "\n".join(lines)
