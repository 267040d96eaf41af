"""A local SMTP sink for the email benchmark: aiosmtpd in separate processes sharing one port
(SO_REUSEPORT), counting the messages they accept; the first one is kept for checks.

Used by bench/email.py; no Django here."""

import asyncio
import multiprocessing
import os
import signal
import socket

from aiosmtpd.smtp import SMTP


class CountingHandler:
    def __init__(self, counter, sample_path: str):
        self.counter = counter
        self.sample_path = sample_path

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += 1
            first = self.counter.value == 1
        if first:
            with open(self.sample_path, "wb") as out:
                out.write(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _serve(port: int, counter, sample_path: str) -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = CountingHandler(counter, sample_path)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname="sink.local", ident="bench-sink", data_size_limit=10_000_000), sock=sock))
    try:
        loop.run_forever()
    finally:
        server.close()


class Sink:
    """`processes` aiosmtpd servers on one port; `count` is the messages accepted so far."""

    def __init__(self, port: int, sample_path: str, processes: int = 1):
        self.port, self.sample_path = port, sample_path
        self.counter = multiprocessing.Value("q", 0)
        self.processes = [multiprocessing.Process(target=_serve, args=(port, self.counter, sample_path), daemon=True)
                          for _ in range(processes)]

    @property
    def count(self) -> int:
        return self.counter.value

    def start(self) -> "Sink":
        for process in self.processes:
            process.start()
        return self

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()
