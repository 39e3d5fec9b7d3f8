"""The label catalogue: every feature worded in French and English, grouped, with a readable value."""

from __future__ import annotations

import math

import pytest

from modeling.features import FeatureBuilder
from modeling.wording import catalogue, labels

pytestmark = pytest.mark.requirement("EXG-MOD-06")

NBSP = "\u00a0"
NNBSP = "\u202f"  # the one French thousands separator (CLDR, through Babel)


@pytest.fixture(scope="module")
def all_feature_names(sample_tables, synthetic_tables) -> list[str]:
    names = set(FeatureBuilder().fit(sample_tables).get_feature_names_out())
    names |= set(FeatureBuilder().fit(synthetic_tables).get_feature_names_out())
    return sorted(names)


def test_every_feature_has_french_and_english_labels_a_group_and_a_unit(all_feature_names):
    group_keys = set(labels.groups())
    for name in all_feature_names:
        fr, en = labels.feature_label(name, "fr"), labels.feature_label(name, "en")
        assert fr and en and fr[0].isupper() and en[0].isupper(), name
        assert "{" not in fr + en and "_" not in fr + en, (name, fr, en)
        assert labels.feature_group(name) in group_keys, name
        assert labels.unit(name) in labels.UNITS, name
        assert labels.group_label(labels.feature_group(name), "fr")


def test_labels_are_distinct_enough_to_tell_features_apart(all_feature_names):
    for lang in catalogue.LANGS:
        worded = [labels.feature_label(n, lang) for n in all_feature_names]
        assert len(set(worded)) >= 0.97 * len(worded)


def test_aggregate_labels_are_composed_from_table_column_and_aggregation():
    assert labels.feature_label("INSTAL_DAYS_LATE_MEAN", "fr") == "Retard moyen de paiement des échéances (jours)"
    assert labels.feature_label("INSTAL_DAYS_LATE_MEAN", "en") == "Average payment delay on instalments (days)"
    assert labels.feature_label("INSTAL_DAYS_LATE_MAX", "fr") == (
        "Maximum du retard de paiement sur les échéances des prêts Home Credit (jours)"
    )
    assert labels.feature_label("REFUSED_AMT_CREDIT_MEAN", "en") == (
        "Average credit amount of refused previous applications"
    )
    assert "refusée" in labels.feature_label("PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE", "fr")
    assert labels.unit("PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE") == "share"
    assert labels.unit("INSTAL_LATE_SUM") == "count"


def test_groups_follow_the_business_concepts():
    assert labels.feature_group("EXT_SOURCE_2") == "external_scores"
    assert labels.feature_group("INSTAL_12M_DAYS_LATE_MAX") == "payment_history"
    assert labels.feature_group("ACTIVE_AMT_CREDIT_SUM_DEBT_SUM") == "credit_bureau"
    assert labels.feature_group("CREDIT_INCOME_RATIO") == "debt_burden"
    assert labels.feature_group("CC_UTILISATION_MEAN") == "card_usage"
    assert labels.feature_group("AMT_CREDIT") == "loan_request"
    assert labels.group_label("credit_bureau", "fr") == "Crédits auprès d'autres établissements"
    assert labels.group_label("previous_applications", "fr") == "Demandes précédentes chez Home Credit"


def test_one_hot_labels_translate_known_values_and_keep_unknown_ones_readable():
    assert labels.feature_label("CODE_GENDER_F", "fr") == f"Sexe{NBSP}: femme"
    assert labels.feature_label("ORGANIZATION_TYPE_OTHER", "en") == "Employer's sector: other"
    assert labels.feature_label("ORGANIZATION_TYPE_BUSINESS_ENTITY_TYPE_3", "en") == (
        "Employer's sector: business entity type 3"
    )
    assert labels.feature_label("FLAG_DOCUMENT_3", "fr") == "Document n°3 fourni"


def test_values_are_written_for_people():
    assert labels.format_value("DAYS_BIRTH", -9461, "fr") == f"25{NBSP}ans"  # completed years, as on the card
    assert labels.format_value("DAYS_BIRTH", -9461, "en") == f"25{NBSP}years"
    assert labels.format_value("DAYS_EMPLOYED", -192, "fr") == f"0,5{NBSP}an"  # a duration a person reads: years
    assert labels.format_value("DAYS_EMPLOYED", -1000, "en") == f"2.7{NBSP}years"
    assert labels.format_value("INSTAL_DAYS_LATE_MEAN", 14.0, "fr") == f"14{NBSP}jours"  # a delay stays in days
    assert labels.format_value("INSTAL_DAYS_LATE_MEAN", 0.0, "en") == f"0{NBSP}days"
    assert labels.format_value("AMT_CREDIT", 406597.5, "fr") == f"406{NNBSP}598"
    assert labels.format_value("AMT_CREDIT", 406597.5, "en") == "406,598"
    assert labels.format_value("PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE", 0.25, "fr") == f"25{NBSP}%"
    assert labels.format_value("ANNUITY_INCOME_RATIO", 0.49, "fr") == f"49{NBSP}%"  # a ratio read as a share
    assert labels.format_value("CREDIT_INCOME_RATIO", 2.0, "en") == "2.0 times"
    assert labels.format_value("FLAG_OWN_CAR", 1.0, "fr") == "oui"
    assert labels.format_value("BB_WORST_STATUS_MAX", 0.0, "fr") == "0"  # a level, never "0,00"
    assert labels.format_value("BB_WORST_STATUS_MEAN", 0.33, "en") == "0.3"  # an average of levels is no level
    assert labels.format_value("INSTAL_DAYS_LATE_MAX", 1.5, "fr") == f"2{NBSP}jours"  # whole days, whatever the median
    assert labels.format_value("CREDIT_ANNUITY_RATIO", 21.64, "fr") == "21,6"  # credit / annuity is no count
    assert labels.format_value("EXT_SOURCE_3", math.nan, "fr") == "non renseigné"
    assert labels.format_value("EXT_SOURCE_3", None, "en") == "not available"


def test_amounts_carry_the_configured_currency_and_no_sign_by_default(monkeypatch):
    monkeypatch.delenv("CURRENCY", raising=False)
    assert labels.format_value("AMT_CREDIT", 1234567, "fr") == f"1{NNBSP}234{NNBSP}567"
    monkeypatch.setenv("CURRENCY", "EUR")
    assert labels.format_value("AMT_CREDIT", 1234567, "fr") == f"1{NNBSP}234{NNBSP}567{NBSP}€"
    assert labels.format_value("AMT_CREDIT", 1234567, "en") == "€1,234,567"


def test_unknown_names_and_languages_fail_clearly():
    with pytest.raises(KeyError, match="NOT_A_FEATURE"):
        labels.feature_label("NOT_A_FEATURE")
    with pytest.raises(KeyError, match="BURO_MYSTERY"):
        labels.feature_label("BURO_MYSTERY_MEAN")
    with pytest.raises(ValueError, match="language"):
        labels.feature_label("AMT_CREDIT", "de")
    with pytest.raises(KeyError, match="group"):
        labels.group_label("nope")


@pytest.mark.parametrize("column, values", [
    ("OCCUPATION_TYPE", ["Laborers", "Cooking staff", "IT staff"]),
    ("WEEKDAY_APPR_PROCESS_START", ["MONDAY", "SUNDAY"]),
])
def test_a_one_hot_category_reads_in_the_advisors_language(column, values):
    """'Profession : ouvriers', not the data's English 'laborers' inside a French sentence."""
    from modeling.features.aggregate import slugify
    from modeling.wording.catalogue import categories

    for value in values:
        words = categories()[value]
        french = labels.feature_label(f"{column}_{slugify(value)}", "fr")
        assert french.endswith(words["fr"][:1].lower() + words["fr"][1:]) or french.endswith(words["fr"]), french
        assert value.lower() not in french.lower() or words["fr"].lower() == value.lower()
        assert labels.feature_label(f"{column}_{slugify(value)}", "en").endswith(words["en"])
