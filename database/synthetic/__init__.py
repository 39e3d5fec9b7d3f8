"""Synthetic Home Credit data in the Kaggle file format, with a documented latent default probability."""

from database.synthetic.generate import TEST_SHARE, generate

__all__ = ["TEST_SHARE", "generate"]
