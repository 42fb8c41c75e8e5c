"""Regeneration pipeline for asc-builds: slice, patch, generate, lock, check."""
