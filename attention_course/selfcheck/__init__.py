"""Visible self-checks: one module per chapter, each with its cases (data) and hints."""
