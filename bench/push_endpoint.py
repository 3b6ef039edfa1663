"""A loopback Web Push service for the benchmark: several processes on one socket, HTTP/1.1 keep-alive.

Each process decrypts every payload (RFC 8291, with the receivers' keys) and counts what it received per
path; ``stop()`` gathers the counts. tests/fixtures/push.py is the tests' one-process, one-connection-per-push
server: at thousands of pushes a second it, not the dispatcher, would be what the benchmark measured.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece

from tests.fixtures.push import Receiver


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the dispatcher's connection pool reuses each connection

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        receiver = self.server.receivers.get(self.path)
        status = 404
        if receiver is not None:
            try:
                http_ece.decrypt(body, private_key=receiver.key, auth_secret=receiver.auth, version="aes128gcm")
            except Exception:  # noqa: BLE001  (a payload that does not decrypt is a failure of the sender)
                status = 400
            else:
                status = 201
                with self.server.lock:
                    self.server.counts[self.path] += 1
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _serve(listener: socket.socket, receivers: dict[str, Receiver], results, ready) -> None:
    httpd = ThreadingHTTPServer(listener.getsockname(), _Handler, bind_and_activate=False)
    httpd.socket.close()
    httpd.socket = listener
    httpd.daemon_threads = True
    httpd.receivers, httpd.counts, httpd.lock = receivers, Counter(), threading.Lock()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    threading.Thread(target=lambda: (stopping.wait(), httpd.shutdown()), daemon=True).start()
    ready.set()
    httpd.serve_forever(poll_interval=0.1)
    results.put(dict(httpd.counts))


class PushEndpoint:
    """``receiver(name)`` before ``start()``; ``stop()`` returns how many pushes each path received."""

    def __init__(self, processes: int = 2) -> None:
        self.processes = processes
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=512)
        # Every process waits on this socket: a blocking accept() in the one that lost the race would hang it.
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self.receivers: dict[str, Receiver] = {}
        self._context = multiprocessing.get_context("fork")
        self._results = self._context.Queue()
        self._children: list = []

    def receiver(self, name: str) -> Receiver:
        path = f"/push/{name}"
        self.receivers[path] = Receiver(f"http://127.0.0.1:{self.port}{path}")
        return self.receivers[path]

    def start(self) -> PushEndpoint:
        for _ in range(self.processes):
            ready = self._context.Event()
            child = self._context.Process(target=_serve, args=(self.listener, self.receivers, self._results, ready),
                                          daemon=True)
            child.start()
            ready.wait(30)
            self._children.append(child)
        return self

    def stop(self) -> Counter:
        for child in self._children:
            os.kill(child.pid, signal.SIGTERM)
        total: Counter = Counter()
        for _ in self._children:
            total.update(self._results.get(timeout=60))
        for child in self._children:
            child.join(30)
        self.listener.close()
        return total
