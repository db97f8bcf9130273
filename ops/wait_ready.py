"""Wait until a service's ``/ready`` answers 200: the systemd units' ``ExecStartPost=``.

    python -m ops.wait_ready http://127.0.0.1:5055/ready

A unit is "started" (and the units ordered after it start) only once its service is ready:
the action server with its brain loaded, Rasa with its model, each with its Redis. There is
no deadline here: the unit's ``TimeoutStartSec=`` is the deadline, after which systemd stops
the service and ``Restart=`` starts it again.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

POLL_SECONDS = 0.5
REQUEST_SECONDS = 3.0


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_SECONDS) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):  # 503 (HTTPError) and refused connections alike
        return False


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not args[0].startswith(("http://", "https://")):
        print(__doc__, file=sys.stderr)
        return 2
    while not is_ready(args[0]):
        time.sleep(POLL_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
