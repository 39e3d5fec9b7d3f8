"""The deployed web application: the dashboard and the scoring API on one port, and the release step.

Free hosts give one public port (``$PORT``). ``python -m webapp serve`` runs one Bokeh server process that
serves the dashboard at ``/`` and the Flask API under ``/api/`` (through tornado's WSGI container, on a
small thread pool); ``python -m webapp release`` migrates the database and, in demo mode, fills it.
This package is the only place that imports both ``api`` and ``bokeh_app``.
"""
