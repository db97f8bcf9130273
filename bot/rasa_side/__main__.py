"""Start Rasa with this product's patches: ``python -m bot.rasa_side run …`` takes what ``rasa`` takes.

Run by the Rasa venv's Python (3.10) from the repository root, so that Rasa finds the
channels and stores that ``credentials.yml`` and ``endpoints.yml`` name.
"""

from __future__ import annotations

import sys

from bot.rasa_side import patches


def main() -> None:
    patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
