"""The catalog layer: Together's docs tables as declared columns, typed models and YAML files.

This folder holds the source of truth (the `*.yaml` files beside this module, one per docs
table, plus notes, aliases and waivers) and the code that declares, stores, loads and checks
it. It sits at the bottom of the pipeline: `scrapers` (reading the docs) and `codegen`
(writing generated/) both build on it, and it imports neither.
"""
