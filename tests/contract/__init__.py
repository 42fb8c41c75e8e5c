"""Contract tests: the SDK against the pinned slice of Apple's App Store Connect spec."""
