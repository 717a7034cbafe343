"""A local SMTP server that keeps every message it receives, one file each.

    python scripts/mail_catcher.py --port 8025 --dir .services/mail

For the demo portal and the tests: nothing is relayed.  Each message is
written to ``<dir>/<UTC time>-<n>.eml`` (the raw message, as an e-mail
client would open it), atomically (a temporary name, then a rename), with
the envelope in ``X-Catcher-*`` headers at its top.  Read one with any text
viewer or ``python -m email`` tools; ``ls -t`` lists the newest first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import signal
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Keep:
    """aiosmtpd handler: one file per message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            number = next(self.counter)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{os.getpid()}-{number:05d}.eml"
        head = (
            f"X-Catcher-Mail-From: {envelope.mail_from}\r\n"
            f"X-Catcher-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(head + data)
        tmp.rename(self.directory / name)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Keep(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"mail catcher: {args.host}:{args.port} -> {args.dir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
