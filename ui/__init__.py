"""Small drawing helpers for the pages. They draw and dispatch; every decision lives in lstm_core."""
