"""``python -m bench.eval_public``: run the benchmark, write bench/results/public.{json,md}."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import eval_public
from bench.eval_public.constants import DEFAULT_CACHE, DEFAULT_EMBEDDERS, RESULTS
from bench.eval_public.evaluate import run_public
from bench.eval_public.report import markdown


def main() -> None:
    # The package docstring describes the benchmark; this module's only the command.
    parser = argparse.ArgumentParser(description=eval_public.__doc__.splitlines()[0])
    parser.add_argument("--embedders", default=",".join(DEFAULT_EMBEDDERS))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = run_public(args.cache, [e for e in args.embedders.split(",") if e])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "public.json").write_text(json.dumps(report, indent=2, allow_nan=True) + "\n")
    (args.out / "public.md").write_text(markdown(report))
    print(f"wrote {args.out / 'public.json'} and {args.out / 'public.md'}", flush=True)


if __name__ == "__main__":
    main()
