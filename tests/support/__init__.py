"""Test support: factories shared by the test suite."""
