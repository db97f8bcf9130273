"""``python -m bot.learning.archive_import``: the same command as ``python -m bot.archive_import``."""

import sys

from bot.learning.archive_import.cli import main

if __name__ == "__main__":
    sys.exit(main())
