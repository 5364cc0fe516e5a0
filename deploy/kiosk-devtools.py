#!/usr/bin/env python3
"""Send one Chrome DevTools Protocol command to a page and print its result as JSON.

kiosk-watchdog.sh uses it to ask Chromium whether the kiosk page still runs JavaScript
(Runtime.evaluate) and to send the page back to the start screen (Page.navigate). The
HTTP endpoints (/json/list) only show that the browser process answers; a hung or crashed
page answers there too. Standard library only: it runs with the system's python3.

Exit status: 0 with the result on stdout; 1 when the page does not answer in time, the
connection fails or DevTools reports an error (on stderr); 2 for wrong arguments.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import struct
import sys
import time
from typing import Any
from urllib.parse import urlsplit

OPCODE_TEXT = 0x1
OPCODE_CLOSE = 0x8


class DevToolsError(Exception):
    """DevTools did not answer the command, or answered with an error."""


class Connection:
    """A WebSocket client connection, just enough for one command and its answer."""

    def __init__(self, url: str, deadline: float) -> None:
        parts = urlsplit(url)
        if parts.scheme != "ws" or not parts.hostname:
            raise DevToolsError(f"not a ws:// address: {url}")
        self.deadline = deadline
        self.buffer = b""
        self.sock = socket.create_connection(
            (parts.hostname, parts.port or 80), timeout=self._remaining()
        )
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if " 101 " not in f"{status} ":
            raise DevToolsError(f"DevTools refused the connection: {status}")

    def _remaining(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer in time")
        return remaining

    def _fill(self) -> None:
        self.sock.settimeout(self._remaining())
        chunk = self.sock.recv(65536)
        if not chunk:
            raise DevToolsError("DevTools closed the connection")
        self.buffer += chunk

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def send_text(self, text: str) -> None:
        """Send one text message (masked, as a client must)."""
        payload = text.encode()
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | OPCODE_TEXT, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | OPCODE_TEXT, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | OPCODE_TEXT, 0x80 | 127, length)
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.sock.settimeout(self._remaining())
        self.sock.sendall(header + mask + masked)

    def receive_text(self) -> str:
        """The next whole text message; pings and pongs are skipped."""
        message = b""
        while True:
            first, second = self._take(2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._take(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._take(8))
            mask = self._take(4) if second & 0x80 else b""
            payload = self._take(length)
            if mask:
                payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
            opcode = first & 0x0F
            if opcode == OPCODE_CLOSE:
                raise DevToolsError("DevTools closed the connection")
            if opcode >= OPCODE_CLOSE:
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def close(self) -> None:
        """Close the socket (without the closing handshake: DevTools does not mind)."""
        self.sock.close()


def call(url: str, method: str, params: dict[str, Any], timeout: float) -> Any:
    """Send one command to the DevTools target at url; return its result."""
    connection = Connection(url, time.monotonic() + timeout)
    try:
        connection.send_text(json.dumps({"id": 1, "method": method, "params": params}))
        while True:
            answer = json.loads(connection.receive_text())
            if answer.get("id") != 1:
                continue  # an event, not our answer
            if "error" in answer:
                raise DevToolsError(answer["error"].get("message", "error"))
            return answer.get("result", {})
    finally:
        connection.close()


def main(argv: list[str]) -> int:
    """Run one command from the command line; the exit status says whether it answered."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the page's webSocketDebuggerUrl, from /json/list")
    parser.add_argument("method", help="e.g. Runtime.evaluate or Page.navigate")
    parser.add_argument("params", nargs="?", default="{}", help="the parameters as JSON")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    args = parser.parse_args(argv)
    try:
        params = json.loads(args.params)
    except ValueError as error:
        parser.error(f"params are not JSON: {error}")
    try:
        result = call(args.url, args.method, params, args.timeout)
    except (OSError, ValueError, DevToolsError) as error:
        print(f"{args.method}: {error or type(error).__name__}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
