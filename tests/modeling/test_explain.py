"""Explanations: exact SHAP, grouped reasons in plain French and English, population percentiles."""
from __future__ import annotations

import pickle

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import shap

from modeling.serving.explain import (
    PopulationStats,
    explain_client,
    global_importance,
    plot_global_importance,
    reasons_from_contributions,
    shap_contributions,
)
from modeling.wording import catalogue, labels

pytestmark = pytest.mark.requirement("EXG-MOD-06")

NBSP = "\u00a0"
LATE = "INSTAL_DAYS_LATE_MEAN"


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "EXT_SOURCE_2": rng.uniform(0, 0.85, n),
        "EXT_SOURCE_3": rng.uniform(0, 0.9, n),
        "CREDIT_INCOME_RATIO": rng.lognormal(1.0, 0.6, n),
        "ANNUITY_INCOME_RATIO": rng.uniform(0.02, 0.4, n),
        LATE: np.where(rng.random(n) < 0.6, 0.0, rng.exponential(4.0, n)),
        "INSTAL_PAID_RATIO_MEAN": rng.uniform(0.7, 1.0, n),
        "BURO_CREDIT_DAY_OVERDUE_MAX": np.where(rng.random(n) < 0.9, 0.0, rng.exponential(30.0, n)),
        "PREV_AMT_CREDIT_MEAN": rng.lognormal(11.5, 0.8, n),
        "DAYS_BIRTH": -rng.uniform(21, 68, n) * 365.25,
        "DAYS_EMPLOYED": -rng.uniform(0, 30, n) * 365.25,
        "AMT_CREDIT": rng.uniform(45_000, 2_000_000, n),
        "AMT_INCOME_TOTAL": rng.uniform(30_000, 500_000, n),
    })
    X.loc[rng.random(n) < 0.2, "EXT_SOURCE_3"] = np.nan
    X.loc[rng.random(n) < 0.3, LATE] = np.nan
    return X


def _target(X: pd.DataFrame, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logit = (-2.2 - 3.0 * X["EXT_SOURCE_2"] - 2.0 * X["EXT_SOURCE_3"].fillna(0.1)
             + 0.35 * X["CREDIT_INCOME_RATIO"] + 0.25 * X[LATE].fillna(0).clip(upper=15)
             + 0.02 * X["BURO_CREDIT_DAY_OVERDUE_MAX"].clip(upper=60) + 0.02 * (X["DAYS_BIRTH"] / 365.25 + 45))
    return (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _frame(5000, seed=1)


@pytest.fixture(scope="module")
def model(data) -> lgb.LGBMClassifier:
    params = dict(n_estimators=120, learning_rate=0.08, num_leaves=15, min_child_samples=30, verbose=-1, random_state=0)
    return lgb.LGBMClassifier(**params).fit(data, _target(data, seed=2))


@pytest.fixture(scope="module")
def population(data) -> PopulationStats:
    return PopulationStats.from_frame(data)


@pytest.fixture(scope="module")
def clients() -> pd.DataFrame:
    return _frame(60, seed=3)


def _typical(data: pd.DataFrame, **changes: float) -> pd.DataFrame:
    """A one-row frame with median values, some of them replaced."""
    row = data.median().to_frame().T
    for name, value in changes.items():
        row[name] = value
    row.index = pd.Index([100002], name="SK_ID_CURR")
    return row


# --- exact contributions ---------------------------------------------------------------------------------------

def test_contributions_add_up_to_model_margin(model, clients):
    contributions, base = shap_contributions(model, clients)
    margin = model.predict(clients, raw_score=True)
    assert list(contributions.columns) == list(clients.columns)
    assert contributions.index.equals(clients.index)
    np.testing.assert_allclose(contributions.sum(axis=1).to_numpy() + base, margin, atol=1e-6)


@pytest.mark.filterwarnings("ignore:LightGBM binary classifier:UserWarning")
def test_contributions_agree_with_shap_tree_explainer(model, clients):
    contributions, base = shap_contributions(model, clients)
    explainer = shap.TreeExplainer(model.booster_)
    values = explainer.shap_values(clients)
    values = values[1] if isinstance(values, list) else values
    np.testing.assert_allclose(contributions.to_numpy(), values, atol=1e-6)
    assert base == pytest.approx(float(np.ravel(explainer.expected_value)[-1]), abs=1e-6)


def test_contributions_follow_names_not_column_order(model, clients):
    shuffled = clients[list(reversed(clients.columns))]
    expected, _ = shap_contributions(model, clients)
    got, _ = shap_contributions(model.booster_, shuffled)
    pd.testing.assert_frame_equal(got, expected)


def test_missing_feature_column_is_named(model, clients):
    with pytest.raises(ValueError, match="INSTAL_DAYS_LATE_MEAN"):
        shap_contributions(model, clients.drop(columns=[LATE]))


# --- reasons ---------------------------------------------------------------------------------------------------

def test_at_most_top_groups_each_way(model, clients, population):
    contributions, _ = shap_contributions(model, clients)
    groups = contributions.T.groupby([labels.feature_group(n) for n in contributions.columns]).sum().T
    crowded = ((groups > 0.01).sum(axis=1) > 2) | ((groups < -0.01).sum(axis=1) > 2)
    assert crowded.any(), "the test needs clients with more than 2 groups on one side"
    for top in (2, 4):
        for i in range(len(clients)):
            reasons = explain_client(model, clients.iloc[[i]], population, top=top)
            assert sum(r.direction == "raises" for r in reasons) <= top
            assert sum(r.direction == "lowers" for r in reasons) <= top
            assert len({r.group for r in reasons}) == len(reasons)


def test_directions_and_order_follow_group_contributions(model, clients, population):
    contributions, _ = shap_contributions(model, clients)
    for i in range(len(clients)):
        reasons = explain_client(model, clients.iloc[[i]], population, lang="en")
        row = contributions.iloc[i]
        for r in reasons:
            in_group = [n for n in row.index if labels.feature_group(n) == r.group]
            assert r.contribution == pytest.approx(row[in_group].sum(), abs=1e-9)
            assert r.direction == ("raises" if r.contribution > 0 else "lowers")
            assert np.sign(r.feature_contribution) == np.sign(r.contribution)
            assert r.feature in in_group
            assert ("raise" in r.sentence) == (r.direction == "raises")
        for direction in ("raises", "lowers"):
            sizes = [abs(r.contribution) for r in reasons if r.direction == direction]
            assert sizes == sorted(sizes, reverse=True)


def test_late_payer_is_told_payment_history_raises_risk(model, data, population):
    row = _typical(data, **{LATE: 14.0})
    payment_group = labels.feature_group(LATE)
    fr = {r.group: r for r in explain_client(model, row, population, lang="fr")}
    en = {r.group: r for r in explain_client(model, row, population, lang="en")}
    assert fr[payment_group].direction == "raises" and fr[payment_group].feature == LATE
    assert fr[payment_group].percentile > 90
    assert "augmente" in fr[payment_group].sentence and "le risque" in fr[payment_group].sentence
    assert " raise" in en[payment_group].sentence and "the risk" in en[payment_group].sentence
    assert labels.format_value(LATE, 14.0, "fr") in fr[payment_group].sentence
    assert labels.format_value(LATE, 14.0, "en") in en[payment_group].sentence
    assert "plus que pour 9" in fr[payment_group].sentence and f"{NBSP}% des clients" in fr[payment_group].sentence
    assert "higher than for 9" in en[payment_group].sentence and "% of clients" in en[payment_group].sentence


def test_sentences_show_formatted_values_in_both_languages(model, clients, population):
    seen = 0
    for i in range(20):
        for lang in catalogue.LANGS:
            for r in explain_client(model, clients.iloc[[i]], population, lang=lang):
                assert r.sentence[0].isupper() and r.sentence.endswith(".")
                assert r.label == labels.feature_label(r.feature, lang)
                assert r.group_label == labels.group_label(r.group, lang)
                if r.value is None:
                    continue
                seen += 1
                assert r.display_value == labels.format_value(r.feature, r.value, lang)
                assert r.display_value in r.sentence
                if lang == "fr":
                    assert " %" not in r.sentence and " :" not in r.sentence
                else:
                    assert f"{NBSP}%" not in r.sentence and f"{NBSP}:" not in r.sentence
    assert seen > 20


def test_every_business_group_has_a_label_in_both_languages():
    for group in labels.groups():
        assert labels.group_label(group, "fr") and labels.group_label(group, "en")


def test_sentence_reads_as_a_reason_in_both_languages(model, data, population):
    """The client's value, a plain comparison with other clients, then which way it moves the risk."""
    row = _typical(data, **{LATE: 14.0})
    fr = next(r for r in explain_client(model, row, population, lang="fr") if r.feature == LATE)
    en = next(r for r in explain_client(model, row, population, lang="en") if r.feature == LATE)
    assert fr.sentence.startswith(f"Retard moyen de paiement des échéances{NBSP}: 14{NBSP}jours, plus que pour 9")
    assert f" (au moins la moitié des clients{NBSP}: 0{NBSP}jour){NBSP};" in fr.sentence  # 60 % pay on time
    assert fr.sentence.endswith(f"{NBSP}; cela augmente le risque.") and "(jours)" not in fr.sentence
    assert en.sentence.startswith(f"Average payment delay on instalments: 14{NBSP}days, higher than for 9")
    assert f" (at least half of clients: 0{NBSP}days); " in en.sentence and en.sentence.endswith("; this raises the risk.")
    assert "log" not in fr.sentence + en.sentence


def test_negative_day_counts_are_ranked_as_shown(data, population):
    row = _typical(data, DAYS_BIRTH=-66 * 365.25).iloc[0]  # older than nearly everyone
    contributions = pd.Series(0.0, index=data.columns)
    contributions["DAYS_BIRTH"] = -0.5
    (reason,) = reasons_from_contributions(contributions, row, population, lang="en")
    assert reason.feature == "DAYS_BIRTH" and reason.direction == "lowers"
    assert reason.percentile > 95
    assert "66" in reason.display_value and "higher than for 9" in reason.sentence


def test_missing_value_is_said_to_be_missing(model, data, population):
    row = _typical(data, EXT_SOURCE_3=np.nan)
    group = labels.feature_group("EXT_SOURCE_3")
    contributions, _ = shap_contributions(model, row)
    assert contributions.loc[row.index[0], "EXT_SOURCE_3"] > 0.05, "a missing external score should raise the risk"
    fr = {r.feature: r for r in explain_client(model, row, population, lang="fr")}
    en = {r.feature: r for r in explain_client(model, row, population, lang="en")}
    assert fr["EXT_SOURCE_3"].group == group and fr["EXT_SOURCE_3"].value is None
    assert fr["EXT_SOURCE_3"].percentile is None
    assert "non renseigné" in fr["EXT_SOURCE_3"].sentence and "augmente le risque" in fr["EXT_SOURCE_3"].sentence
    assert "not given" in en["EXT_SOURCE_3"].sentence and "raises the risk" in en["EXT_SOURCE_3"].sentence


def test_negligible_groups_are_left_out(model, clients, population):
    everything = explain_client(model, clients.iloc[[0]], population, top=50, min_contribution=0.0)
    filtered = explain_client(model, clients.iloc[[0]], population, top=50, min_contribution=0.2)
    assert all(abs(r.contribution) >= 0.2 for r in filtered)
    assert len(filtered) < len(everything)


def test_unknown_language_and_several_rows_are_refused(model, clients, population):
    with pytest.raises(ValueError, match="'de'"):
        explain_client(model, clients.iloc[[0]], population, lang="de")
    with pytest.raises(ValueError, match="one feature row"):
        explain_client(model, clients.iloc[:2], population)


# --- population percentiles ------------------------------------------------------------------------------------

def _stats(grid) -> PopulationStats:
    grid = np.asarray(grid, dtype=float)
    return PopulationStats(["F"], grid[None, :], np.zeros(1), 1000)


def test_percentile_on_known_grid():
    stats = _stats(np.arange(101.0))  # the q-th quantile is q
    assert stats.percentile("F", 37.5) == pytest.approx(37.5)
    assert stats.percentile("F", 91.0) == pytest.approx(91.0)
    assert stats.percentile("F", -5.0) == 0.0
    assert stats.percentile("F", 500.0) == 100.0
    assert stats.percentile("F", np.nan) is None and stats.percentile("F", None) is None


def test_percentile_with_ties_uses_the_middle_of_the_tie():
    stats = _stats(np.r_[np.zeros(61), np.linspace(1, 40, 40)])  # 60 % of clients have 0
    assert stats.position("F", 0.0) == pytest.approx((0.0, 60.0, 40.0))
    assert stats.percentile("F", 0.0) == pytest.approx(30.0)
    with pytest.raises(KeyError, match="'G'"):
        stats.percentile("G", 1.0)


def test_population_from_a_quantile_table():
    X = pd.DataFrame({"A": np.arange(1.0, 101.0)})
    stats = PopulationStats.from_quantiles(X.quantile(np.linspace(0, 1, 21)), n_rows=100)
    assert stats.percentile("A", 50.5) == pytest.approx(50.0)
    assert stats.percentile("A", 200.0) == 100.0


def test_population_from_frame_ignores_missing_values_and_pickles():
    X = pd.DataFrame({"A": np.r_[np.arange(1.0, 101.0), [np.nan] * 100], "B": np.nan})
    stats = pickle.loads(pickle.dumps(PopulationStats.from_frame(X)))
    assert stats.percentile("A", 50.5) == pytest.approx(50.0)
    assert stats.missing_share.tolist() == [0.5, 1.0]
    assert stats.percentile("B", 1.0) is None
    assert stats.quantiles.shape == (2, 101)


# --- global importance -----------------------------------------------------------------------------------------

def test_global_importance_ranks_features_and_groups(model, data, tmp_path):
    table = global_importance(model, data, lang="en", max_rows=2000)
    assert set(table["feature"]) == set(data.columns)
    assert table["mean_abs_shap"].is_monotonic_decreasing
    assert table["feature"].iloc[0] in {"EXT_SOURCE_2", LATE, "EXT_SOURCE_3", "CREDIT_INCOME_RATIO"}
    assert table.set_index("feature").loc["AMT_INCOME_TOTAL", "share"] < 0.05
    assert table["share"].sum() == pytest.approx(1.0)
    groups = table.drop_duplicates("group")
    assert groups["group_share"].sum() == pytest.approx(1.0)
    assert (table["group"] == [labels.feature_group(n) for n in table["feature"]]).all()
    assert (table["label"] == [labels.feature_label(n, "en") for n in table["feature"]]).all()
    # a group weighs at least as much as its largest feature only when its features push the same way,
    # but never more than the sum of its features
    summed = table.groupby("group")["mean_abs_shap"].sum()
    assert (groups.set_index("group")["group_mean_abs_shap"] <= summed[groups["group"]].to_numpy() + 1e-9).all()
    png = plot_global_importance(table, tmp_path / "report" / "importance.png", lang="en")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_sentence_labels_drop_the_unit_the_value_already_carries():
    from modeling.serving.explain import _sentence_label

    assert _sentence_label("Situation familiale : marié(e)") == "Situation familiale : marié(e)"
    assert _sentence_label("Retard moyen (jours)") == "Retard moyen"
