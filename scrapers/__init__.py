"""Scrapers: Together's docs pages (markdown) -> table rows -> reconciled catalog/ YAML."""
