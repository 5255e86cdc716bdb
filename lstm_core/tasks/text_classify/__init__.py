"""Classifying the texts of a CSV (a text column and a label column)."""
