"""Benchmarks for outreach: run with ``python -m benchmarks`` (see benchmarks/README.md)."""
