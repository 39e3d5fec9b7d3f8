"""The columnar feature path: the table modules' specs as Polars queries over Arrow tables."""

from modeling.features.columnar.build import Table, build, lazy, query

__all__ = ["Table", "build", "lazy", "query"]
