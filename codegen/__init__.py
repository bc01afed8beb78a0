"""The catalog's models, loader, consistency rules and code generator."""
