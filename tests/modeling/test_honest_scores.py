"""Honest scores: training clients are served the out-of-fold probability, new clients the production model,
whichever family won; protected attributes are absent; the card lists every candidate and the fairness audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from training_setup import SEED

from modeling.config import TrainConfig
from modeling.policy import protected_features
from modeling.serving.explain import batch_reason_keys
from modeling.training import champion
from modeling.training.train import train

pytestmark = pytest.mark.requirement("EXG-MOD-11")


@pytest.fixture(scope="module")
def scorer(trained_model, training_db_url):
    from database.config import get_engine
    from modeling.serving.scorer import Scorer

    return Scorer(trained_model.artifact.bundle, get_engine(training_db_url))


@pytest.fixture(scope="module")
def features(scorer):
    return scorer.all_features()


@pytest.fixture(scope="module")
def training_features(trained_model, training_csv):
    """The training clients' features from the CSV files the model was trained on."""
    from modeling.serving.data import load_csv_tables
    from modeling.training.stages import subset_tables

    tables = subset_tables(load_csv_tables(training_csv), trained_model.data.ids)
    return trained_model.artifact.bundle.in_order(trained_model.artifact.bundle.features.transform(tables).reindex(trained_model.data.ids))


def test_training_clients_are_served_their_out_of_fold_probability(trained_model, scorer, features, training_features):
    p, _ = trained_model.artifact.bundle.served(training_features)
    assert p == pytest.approx(trained_model.decision.p_oof, rel=1e-9, abs=1e-12)
    # the production model, refit on these same clients, gives other (in-sample) figures
    in_sample = trained_model.artifact.bundle.predict_proba(training_features)
    assert np.abs(in_sample - trained_model.decision.p_oof).max() > 1e-3
    # from the database, through the Scorer: the same, except where the loader refused some of a client's rows
    served = scorer.score_frame(features).set_index("SK_ID_CURR")["probability"].reindex(trained_model.data.ids).to_numpy()
    same_rows = np.isclose(features.reindex(trained_model.data.ids).to_numpy(), training_features.to_numpy(), rtol=1e-9,
                           equal_nan=True).all(axis=1)
    assert same_rows.mean() > 0.98
    assert served[same_rows] == pytest.approx(trained_model.decision.p_oof[same_rows], rel=1e-6, abs=1e-9)


def test_a_client_outside_training_is_scored_by_the_production_model(trained_model, scorer, features):
    outside = [i for i in features.index if i not in set(trained_model.data.ids)]
    assert outside, "the synthetic set has test applications the model never saw"
    client = outside[0]
    score = scorer.score(client)
    assert score.basis == "production"
    production = trained_model.artifact.bundle.predict_proba(features.loc[[client]])[0]
    assert score.probability == pytest.approx(float(production), rel=1e-9)
    trained_client = int(trained_model.data.ids[0])
    assert scorer.score(trained_client).basis == "out_of_fold"


def test_served_probabilities_are_calibrated_on_labelled_clients(trained_model, scorer, features):
    """Deciles of served probabilities: observed default rate close to the mean probability, no 0 % or 100 %
    decile that its probabilities do not announce (a memorised score would show both)."""
    served = scorer.score_frame(features.reindex(trained_model.data.ids))["probability"].to_numpy()
    y = trained_model.data.y
    order = np.argsort(served, kind="stable")
    deciles = np.array_split(order, 10)
    ece = sum(len(d) * abs(y[d].mean() - served[d].mean()) for d in deciles) / len(y)
    assert ece <= 0.03, f"expected calibration error {ece:.3f}"
    for d in deciles:
        if y[d].mean() in (0.0, 1.0):
            assert abs(served[d].mean() - y[d].mean()) < 0.05, "a decile observed at 0 % or 100 % it did not predict"


def test_card_lists_every_candidate_and_the_rule_picks_the_served_family(trained_model):
    card = trained_model.artifact.bundle.card
    rows = pd.DataFrame(card["champion"]["candidates"])
    assert list(rows["family"]) == ["ext_source", "scorecard", "lightgbm"]
    assert rows["pooled_auc"].between(0.5, 1).all() and (rows["cost_per_client"] > 0).all()
    assert rows["chosen"].sum() == 1 and rows.loc[rows["chosen"], "family"].item() == trained_model.artifact.bundle.family
    winner, _ = champion.choose(trained_model.champion.candidates)
    assert winner.family == card["family"] == trained_model.artifact.bundle.family
    assert card["cv"]["pooled_auc"] == pytest.approx(rows.loc[rows["chosen"], "pooled_auc"].item())
    assert card["features"] == trained_model.artifact.bundle.feature_names


@pytest.mark.requirement("EXG-MOD-12")
def test_code_gender_is_absent_and_the_policy_and_its_cost_are_in_the_card(trained_model):
    bundle, card = trained_model.artifact.bundle, trained_model.artifact.bundle.card
    assert protected_features(bundle.feature_names, ("CODE_GENDER",)) == []
    policy = card["protected_attributes"]
    assert policy["attributes"] == ["CODE_GENDER"]
    assert "CODE_GENDER_F" in policy["removed_features"]
    assert policy["cost"]["measured"] and 0.5 < policy["cost"]["auc_with"] < 1
    assert set(policy["cost"]) >= {"auc_without", "cost_with", "cost_without"}


@pytest.mark.requirement("EXG-MOD-12")
def test_no_explanation_names_a_protected_attribute(trained_model, features):
    bundle = trained_model.artifact.bundle
    _, contributions = bundle.served(features, explain=True)
    keys = batch_reason_keys(contributions, bundle.in_order(features))
    cited = {k.feature for client in keys for k in client}
    assert cited, "reasons were produced"
    assert protected_features(cited, ("CODE_GENDER",)) == []


@pytest.mark.requirement("EXG-MOD-12")
def test_fairness_section_recomputes_from_the_out_of_fold_decisions(trained_model, training_csv):
    from modeling.serving.data import load_csv_tables

    fair = trained_model.artifact.bundle.card["fairness"]
    assert set(fair["attributes"]) == {"CODE_GENDER", "AGE_BAND", "NAME_FAMILY_STATUS"}
    app = load_csv_tables(training_csv)["application"].set_index("SK_ID_CURR")
    sex = app["CODE_GENDER"].reindex(trained_model.data.ids).to_numpy()
    granted = trained_model.decision.p_oof < fair["threshold"]
    for group in fair["attributes"]["CODE_GENDER"]["groups"]:
        mask = sex == group["group"]
        assert group["clients"] == mask.sum()
        assert group["approval_rate"] == pytest.approx(granted[mask].mean())
    ratio = fair["attributes"]["CODE_GENDER"]["demographic_parity_ratio"]
    assert 0 < ratio <= 1 and fair["attributes"]["CODE_GENDER"]["four_fifths_ok"] == (ratio >= 0.8)
    assert 0.3 < fair["proxy"]["CODE_GENDER"]["auc"] < 1


@pytest.mark.parametrize("family", ["scorecard", "ext_source"])
def test_the_scorer_serves_whichever_family_won(family, tmp_path_factory, training_csv, scorer):
    from modeling.serving.scorer import Scorer

    base = tmp_path_factory.getbasetemp()
    cfg = TrainConfig(folds=3, max_evals=0, candidates=(family,), seed=SEED, source=training_csv,
                      out_dir=base / f"models-{family}", n_jobs=1, baselines=False, policy_cost=False,
                      fairness=False)
    r = train(cfg, say=lambda _message: None)
    assert r.artifact.bundle.family == family and r.artifact.bundle.lgbm is None
    own = Scorer(r.artifact.bundle, scorer.engine)
    client = int(r.data.ids[5])
    score = own.score(client)
    assert score.basis == "out_of_fold"
    assert score.probability == pytest.approx(float(r.decision.p_oof[5]), rel=1e-9)
    assert score.reasons and all(reason.sentence for reason in score.reasons)
    # contributions add up to the log-odds of the raw score, as SHAP values do
    X = own.features([client])
    model = r.artifact.bundle.fold_models[r.artifact.bundle.route([client])[0]]
    values = model.matrix(X)
    contrib, base_value = model.contributions(values)
    raw = model.raw_probability(values)[0]
    assert contrib.sum() + base_value == pytest.approx(np.log(raw / (1 - raw)), abs=1e-9)
    text = (r.folder / "report.md").read_text()
    assert f"Production model: **{family}**" in text
    if family == "scorecard":
        points = pd.DataFrame(r.artifact.bundle.card["scorecard"]["points"])
        assert {"variable", "bin", "points"} <= set(points.columns) and len(points) >= 3
        assert "Scorecard points" in text
