"""The judgement report as Markdown."""

from __future__ import annotations

from typing import Any


def _pct(share: dict[str, Any]) -> str:
    return f"{share['pct']} % ({share['hits']}/{share['n']})" if share["n"] else "—"


def _table(title: str, rows: dict[str, dict[str, Any]]) -> list[str]:
    return ["", f"| {title} | share |", "|---|---|", *[f"| {k} | {_pct(v)} |" for k, v in rows.items()]]


def markdown(r: dict[str, Any]) -> str:
    m, c = r["messages"], r["conversations"]
    lines = [
        f"# Judgement on the {r['split']} split", "",
        f"Command: `{r['command']}`. Index {r['index']}, embedder `{r['embedder']}`. {r['about']}", "",
        f"- messages that need a person handed off: **{_pct(m['handoff_recall'])}** (target ≥ 95 %, "
        "every category ≥ 85 %)",
        f"- routine messages sent to a person: **{_pct(m['routine_sent_to_person'])}** (target ≤ 3 %)",
        f"- off-topic messages not answered with an FAQ entry: {_pct(m['off_topic_not_answered'])} (target ≥ 90 %)",
        f"- messages that need a person given the off-topic reply: {_pct(m['need_a_person_given_off_topic_reply'])} "
        "(target 0)",
        f"- conversations judged right: {_pct(c['right'])}",
    ]
    lines += _table("needs a person: category", m["handoff_recall_by_category"])
    lines += _table("needs a person: language", m["handoff_recall_by_lang"])
    lines += _table("routine topic top-1: language (target ≥ 95 %)", m["routine_top1_by_lang"])
    lines += _table("routine answered with the right topic: language", m["routine_answered_right_by_lang"])
    lines += _table("conversation: category → expected", c["right_by_category"])
    lines += ["", "Reasons given to the messages that need a person: "
              + ", ".join(f"{k} {v}" for k, v in m["handoff_reasons"].items()), ""]
    return "\n".join(lines)
