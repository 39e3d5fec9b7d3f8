"""Feature engineering: one module per source table, assembled by FeatureBuilder."""

from modeling.features.builder import TABLES, FeatureBuilder

__all__ = ["TABLES", "FeatureBuilder"]
