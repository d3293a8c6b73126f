"""``python -m benchmarks``: run the benchmarks (``--quick`` for a smoke run)."""

from benchmarks.run import main

raise SystemExit(main())
