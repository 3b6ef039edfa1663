"""Outgoing HTTP to addresses that someone else chose (push endpoints, meeting feeds), safely.

A name is resolved once, every address it gives is checked (public only, loopback when a test allows it),
and the connection goes to the checked address, never to what the name resolves to a moment later: a
second lookup is what DNS rebinding uses to pass a check with one answer and connect with another.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field


def allowed_address(address: str, allow_loopback: bool) -> bool:
    """A public unicast address (or loopback, where a test allows it)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address a name resolves to, in the resolver's order (raises OSError or UnicodeError)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to a moment later."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the name, the socket goes to the address."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def pinned_connection(scheme: str, host: str, port: int, address: str, timeout: float) -> http.client.HTTPConnection:
    kind = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
    return kind(host, port, address, timeout)


@dataclass
class PinnedResponse:
    """What pywebpush reads of an answer: never a redirect followed, whatever the status."""

    status_code: int
    reason: str
    text: str
    headers: dict = field(default_factory=dict)


class PinnedPoster:
    """A stand-in for ``requests.Session`` that POSTs to one checked address and never follows a redirect.

    Connections are kept alive per (scheme, host, port, address) and thread, so a batch to one push
    service reuses one connection; a 3xx comes back as it is, and the caller counts it as a failure.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def _connections(self) -> dict:
        if not hasattr(self._local, "connections"):
            self._local.connections = {}
        return self._local.connections

    def post(self, url: str, *, address: str, data=None, headers=None, timeout: float = 10) -> PinnedResponse:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (parts.scheme, parts.hostname, port, address)
        connections = self._connections()
        for attempt in (1, 2):
            connection = connections.get(key)
            fresh = connection is None
            if fresh:
                connection = connections[key] = pinned_connection(parts.scheme, parts.hostname, port, address, timeout)
            try:
                connection.request("POST", target, body=data, headers=dict(headers or {}))
                response = connection.getresponse()
                body = response.read(64 * 1024)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connections.pop(key, None)
                if fresh or attempt == 2 or isinstance(error, TimeoutError):
                    raise  # a server that stalls is not asked again at once: that would double the wait
                continue  # a kept-alive connection the server had closed: once more on a new one
            if response.will_close:
                connection.close()
                connections.pop(key, None)
            return PinnedResponse(response.status, response.reason or "", body.decode("utf-8", "replace"),
                                  dict(response.getheaders()))
        raise OSError("unreachable")
