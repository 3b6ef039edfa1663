"""A local SMTP server for the benchmark, in a process of its own, that counts the messages it receives.

``stop()`` returns how many messages each recipient got and how many distinct Message-IDs there were.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
from collections import Counter

from tests.fixtures.smtp import BoundController


class _Counter:
    def __init__(self) -> None:
        self.per_recipient: Counter = Counter()
        self.message_ids: set[str] = set()
        self.connections = 0

    async def handle_HELO(self, server, session, envelope, hostname):
        self.connections += 1
        session.host_name = hostname
        return "250 {}".format(server.hostname)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            self.per_recipient[recipient] += 1
        for line in envelope.content.split(b"\r\n", 40):
            if line.lower().startswith(b"message-id:"):
                self.message_ids.add(line.split(b":", 1)[1].strip().decode())
                break
        return "250 Message accepted for delivery"


def _serve(sock: socket.socket, results, ready) -> None:
    handler = _Counter()
    controller = BoundController(handler, sock)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    controller.start()
    ready.set()
    stopping.wait()
    controller.stop()
    results.put((dict(handler.per_recipient), len(handler.message_ids), handler.connections))


class SMTPCounter:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._context = multiprocessing.get_context("fork")
        self._results = self._context.Queue()
        self._child = None

    def start(self) -> SMTPCounter:
        ready = self._context.Event()
        self._child = self._context.Process(target=_serve, args=(self.sock, self._results, ready), daemon=True)
        self._child.start()
        ready.wait(30)
        return self

    def stop(self) -> tuple[dict, int, int]:
        """(messages per recipient, distinct Message-IDs, SMTP sessions opened)."""
        os.kill(self._child.pid, signal.SIGTERM)
        result = self._results.get(timeout=60)
        self._child.join(30)
        return result
