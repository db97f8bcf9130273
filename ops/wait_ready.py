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
    return answer(url) is None


def answer(url: str) -> str | None:
    """None when ``url`` answers 200; else why not (a 503's body names the reason)."""
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_SECONDS) as response:
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:  # 503: the service says why
        return f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, OSError) as exc:  # not listening yet
        return f"no answer ({exc.__class__.__name__})"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not args[0].startswith(("http://", "https://")):
        print(__doc__, file=sys.stderr)
        return 2
    said = None
    while (why := answer(args[0])) is not None:
        if why != said:  # each new reason once, to the unit's journal
            print(f"{args[0]} not ready yet: {why}", file=sys.stderr, flush=True)
            said = why
        time.sleep(POLL_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
