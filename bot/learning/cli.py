"""Retraining from archived chats, for admins. Run from the repository root:

    python -m bot.admin mine                     # group handed-off questions into proposals
    python -m bot.admin proposals [--all]        # what waits for review
    python -m bot.admin approve ID [--answer TEXT] [--faq-id TOPIC] --by NAME
    python -m bot.admin reject ID --by NAME
    python -m bot.admin publish --by NAME [--force]   # build, gate, switch the live index

Paths come from the environment: ARCHIVE_DIR (the live archive, var/archive), APPROVED_DIR
(faq_corpus/archive), FAQ_DIR, INDEX_DIR, EMBEDDER, PROPOSALS_FILE
(var/proposals/proposals.json), PUBLISH_LOG (var/publish.log).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.core.archive import read_conversations
from bot.core.faq import FaqError, load_faq
from bot.learning import review
from bot.learning.gate import DEV_SET
from bot.learning.paths import Paths


def mine(paths: Paths, progress: bool = True) -> list[dict[str, object]]:
    from bot.brain.brain import load_brain
    from bot.brain.embeddings import load_embedder
    from bot.learning.mining import mine as mine_proposals

    brain = load_brain(paths.index, load_embedder(paths.embedder), "ty", None)
    conversations = [c for d in paths.archives if d.is_dir() for c in read_conversations(d)]
    proposals = mine_proposals(conversations, brain, progress=progress)
    return review.merge(paths.proposals, [p.to_json() for p in proposals])


def _print_proposal(p: dict[str, object]) -> None:
    topic = p.get("faq_id") or "new entry"
    print(f"{p['id']}  {p.get('status', 'pending'):8}  x{p['count']}  [{p['lang']}] {topic}: {p['title']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("mine", help="propose FAQ entries from handed-off conversations")
    listing = sub.add_parser("proposals", help="list proposals")
    listing.add_argument("--all", action="store_true", help="decided ones too")
    show = sub.add_parser("show", help="one proposal in full")
    show.add_argument("id")
    approve = sub.add_parser("approve", help="approve a proposal (its pairs go into faq_corpus/archive)")
    approve.add_argument("id")
    approve.add_argument("--answer", help="the answer as edited by the admin")
    approve.add_argument("--faq-id", help="an existing topic the questions belong to")
    approve.add_argument("--by", required=True, help="the admin's name")
    reject = sub.add_parser("reject", help="reject a proposal")
    reject.add_argument("id")
    reject.add_argument("--by", required=True)
    publish = sub.add_parser("publish", help="build a new index, check it on the regression set, switch it live")
    publish.add_argument("--by", required=True)
    publish.add_argument("--force", action="store_true", help="publish even if accuracy drops (logged)")
    publish.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    paths = Paths.from_env(os.environ)
    try:
        return _run(args, paths)
    except (review.ReviewError, FaqError, FileNotFoundError, ValueError) as e:
        print(f"bot.admin: {e}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, paths: Paths) -> int:
    if args.command == "mine":
        proposals = mine(paths)
        pending = [p for p in proposals if p.get("status") == review.PENDING]
        print(f"{len(pending)} proposals wait for review ({len(proposals)} in {paths.proposals})")
        for p in pending:
            _print_proposal(p)
    elif args.command == "proposals":
        for p in review.load(paths.proposals):
            if args.all or p.get("status", review.PENDING) == review.PENDING:
                _print_proposal(p)
    elif args.command == "show":
        shown = [p for p in review.load(paths.proposals) if p["id"] == args.id]
        if not shown:
            raise review.UnknownProposal(f"no proposal {args.id}")
        _print_proposal(shown[0])
        for q in shown[0]["questions"]:
            print(f"  ? {q}")
        print(f"  = {shown[0].get('answer') or '(the topic keeps its answer)'}")
    elif args.command == "approve":
        topics = {e.id for e in load_faq(paths.faq)}
        p = review.approve(paths.proposals, args.id, args.by, paths.archives, paths.approved / "approved.jsonl",
                           answer=args.answer, faq_id=args.faq_id, known_topics=topics)
        print(f"approved {p['id']}: run `python -m bot.admin publish --by {args.by}` to make it live")
    elif args.command == "reject":
        review.reject(paths.proposals, args.id, args.by)
        print(f"rejected {args.id}")
    elif args.command == "publish":
        from bot.learning.publish import publish

        outcome = publish(paths.faq, paths.approved, paths.index, paths.embedder, DEV_SET, force=args.force,
                          by=args.by, log_file=paths.log, progress=not args.quiet)
        print(f"regression set: live {outcome.live}, candidate {outcome.candidate}")
        if not outcome.published:
            print("not published: " + "; ".join(outcome.problems) + " (use --force to publish anyway)")
            return 3
        print(f"published index {outcome.version}{' (forced)' if outcome.forced else ''} in {outcome.seconds} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
