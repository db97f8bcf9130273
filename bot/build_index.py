"""``python -m bot.build_index``: builds an index version (``make index``).

The code is in ``bot.brain.build_index``; this name stays so the command stays the same.
"""

import sys

from bot.brain.build_index import main

if __name__ == "__main__":
    sys.exit(main())
