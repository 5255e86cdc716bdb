"""The tasks the playground trains, a package each; registry.py lists them for the rest of the code to ask."""
