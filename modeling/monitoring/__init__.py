"""Drift, stability and back-testing of the model in service, its run, report and command."""
