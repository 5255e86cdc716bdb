"""Reading a CSV into a typed description of a time series (pandas does the parsing).

The modules: reading (load_csv: decoding, delimiters, limits), describe (typing the columns, melting calendar tables),
dataset (Dataset), numbers (numbers written as text), times (the time column), missing (handle_missing) and periods
(calendar tables).
"""

from lstm_core.data.dataset import Dataset
from lstm_core.data.describe import describe, reshaped
from lstm_core.data.missing import handle_missing
from lstm_core.data.reading import load_csv

__all__ = ["Dataset", "describe", "handle_missing", "load_csv", "reshaped"]
