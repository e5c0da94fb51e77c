"""Benchmarks of the portal at province scale, on their own PostgreSQL database.

`python -m bench [all|recompute|import]` (`make bench PART=...`). Each part is a module
registered in `PARTS` with a `run(ctx) -> list[Result]` function; the runner sets up the
database and Django once, runs the parts asked for, prints one table and writes it as JSON
under `bench-results/`. Adding a part (the "pages" one: gunicorn + wrk) is a new module and
one line here. Kept out of `make test`: only the helpers' unit tests (`tests/bench/`) import
it, and they run no benchmark.
"""

# name -> module with `run(ctx: bench.runner.Context) -> list[bench.measure.Result]`.
# Imported lazily, after Django is set up on the bench database.
PARTS: dict[str, str] = {
    "recompute": "bench.recompute",
    "import": "bench.imports",
    "survey": "bench.survey",
    "pages": "bench.pages",
    "load": "bench.load",
    "history": "bench.history",
}
