"""The run store: every run's settings, status, curve, findings and artifacts, kept across reloads and restarts.

SQLite (db.py) holds the rows; a folder per run holds its files (model.keras, config.json, history.csv, …); uploaded
data is kept once per content (its SHA-256), so a run can be opened and scored again later. The root is
LSTM_PLAYGROUND_HOME, or ~/.lstm_playground when unset.
"""

from lstm_core.store.runs import ACTIVE, STATUS_WORDS, TERMINAL, RunStore, store_home
from lstm_core.store.workspaces import new_workspace_id, valid_workspace_id

__all__ = ["ACTIVE", "STATUS_WORDS", "TERMINAL", "RunStore", "new_workspace_id", "store_home",
           "valid_workspace_id"]
