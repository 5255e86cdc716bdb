"""Inside the LSTM: gate values recomputed from a trained layer's weights (gates.py), the layers read from a model
(capture.py), a healthy reference run to compare with (reference.py), and the view of a stored run (run.py)."""
