"""`python -m together_catalog` runs the same CLI as the `together-catalog` entry point."""

from __future__ import annotations

import sys

from together_catalog.cli import main

if __name__ == "__main__":
    sys.exit(main())
