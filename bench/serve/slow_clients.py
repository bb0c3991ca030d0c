"""Slow clients for bench/serve/soak.sh: N sockets that each declare a 5 MB PNG body and trickle it
(4 bytes a second), reconnecting whenever the server answers or drops them, for a number of seconds.
Prints what they got: answers by status and connection failures."""
import asyncio
import collections
import sys

host, port, clients, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
answers = collections.Counter()
failures = collections.Counter()


async def slow_client(deadline):
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as error:
            failures[type(error).__name__] += 1
            await asyncio.sleep(0.5)
            continue
        head = f"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: {5 * 1024 * 1024}\r\n\r\n"
        writer.write(head.encode() + b"\x89PNG")
        status = None
        try:
            while loop.time() < deadline:
                try:
                    line = await asyncio.wait_for(reader.readline(), timeout=1.0)
                except asyncio.TimeoutError:
                    writer.write(b"\0\0\0\0")  # 4 bytes a second: far below the server's minimum rate
                    await writer.drain()
                    continue
                if line.startswith(b"HTTP/1.1 "):
                    status = int(line.split()[1])
                break
        except (ConnectionError, OSError):
            pass
        if status is not None:
            answers[status] += 1
        else:
            answers["still trickling at the end" if loop.time() >= deadline else "dropped without an answer"] += 1
        writer.close()
        await asyncio.sleep(0.2)


async def main():
    deadline = asyncio.get_running_loop().time() + seconds
    await asyncio.gather(*(slow_client(deadline) for _ in range(clients)))


asyncio.run(main())
print("slow clients' answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(answers.items(), key=str)))
print("slow clients' connection failures: " + (", ".join(f"{k}: {v}" for k, v in failures.items()) or "none"))
