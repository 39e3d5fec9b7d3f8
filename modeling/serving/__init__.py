"""What serves a decision: the signed model bundle, its families, calibration, points and threshold, the scorer, the score store, what-if and the reasons. Never imports training."""
