"""Text: a character or word language model, and classification of texts from a CSV."""
