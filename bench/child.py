"""`python -m bench.child module:function '<json kwargs>'`: one measured call in a process of
its own (see `bench.measure.run_in_child`). Prints one JSON line."""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time

from . import db
from .measure import current_rss_kb


def main(argv: list[str]) -> None:
    target, kwargs = argv[0], json.loads(argv[1])
    db.setup_django(db.database_url())
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    rss_before = current_rss_kb()
    start = time.perf_counter()
    result = function(**kwargs)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"seconds": seconds, "peak_rss_kb": peak, "rss_before_kb": rss_before, "result": result}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
