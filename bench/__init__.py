"""Reproducible benchmarks for together-catalog (`python -m bench`, `make bench`).

Everything is measured in fresh subprocesses so one subject's imports and heap never skew
another's; results are medians over repeated runs, written to bench/RESULTS.md.
"""
