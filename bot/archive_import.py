"""``python -m bot.archive_import``: imports chats from elsewhere into the archive format.

The code is in ``bot.learning.archive_import``; this name stays so the command stays the same.
"""

import sys

from bot.learning.archive_import import main

if __name__ == "__main__":
    sys.exit(main())
