"""Benchmarks: scripts that print figures (ratios against a baseline from the same run)."""
