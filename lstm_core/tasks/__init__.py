"""The tasks, each a package: forecast, sequences (classification), text_lm and text_classify."""
