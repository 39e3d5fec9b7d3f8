"""Project-management documents built from the project's own data: backlog, EVM, traceability, reports."""
