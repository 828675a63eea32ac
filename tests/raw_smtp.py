"""A tiny hand-written SMTP server for faults aiosmtpd cannot produce: garbage or a slow drip after DATA."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class RawServer:
    """Accepts every command; after the message data it answers as ``mode`` says.

    ``garbage``: a line that is not an SMTP reply. ``drip``: a reply that never ends, one byte
    every ``drip_every`` seconds. ``drip-ehlo``: the same, but already in answer to EHLO.
    ``ok``: a normal reply. With ``pipelining`` it offers PIPELINING and holds its replies to MAIL
    and RCPT until DATA arrives, so a client that waits for each reply instead never gets one.
    """

    mode: str
    pipelining: bool = False
    drip_every: float = 0.1
    deliveries: int = 0
    port: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def serve(self, listener: socket.socket) -> None:
        listener.settimeout(0.05)
        while not self.stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            conn.sendall(b"220 raw.test ESMTP\r\n")
            in_data = False
            held: list[bytes] = []
            for line in reader:
                if in_data:
                    if line == b".\r\n":
                        in_data = False
                        self.deliveries += 1
                        if self.after_data(conn):
                            return
                    continue
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    if self.mode == "drip-ehlo":
                        self.drip(conn)
                        return
                    offer = b"250-PIPELINING\r\n" if self.pipelining else b""
                    conn.sendall(b"250-raw.test\r\n" + offer + b"250 8BITMIME\r\n")
                elif verb == b"DATA":
                    in_data = True
                    conn.sendall(b"".join(held) + b"354 go ahead\r\n")
                    held.clear()
                elif self.pipelining and verb in (b"MAIL", b"RCPT"):
                    held.append(b"250 ok\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def after_data(self, conn: socket.socket) -> bool:
        """Answer the end of data; True when the session is over."""
        if self.mode in ("garbage", "ok"):
            conn.sendall(b"lol what\r\n" if self.mode == "garbage" else b"250 accepted\r\n")
            return False
        self.drip(conn)
        return True

    def drip(self, conn: socket.socket) -> None:
        """Start a reply and never finish it: one byte every ``drip_every`` seconds until stopped."""
        try:
            conn.sendall(b"250-")
            while not self.stop.wait(self.drip_every):
                conn.sendall(b"x")
        except OSError:
            pass


@contextmanager
def raw_server(mode: str, *, pipelining: bool = False) -> Iterator[RawServer]:
    """Run a :class:`RawServer` on 127.0.0.1 in a thread for the ``with`` block."""
    server = RawServer(mode, pipelining=pipelining)
    listener = socket.create_server(("127.0.0.1", 0))
    server.port = listener.getsockname()[1]
    thread = threading.Thread(target=server.serve, args=(listener,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        thread.join()
        listener.close()
