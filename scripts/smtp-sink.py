#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) that stores each message it accepts as
DIR/NNNN.eml, for the control service's mail test.

    target/tools/venv/bin/python scripts/smtp-sink.py DIR PORT
Listens on 127.0.0.1:PORT until killed; prints "ready" once listening."""
import asyncio
import pathlib
import sys

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, out: pathlib.Path):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = self.out / f"{self.count:04d}.eml"
        header = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        path.write_bytes(header + envelope.original_content)
        return "250 stored"


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    controller = Controller(Store(out), hostname="127.0.0.1", port=int(sys.argv[2]),
                            enable_SMTPUTF8=True)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_until_complete(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
