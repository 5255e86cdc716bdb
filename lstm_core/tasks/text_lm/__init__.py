"""A character or word language model trained on a plain text."""
