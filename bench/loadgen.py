"""Load one URL for a while with N concurrent connections and report what it sustained.

`wrk` (the Debian package) when it is installed: it is written in C, so the load generator
takes little of the CPU the server needs. Otherwise a small Python generator: one thread per
connection, `http.client`, keep-alive when the server allows it (gunicorn's sync workers
close every connection, so each request opens a new one, as wrk does against them too). The
Python generator needs more CPU per request than wrk and so caps lower on a small machine:
the report says which one was used.

Both give a `Load`: requests, seconds, requests/s, p50 and p99 latency, the bytes read per
response (status line, headers and body) and the number of responses that were not the
status expected.
"""

from __future__ import annotations

import http.client
import json
import math
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Load:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bytes_per_response: float
    errors: int  # unexpected statuses (wrk: not 2xx/3xx) plus socket errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], p: float) -> float:
    """The `p`-th percentile (0-100) by the nearest-rank method: the smallest value with at
    least p% of the values at or below it. 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def tool() -> str:
    """ "wrk" when wrk is on the PATH, else "python"."""
    return "wrk" if shutil.which("wrk") else "python"


# wrk's summary as one JSON line (latencies are in microseconds).
_WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, '
    .. '"socket_errors": %d, "status_errors": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50.0), latency:percentile(99.0),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _wrk(url: str, headers: dict[str, str], connections: int, seconds: float) -> Load:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "summary.lua"
        script.write_text(_WRK_SCRIPT)
        command = [
            "wrk",
            "--threads",
            str(min(2, connections)),
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "--script",
            str(script),
        ]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        proc = subprocess.run(  # noqa: S603 (wrk with our own arguments)
            [*command, url], capture_output=True, text=True, check=False
        )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {proc.stderr or proc.stdout}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    requests = summary["requests"]
    return Load(
        tool="wrk",
        requests=requests,
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        bytes_per_response=summary["bytes"] / requests if requests else 0.0,
        errors=summary["socket_errors"] + summary["status_errors"],
    )


def _python(
    url: str, headers: dict[str, str], connections: int, seconds: float, expect: int | None
) -> Load:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    stop = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    counts = [[0, 0] for _ in range(connections)]  # bytes, errors

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, tally = latencies[i], counts[i]
        while True:
            start = time.perf_counter()
            if start >= stop:
                break
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                tally[1] += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - start)
            head = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 17
            tally[0] += head + len(body)
            if (expect and response.status != expect) or response.status >= 400:
                tally[1] += 1
            if response.will_close:
                conn.close()
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [x for mine in latencies for x in mine]
    return Load(
        tool="python",
        requests=len(every),
        seconds=elapsed,
        p50_ms=percentile(every, 50) * 1000,
        p99_ms=percentile(every, 99) * 1000,
        bytes_per_response=sum(c[0] for c in counts) / len(every) if every else 0.0,
        errors=sum(c[1] for c in counts),
    )


def load(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    connections: int = 16,
    seconds: float = 10.0,
    expect: int | None = None,
    use: str | None = None,
) -> Load:
    """GET `url` over `connections` connections for `seconds`, with wrk or Python
    (`use`: "wrk" or "python"; default: wrk when installed). `expect` is the status every
    response must have (the Python generator checks it; wrk only counts statuses that are
    not 2xx or 3xx, so the caller checks the bytes per response as well)."""
    headers = headers or {}
    if (use or tool()) == "wrk":
        return _wrk(url, headers, connections, seconds)
    return _python(url, headers, connections, seconds, expect)
