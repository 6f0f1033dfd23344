"""A client written with Python's `websockets`, driving a server under test.

Run: /usr/bin/python3 websockets_client.py <ws-url> [--max-size N] [--compression]
The server must echo messages and obey the `cmd:` text commands described in
websockets_server.py (all but `cmd:violate`). Prints one JSON line per check
(see scenarios.py) and exits 0 when all passed. With `--compression` the
client offers permessage-deflate as websockets does by default (and compresses
every message when the server accepts), and prints the server's answer as
`{"event": "negotiated", "extensions": HEADER}`.
"""

import asyncio
import json
import sys

import websockets

from scenarios import Report, binary_of, parse_args, sizes_up_to, text_of

TIMEOUT = 20
COMPRESSION = "deflate" if "--compression" in sys.argv else None


def connect(url):
    return websockets.connect(url, max_size=None, compression=COMPRESSION, ping_interval=None)


async def run(url, limit, report):
    async with connect(url) as ws:
        if COMPRESSION:
            answer = ws.response_headers.get("Sec-WebSocket-Extensions")
            print(json.dumps({"event": "negotiated", "extensions": answer}), flush=True)
        for size in sizes_up_to(limit):
            for kind, payload in (("text", text_of(size)), ("binary", binary_of(size))):
                await ws.send(payload)
                echo = await asyncio.wait_for(ws.recv(), TIMEOUT)
                report.check(f"echo-{kind}-{size}", echo == payload, {"received": len(echo)})

        # Fragmented messages from the client (RFC 6455 §5.4).
        await ws.send(["frag", "ménted ", "tèxt"])
        echo = await asyncio.wait_for(ws.recv(), TIMEOUT)
        report.check("send-fragmented-text", echo == "fragménted tèxt", echo)
        await ws.send([b"\x00\x01", b"", b"\xff" * 1000])
        echo = await asyncio.wait_for(ws.recv(), TIMEOUT)
        report.check("send-fragmented-binary", echo == b"\x00\x01" + b"\xff" * 1000, len(echo))

        # A fragmented message from the server.
        await ws.send("cmd:fragments:5")
        message = await asyncio.wait_for(ws.recv(), TIMEOUT)
        report.check("receive-fragmented", message == "part0;part1;part2;part3;part4;", message)

        # Ping from the client: the pong must carry the same payload (§5.5.3).
        waiter = await ws.ping(b"are you there")
        await asyncio.wait_for(waiter, TIMEOUT)
        report.check("client-ping", True)

        # Ping from the server; websockets answers it and the server reports.
        await ws.send("cmd:ping:hello")
        message = await asyncio.wait_for(ws.recv(), TIMEOUT)
        report.check("server-ping", message == "pong:hello", message)

        # Close from the client with a code and reason (§5.5.1, §7.4).
        await ws.close(4001, "bye from client")
        report.check("client-close", ws.close_code == 4001, {"code": ws.close_code, "reason": ws.close_reason})

    # Close from the server with a code and reason.
    async with connect(url) as ws:
        await ws.send("cmd:close:4002:bye from server")
        await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
        report.check(
            "server-close",
            ws.close_code == 4002 and ws.close_reason == "bye from server",
            {"code": ws.close_code, "reason": ws.close_reason},
        )

    # A protocol violation: an unmasked frame from a client must fail the
    # connection with 1002 (RFC 6455 §5.1, §7.4.1).
    async with connect(url) as ws:
        ws.transport.write(bytes([0x81, 0x01, ord("x")]))
        await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
        report.check("violation-unmasked", ws.close_code == 1002, {"code": ws.close_code})


def main():
    url, limit = parse_args(sys.argv)
    report = Report()
    asyncio.run(run(url, limit, report))
    sys.exit(report.exit_code())


if __name__ == "__main__":
    main()
