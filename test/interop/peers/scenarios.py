"""Payloads and check reporting shared by the Python interop clients.

Each check prints one JSON line `{"check": NAME, "ok": BOOL, "detail": ...}`;
the Node test reads them and asserts that every expected check passed.
"""

import json
import os

# Message sizes in bytes: the boundaries of the 7-bit, 16-bit and 64-bit
# length encodings (RFC 6455 §5.2), then large messages.
SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]

TEXT_PATTERN = "héllo wörld € 𝄞 ".encode()


def sizes_up_to(limit):
    return [n for n in SIZES if n <= limit]


def text_of(size):
    """A str whose UTF-8 encoding is exactly `size` bytes, multi-byte characters included."""
    raw = (TEXT_PATTERN * (size // len(TEXT_PATTERN) + 1))[:size]
    text = raw.decode("utf-8", errors="ignore")
    return text + "x" * (size - len(text.encode()))


def binary_of(size):
    return os.urandom(size)


class Report:
    def __init__(self):
        self.failed = 0

    def check(self, name, ok, detail=None):
        if not ok:
            self.failed += 1
        print(json.dumps({"check": name, "ok": bool(ok), "detail": detail}), flush=True)

    def exit_code(self):
        return 1 if self.failed else 0


def parse_args(argv):
    """`<url> [--max-size N]`."""
    url = argv[1]
    limit = SIZES[-1]
    if "--max-size" in argv:
        limit = int(argv[argv.index("--max-size") + 1])
    return url, limit
