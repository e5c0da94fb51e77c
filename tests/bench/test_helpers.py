"""The benchmark's own helpers: percentiles, pass marks, the printed table and the Python
load generator. (The benchmarks themselves are `make bench`, never part of the tests.)"""

import http.server
import threading

import pytest

from bench.loadgen import load, percentile
from bench.measure import Result, table
from bench.pages import database_url


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, 0.0),
        ([7.0], 99, 7.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([3.0, 1.0, 2.0, 4.0], 75, 3.0),
        ([float(x) for x in range(1, 101)], 99, 99.0),
        ([float(x) for x in range(1, 101)], 100, 100.0),
    ],
)
def test_percentile_is_the_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


def test_a_pass_mark_from_below_or_above():
    assert Result("p", "ratio", "x", [0.39, 0.41, 0.45], at_least=0.40).passed is True
    assert Result("p", "ratio", "x", [0.30, 0.39, 0.45], at_least=0.40).passed is False
    assert Result("p", "time", "s", [1.0, 2.0, 3.0], limit=2.0).passed is True
    assert Result("p", "info", "s", [1.0]).passed is None
    assert Result("p", "wrong", "x", [1.0], at_least=0.4, ok=False).passed is False


def test_table_has_a_column_for_each_further_figure():
    printed = table(
        [
            Result("recompute", "a run", "s", [2.0, 1.0, 3.0], limit=5.0, target="< 5 s"),
            Result(
                "pages",
                "home: warm",
                "x",
                [0.5],
                at_least=0.4,
                target=">= 0.40",
                columns={"req/s": "1,000", "p99": "9.0 ms"},
            ),
        ]
    )
    header, rule, recompute, pages = printed.splitlines()
    assert [h.strip() for h in header.split(" | ")[-2:]] == ["req/s", "p99"]
    assert set(rule) <= {"-", "+"}
    assert "2.00 s" in recompute and "1.00 s - 3.00 s" in recompute and "PASS" in recompute
    assert recompute.endswith("PASS")  # no trailing blanks for the columns it lacks
    assert "0.50x" in pages and pages.endswith("1,000 | 9.0 ms")


def test_pages_database_is_the_bench_database_with_a_suffix(monkeypatch):
    monkeypatch.delenv("BENCH_PAGES_DATABASE_URL", raising=False)
    url = "postgres://postgres@127.0.0.1:5432/kinerja_bench"
    assert database_url(url) == "postgres://postgres@127.0.0.1:5432/kinerja_bench_pages"


class _Hello(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (the handler's API)
        self.send_response(200)
        self.send_header("Content-Length", "13")
        self.end_headers()
        self.wfile.write(b"Hello, world!")

    def log_message(self, *args):
        pass


def test_python_load_generator_counts_requests_and_bytes():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        result = load(url, connections=2, seconds=0.3, expect=200, use="python")
    finally:
        server.shutdown()
        server.server_close()
    assert result.tool == "python"
    assert result.requests > 10
    assert result.errors == 0
    assert result.rps > 0
    assert 0 < result.p50_ms <= result.p99_ms
    assert result.bytes_per_response > 13
