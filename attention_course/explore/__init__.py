"""Figures and slider explorers: one module per chapter."""
