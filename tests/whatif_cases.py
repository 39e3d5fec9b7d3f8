"""Clients of the test bank for what-if tests: refused by their served score (the card's decision), with
or without an amount that the counterfactual search finds granted."""

from __future__ import annotations

from functools import cache

#: Refused clients looked at, at most (about 0.7 s each).
LOOKED_AT = 40


@cache
def _cases(database_url: str, model_folder: str) -> tuple:
    from database.config import get_engine
    from modeling.serving.artifact import load_bundle
    from modeling.serving.scorer import Scorer
    from modeling.serving.whatif import WhatIf

    scorer = Scorer(load_bundle(model_folder), get_engine(database_url))
    X = scorer.all_features()
    served = scorer.score_frame(X)["decision"].to_numpy()  # the decision the dashboard's card shows
    found = none = None
    for client_id in [int(i) for i in X.index[served == "refuse"]][:LOOKED_AT]:
        whatif = WhatIf(scorer, client_id)
        counterfactual = whatif.counterfactual("fr")
        if counterfactual.kind == "found" and counterfactual.amount and found is None:
            found = (whatif, counterfactual)
        elif counterfactual.kind == "none" and none is None:
            none = (whatif, counterfactual)
        if found and none:
            break
    assert found is not None, "no refused client of the test bank can be granted by a smaller amount"
    return scorer, found, none


def refused_cases(stack) -> tuple:
    """(scorer, (WhatIf, Counterfactual) of a client a smaller amount gets granted, the same of a client nothing
    alone helps or None), on the stack's latest model."""
    return _cases(stack.database_url, str((stack.model_dir / "latest").resolve()))
