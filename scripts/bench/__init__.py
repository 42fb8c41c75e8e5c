"""The pieces of `scripts/benchmark.py`: a fast loopback server, the contenders, each section.

Nothing here is part of the wheel or of the public API; it is a tool for measuring.
"""

__all__: list[str] = []
