"""What builds a model: cross-validation, imbalance strategies, tuning, challengers, the champion rule, fairness, the report. Imports serving; serving never imports it."""
