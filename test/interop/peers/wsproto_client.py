"""A client written with Python's `wsproto` (sans-I/O), driving a server under test.

Run: /usr/bin/python3 wsproto_client.py <ws-url> [--max-size N]
Same checks as websockets_client.py, over a blocking socket. wsproto does not
answer pings or closes by itself, so this client does (RFC 6455 §5.5.2, §5.5.1).
"""

import socket
import sys
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    Request,
    TextMessage,
)

from scenarios import Report, binary_of, parse_args, sizes_up_to, text_of

TIMEOUT = 20


class Client:
    """One connection; `next_event` pumps the socket until wsproto yields an event."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.pending = []
        self.send(Request(host=f"{parts.hostname}:{parts.port}", target=parts.path or "/"))
        event = self.next_event()
        if not isinstance(event, AcceptConnection):
            raise RuntimeError(f"handshake failed: {event!r}")

    def send(self, event):
        self.sock.sendall(self.ws.send(event))

    def next_event(self):
        while not self.pending:
            data = self.sock.recv(1 << 20)
            self.ws.receive_data(data or None)
            for event in self.ws.events():
                if isinstance(event, Ping):
                    self.send(event.response())
                self.pending.append(event)
        return self.pending.pop(0)

    def next_message(self):
        """Reassembles a (possibly fragmented) message; skips pings and pongs."""
        parts = []
        while True:
            event = self.next_event()
            if isinstance(event, (Ping, Pong)):
                continue
            if isinstance(event, CloseConnection):
                return event
            parts.append(event.data)
            if event.message_finished:
                return ("" if isinstance(event, TextMessage) else b"").join(parts)

    def await_close(self):
        """Returns the peer's CloseConnection, answering it; then the TCP end."""
        while True:
            event = self.next_event()
            if isinstance(event, CloseConnection):
                if self.ws.state.name == "REMOTE_CLOSING":
                    self.send(event.response())
                return event

    def close(self):
        self.sock.close()


def run(url, limit, report):
    c = Client(url)
    for size in sizes_up_to(limit):
        for kind, payload in (("text", text_of(size)), ("binary", binary_of(size))):
            message = TextMessage(data=payload) if kind == "text" else BytesMessage(data=payload)
            c.send(message)
            echo = c.next_message()
            report.check(f"echo-{kind}-{size}", echo == payload, {"received": len(echo)})

    # Fragmented messages from the client (RFC 6455 §5.4).
    for piece, last in (("frag", False), ("ménted ", False), ("tèxt", True)):
        c.send(TextMessage(data=piece, message_finished=last))
    echo = c.next_message()
    report.check("send-fragmented-text", echo == "fragménted tèxt", echo)
    for piece, last in ((b"\x00\x01", False), (b"", False), (b"\xff" * 1000, True)):
        c.send(BytesMessage(data=piece, message_finished=last))
    echo = c.next_message()
    report.check("send-fragmented-binary", echo == b"\x00\x01" + b"\xff" * 1000, len(echo))

    c.send(TextMessage(data="cmd:fragments:5"))
    message = c.next_message()
    report.check("receive-fragmented", message == "part0;part1;part2;part3;part4;", message)

    # Ping from the client: the pong must carry the same payload (§5.5.3).
    c.send(Ping(payload=b"are you there"))
    while True:
        event = c.next_event()
        if isinstance(event, Pong):
            break
    report.check("client-ping", event.payload == b"are you there", repr(event.payload))

    c.send(TextMessage(data="cmd:ping:hello"))
    message = c.next_message()
    report.check("server-ping", message == "pong:hello", message)

    c.send(CloseConnection(code=4001, reason="bye from client"))
    event = c.await_close()
    report.check("client-close", event.code == 4001, {"code": event.code, "reason": event.reason})
    c.close()

    c = Client(url)
    c.send(TextMessage(data="cmd:close:4002:bye from server"))
    event = c.await_close()
    report.check(
        "server-close",
        event.code == 4002 and event.reason == "bye from server",
        {"code": event.code, "reason": event.reason},
    )
    c.close()

    # Protocol violations, written as raw bytes after a real handshake.
    # An unmasked frame from a client: 1002 (§5.1).
    c = Client(url)
    c.sock.sendall(bytes([0x81, 0x01, ord("x")]))
    event = c.await_close()
    report.check("violation-unmasked", event.code == 1002, {"code": event.code})
    c.close()
    # A text message that is not UTF-8: 1007 (§5.6, §8.1).
    c = Client(url)
    c.sock.sendall(bytes([0x81, 0x82, 0, 0, 0, 0, 0xC3, 0x28]))
    event = c.await_close()
    report.check("violation-invalid-utf8", event.code == 1007, {"code": event.code})
    c.close()


def main():
    url, limit = parse_args(sys.argv)
    report = Report()
    run(url, limit, report)
    sys.exit(report.exit_code())


if __name__ == "__main__":
    main()
