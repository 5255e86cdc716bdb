"""Forecasting a CSV time series: windows, the pipeline, metrics and baselines, intervals and backtests."""
