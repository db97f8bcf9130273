"""``python -m bench.eval_public``: run the benchmark, write bench/results/public.{json,md}."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import eval_public, report_files
from bench.eval_public.constants import DEFAULT_CACHE, DEFAULT_EMBEDDERS
from bench.eval_public.evaluate import run_public
from bench.eval_public.report import markdown
from bench.report_files import RESULTS


def main() -> None:
    # The package docstring describes the benchmark; this module's only the command.
    parser = argparse.ArgumentParser(description=eval_public.__doc__.splitlines()[0])
    parser.add_argument("--embedders", default=",".join(DEFAULT_EMBEDDERS))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = run_public(args.cache, [e for e in args.embedders.split(",") if e])
    report_files.write(args.out / "public", report, markdown(report), indent=2)
    print(f"wrote {args.out / 'public.json'} and {args.out / 'public.md'}", flush=True)


if __name__ == "__main__":
    main()
