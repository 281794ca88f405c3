"""A small, bounded load test of POST /api/ask against a server on this machine.

    .venv/bin/python bots/web/loadtest.py --url http://127.0.0.1:8000 --concurrency 8 32 --requests 400

Each concurrency level sends at most --requests questions or runs at most --seconds, whichever
ends first, then reports throughput and latency percentiles. Loopback addresses only: this is for
measuring your own server, never someone else's. The server's rate limit applies to this client
too; start it with a high CCHC_RATE_LIMIT (e.g. "100000/minute") for the measurement.

Depends on httpx only (not on the project), so it runs from any checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import itertools
import json
import statistics
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx

QUESTIONS = [
    "Sở Nội vụ chủ trì những việc gì trong quý này?",
    "Sở Tư pháp tỉnh Nam Định chủ trì những việc gì trong quý này?",
    "Sở Nội vụ tỉnh Hà Tĩnh phối hợp những việc gì trong cả năm?",
    "Ai chủ trì việc đo lường sự hài lòng của người dân?",
    "Kinh phí cho hoạt động tuyên truyền cải cách hành chính là bao nhiêu?",
    "Kế hoạch cải cách hành chính năm 2022 của tỉnh Hưng Yên do ai ký?",
    "Sở Thông tin và Truyền thông tỉnh Khánh Hòa phải làm gì trong quý sau?",
    "Văn phòng UBND tỉnh chủ trì những việc gì trong cả năm?",
]


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    sys.exit(f"Chỉ đo máy chủ trên máy này (127.0.0.0/8, ::1, localhost), không phải «{host}».")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def run_level(url: str, concurrency: int, requests: int, seconds: float, today: str | None) -> dict:
    questions = itertools.cycle(QUESTIONS)
    sent = itertools.count()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def worker(number: int) -> None:
            session = f"load-{concurrency}-{number}"
            while time.monotonic() < deadline and next(sent) < requests:
                body = {"question": next(questions), "session": session}
                if today:
                    body["today"] = today
                started = time.perf_counter()
                try:
                    response = await client.post("/api/ask", json=body)
                    statuses[str(response.status_code)] += 1
                    if response.status_code == 200:
                        latencies.append(time.perf_counter() - started)
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started

    ok = len(latencies)
    return {
        "concurrency": concurrency,
        "requests": sum(statuses.values()),
        "ok": ok,
        "statuses": dict(statuses),
        "seconds": round(elapsed, 2),
        "throughput_rps": round(ok / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(1000 * statistics.median(latencies), 1) if ok else None,
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1) if ok else None,
        "max_ms": round(1000 * max(latencies), 1) if ok else None,
    }


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--requests", type=int, default=400, help="at most this many per level (max 5000)")
    parser.add_argument("--seconds", type=float, default=60, help="at most this long per level (max 600)")
    parser.add_argument("--today", default="2022-11-01", help="reference day sent with each question")
    parser.add_argument("--json", action="store_true", help="one JSON line per level")
    args = parser.parse_args(argv)
    require_loopback(args.url)
    requests = max(1, min(args.requests, 5000))
    seconds = max(1.0, min(args.seconds, 600.0))

    async with httpx.AsyncClient(base_url=args.url, timeout=30) as client:
        health = (await client.get("/api/health")).json()
    if not health.get("loaded"):
        sys.exit("Máy chủ chưa nạp chỉ mục.")
    # One warm-up question, so model loading or first-call caches do not count.
    await run_level(args.url, 1, 1, seconds, args.today)
    for level in args.concurrency:
        result = await run_level(args.url, max(1, min(level, 256)), requests, seconds, args.today)
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{result['concurrency']:>3} clients: {result['ok']}/{result['requests']} ok in {result['seconds']} s, "
                f"{result['throughput_rps']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
                f"max {result['max_ms']} ms, statuses {result['statuses']}"
            )


if __name__ == "__main__":
    asyncio.run(main())
