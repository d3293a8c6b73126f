"""Shared test configuration. Each test package (core, emulator, sync, ...) has its own."""
