"""The tabs agree: the portfolio serves training clients their out-of-fold probability, so the portfolio, the
cohort summary and the threshold view give the same approval rate for the same threshold and population."""
from __future__ import annotations

import numpy as np
import pytest

from bokeh_app.views.cohort import summary_html
from modeling.serving.threshold import threshold_table

pytestmark = pytest.mark.requirement("EXG-MOD-11")


def test_training_clients_carry_their_out_of_fold_probability(portfolio):
    oof = portfolio.oof.set_index("SK_ID_CURR")
    served = portfolio.clients.loc[oof.index, "PROBABILITY"].to_numpy()
    assert served == pytest.approx(oof["PROBABILITY"].to_numpy(), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("threshold", ["model", 0.05, 0.2])
def test_portfolio_cohort_and_threshold_views_agree_on_the_approval_rate(portfolio, threshold):
    t = portfolio.threshold if threshold == "model" else threshold
    oof = portfolio.oof
    training = portfolio.clients.loc[oof["SK_ID_CURR"]]
    from_portfolio = float((training["PROBABILITY"] < t).mean())
    table = threshold_table(oof["TARGET"].to_numpy(), oof["PROBABILITY"].to_numpy(), portfolio.cost)
    # row i of the table grants the i lowest distinct probabilities: the row of t grants every p < t (as the view)
    at = table.iloc[int(np.searchsorted(np.unique(oof["PROBABILITY"].to_numpy()), t, side="left"))]
    assert float(at["approval_rate"]) == pytest.approx(from_portfolio, abs=1e-12)
    if threshold == "model":  # the cohort summary shows the portfolio's decisions, made at the model threshold
        assert float((training["DECISION"] == "grant").mean()) == pytest.approx(from_portfolio)
        shown = f"{100 * from_portfolio:.1f}".replace(".", ",")
        assert shown in summary_html(training, "fr").replace("\u202f", "").replace("\u00a0", "")
