"""Measure the brain on data it never trained on: the FAQ dev set, and the escalation set (validation).

    python -m bench.eval_brain [--index var/index]   (part of `make eval`)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench import report_files
from bench.report_files import RESULTS
from bot.brain.brain import Brain, load_brain
from bot.brain.embeddings import load_embedder
from bot.brain.escalation import ESCALATION_HOLDOUT
from bot.brain.sentiment import is_holdout, load_labelled
from bot.core.jsonl import read_jsonl
from bot.core.settings import embedder_name, index_dir

DEV = Path("faq_corpus/dev/faq_dev.jsonl")
ESCALATION = Path("faq_corpus/labelled/escalation.jsonl")
SENTIMENT = Path("faq_corpus/labelled/sentiment.jsonl")


def dev_metrics(brain: Brain) -> dict[str, Any]:
    rows, latencies, out = read_jsonl(DEV), [], {}
    decisions = []
    for row in rows:
        brain.reader.clear()  # time every query from scratch
        started = time.perf_counter()
        decisions.append(brain.decide(row["text"]))
        latencies.append((time.perf_counter() - started) * 1000)
    for lang in ("pl", "en"):
        pairs = [(r, d) for r, d in zip(rows, decisions, strict=True) if r["lang"] == lang]
        top1 = [d.evidence[0]["faq_id"] == r["faq_id"] for r, d in pairs]
        answered = [(r, d) for r, d in pairs if d.decision == "answer"]
        out[lang] = {
            "questions": len(pairs),
            "top1_accuracy": round(100 * float(np.mean(top1)), 1),
            "answer_rate": round(100 * len(answered) / len(pairs), 1),
            "answered_correctly": round(100 * float(np.mean([d.faq_id == r["faq_id"] for r, d in answered])), 1)
            if answered else None,
            "clarify_rate": round(100 * sum(d.decision == "clarify" for _, d in pairs) / len(pairs), 1),
            "handoff_rate": round(100 * sum(d.decision == "handoff" for _, d in pairs) / len(pairs), 1),
            "handoff_reasons": dict(Counter(x for _, d in pairs if d.decision == "handoff" for x in d.reasons)),
        }
    latencies.sort()
    out["latency_ms"] = {"median": round(statistics.median(latencies), 1),
                         "p99": round(latencies[int(0.99 * (len(latencies) - 1))], 1)}
    return out


def escalation_metrics(brain: Brain) -> dict[str, Any]:
    rows = [r for r in read_jsonl(ESCALATION) if is_holdout(r["text"], ESCALATION_HOLDOUT)]
    decided = [(r, brain.decide(r["text"])) for r in rows]
    expected = np.array([r["expected"] == "handoff" for r, _ in decided])
    got = np.array([d.decision == "handoff" for _, d in decided])
    tp = int((expected & got).sum())
    per_reason = {}
    for reason in sorted({r["reason"] for r in rows}):
        sel = [d.decision for r, d in decided if r["reason"] == reason]
        per_reason[reason] = dict(Counter(sel))
    routine = [d for r, d in decided if r["reason"] == "routine"]
    return {
        "messages": len(rows),
        "handoff_precision": round(100 * tp / max(int(got.sum()), 1), 1),
        "handoff_recall": round(100 * tp / max(int(expected.sum()), 1), 1),
        "routine_sent_to_human": round(100 * sum(d.decision == "handoff" for d in routine) / len(routine), 1),
        "out_of_scope_recognised": round(100 * float(np.mean(
            [d.reasons == ["out_of_scope"] for r, d in decided if r["reason"] == "out_of_scope"])), 1),
        "decisions_by_reason": per_reason,
    }


def sentiment_auc(brain: Brain) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score

    rows = [r for r in load_labelled(SENTIMENT) if is_holdout(r.text)]
    out: dict[str, Any] = {}
    for lang in ("pl", "en"):
        sel = [r for r in rows if r.lang == lang]
        vectors = brain.embedder.encode_queries([r.text for r in sel])
        probs = brain.sentiment.negative_probability(vectors)
        out[lang] = {"held_out": len(sel), "auc": round(float(roc_auc_score([r.negative for r in sel], probs)), 3)}
    return out


def embed_throughput(brain: Brain, sample: int = 512) -> float:
    """Stored questions embedded per second, in batches of 64 as the index build does."""
    texts = [r.text for r in brain.index.rows[:sample]]
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        brain.embedder.encode_documents(texts[start : start + 64])
    return round(len(texts) / (time.perf_counter() - started), 1)


def run(index_dir: Path, embedder: str, threads: int) -> dict[str, Any]:
    brain = load_brain(index_dir, load_embedder(embedder, threads), "ty", None)
    meta = brain.index.meta
    return {"embedder": embedder, "embed_threads": threads, "index_size": meta["size"],
            "embed_per_second": embed_throughput(brain),
            "thresholds": meta["thresholds"], "dev": dev_metrics(brain),
            "escalation": escalation_metrics(brain), "sentiment": sentiment_auc(brain)}


def markdown(r: dict[str, Any]) -> str:
    dev, esc = r["dev"], r["escalation"]
    lines = [
        "# The brain on held-out data", "",
        f"Embedder `{r['embedder']}`, index of {r['index_size']} questions, thresholds {r['thresholds']}.",
        "Command: `make eval`. Dev set: `faq_corpus/dev/faq_dev.jsonl` (never indexed or trained on);",
        "escalation set: the held-out half of `faq_corpus/labelled/escalation.jsonl`, part of the validation "
        "split (thresholds are chosen on it, so it is optimistic; the honest figures are "
        "`bench/results/judgement_sealed.md`).", "",
        "| lang | questions | top-1 % | answered % | answered right % | clarify % | handoff % |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang in ("pl", "en"):
        d = dev[lang]
        lines.append(f"| {lang} | {d['questions']} | {d['top1_accuracy']} | {d['answer_rate']} | "
                     f"{d['answered_correctly']} | {d['clarify_rate']} | {d['handoff_rate']} |")
    lines += [
        "", f"Per-query decision latency (model loaded, {r.get('embed_threads', 1)} embedding "
        f"thread(s), FAISS one thread): median {dev['latency_ms']['median']} ms, "
        f"p99 {dev['latency_ms']['p99']} ms. Index build: {r['embed_per_second']} questions/s embedded.", "",
        f"Escalation set ({esc['messages']} messages): handoff precision {esc['handoff_precision']} %, "
        f"recall {esc['handoff_recall']} %, routine questions sent to a person {esc['routine_sent_to_human']} %, "
        f"off-topic messages recognised {esc['out_of_scope_recognised']} %.", "",
        "| expected reason | decisions |", "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in esc["decisions_by_reason"].items()]
    s = r["sentiment"]
    lines += ["", f"Sentiment ROC AUC on the held-out quarter: pl {s['pl']['auc']} ({s['pl']['held_out']} messages), "
              f"en {s['en']['auc']} ({s['en']['held_out']})", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=index_dir(os.environ))
    parser.add_argument("--embedder", default=embedder_name(os.environ))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("EMBED_THREADS", "2")),
                        help="embedding threads, as the action server's EMBED_THREADS")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for brain.json and brain.md")
    args = parser.parse_args()
    report = run(args.index, args.embedder, args.threads)
    report_files.write(args.results / "brain", report, markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
