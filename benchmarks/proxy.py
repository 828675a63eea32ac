"""A TCP proxy in its own process that delays each direction, to model a server far away."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
from typing import Any


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, chunk = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if chunk is None:
                writer.close()
                return
            writer.write(chunk)
            await writer.drain()

    task = asyncio.create_task(deliver())
    try:
        while chunk := await reader.read(65536):
            queue.put_nowait((loop.time() + delay, chunk))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((loop.time() + delay, None))
    try:
        await task
    except (ConnectionError, OSError):
        pass


def _serve(port: Any, ready: Any, target_port: int, one_way: float) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(_pump(client_r, up_w, one_way), _pump(up_r, client_w, one_way))

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port.value = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class LatencyProxy:
    """Listens on ``port`` and forwards to ``target_port``, adding ``rtt / 2`` each way."""

    def __init__(self, target_port: int, rtt_ms: float) -> None:
        ctx = mp.get_context("spawn")
        self._port = ctx.Value("i", 0)
        ready = ctx.Event()
        self._proc = ctx.Process(target=_serve, args=(self._port, ready, target_port, rtt_ms / 2000.0), daemon=True)
        self._proc.start()
        if not ready.wait(30):
            raise RuntimeError("the latency proxy did not start")
        self.port = self._port.value

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.join(5)
