"""One module per App Store Connect resource the SDK reads or changes.

Each module holds the request building and response parsing its sync and async
surfaces share, and the two thin shells over them.
"""

__all__: list[str] = []
