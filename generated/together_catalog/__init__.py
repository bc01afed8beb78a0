"""Placeholder until `make generate` writes the package."""
