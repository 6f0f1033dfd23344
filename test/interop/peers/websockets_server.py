"""An echo server written with Python's `websockets` (the peer under test).

Run: /usr/bin/python3 websockets_server.py [--compression]
With `--compression` it accepts permessage-deflate as websockets does by
default and compresses every message; otherwise it declines extensions.
Listens on 127.0.0.1 at a free port and prints `{"event": "listening", "port": N}`
as its first stdout line. It echoes every message unchanged (same type) and
obeys the text commands shared by all interop peers:

  cmd:close:<code>:<reason>  close the connection with that code and reason
  cmd:ping:<payload>         send a ping; when its pong arrives, send text
                             `pong:<payload>`
  cmd:fragments:<n>          send one text message in n fragments, the
                             fragments being `part0;`, `part1;` ... (RFC 6455 §5.4)
  cmd:violate                write a *masked* frame, which a server must never
                             send (RFC 6455 §5.1): the client must fail with 1002

Each connection is reported when it opens as
`{"event": "open", "offer": REQUEST_HEADER, "answer": RESPONSE_HEADER}`
(its Sec-WebSocket-Extensions headers, null when absent), and when it closes as
`{"event": "close", "code": C, "reason": R}` on stdout.
"""

import asyncio
import json
import sys

import websockets


def report(**fields):
    print(json.dumps(fields), flush=True)


async def handler(ws, _path=None):
    report(
        event="open",
        offer=ws.request_headers.get("Sec-WebSocket-Extensions"),
        answer=ws.response_headers.get("Sec-WebSocket-Extensions"),
    )
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("cmd:"):
                await command(ws, message)
            else:
                await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    report(event="close", code=ws.close_code, reason=ws.close_reason)


async def command(ws, message):
    _, name, *args = message.split(":", 3)
    if name == "close":
        code, reason = args[0], args[1] if len(args) > 1 else ""
        await ws.close(int(code), reason)
    elif name == "ping":
        payload = args[0] if args else ""
        waiter = await ws.ping(payload.encode())
        await asyncio.wait_for(waiter, 10)
        await ws.send("pong:" + payload)
    elif name == "fragments":
        await ws.send(["part%d;" % i for i in range(int(args[0]))])
    elif name == "violate":
        # A masked text frame "x" with key 0x01020304: servers must not mask.
        ws.transport.write(bytes([0x81, 0x81, 1, 2, 3, 4, ord("x") ^ 1]))


async def main():
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        max_size=None,
        compression="deflate" if "--compression" in sys.argv else None,
        ping_interval=None,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        report(event="listening", port=port)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
