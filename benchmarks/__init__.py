"""Scripts that print measured figures beside their targets: run as `python -m benchmarks.NAME`."""
