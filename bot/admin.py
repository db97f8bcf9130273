"""``python -m bot.admin``: the learning loop's admin command (mine, review, publish).

The code is in ``bot.learning.cli``; this name stays so the command stays the same.
"""

import sys

from bot.learning.cli import main

if __name__ == "__main__":
    sys.exit(main())
