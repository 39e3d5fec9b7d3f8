"""Words and number formats of the monitoring report and the "Surveillance" tab, in French and English.

One table of words (``WORDS``: key -> {"fr", "en"}) and two Babel formatters, so that the whole table can
move into the project's catalogue of words as it is.
"""

from __future__ import annotations

import math
import re

from babel import Locale
from babel.numbers import format_decimal, format_percent

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
_NUMERIC_LABEL = re.compile(r"^(≤ |> )?-?[\d,]+(\.\d+)?( – -?[\d,]+(\.\d+)?)?$")

WORDS: dict[str, dict[str, str]] = {
    "title": {"fr": "Surveillance du modèle", "en": "Model monitoring"},
    "tab": {"fr": "Surveillance", "en": "Monitoring"},
    "stable": {"fr": "stable", "en": "stable"},
    "watch": {"fr": "à surveiller", "en": "watch"},
    "act": {"fr": "à traiter", "en": "act"},
    "level": {"fr": "Niveau", "en": "Level"},
    "overall": {"fr": "Niveau d'ensemble : {level}", "en": "Overall level: {level}"},
    "summary": {
        "fr": "Modèle {model}, {clients} clients comparés aux {reference} clients d'apprentissage le {date}.",
        "en": "Model {model}, {clients} clients compared with the {reference} training clients on {date}."},
    "score_psi": {"fr": "PSI du score", "en": "Score PSI"},
    "score_title": {"fr": "Distribution de la probabilité de défaut", "en": "Distribution of the default probability"},
    "psi_over_time": {"fr": "PSI du score au fil des chargements", "en": "Score PSI over the loads"},
    "approval": {"fr": "Taux d'acceptation au seuil de production : {current} (apprentissage : {reference})",
                 "en": "Approval rate at the production threshold: {current} (training: {reference})"},
    "grade_mix": {"fr": "Répartition par classe", "en": "Grade mix"},
    "features": {"fr": "Caractéristiques qui dérivent le plus", "en": "Most drifting characteristics"},
    "feature": {"fr": "Caractéristique", "en": "Characteristic"},
    "feature_counts": {"fr": "{act} à traiter, {watch} à surveiller, {stable} stables sur {total} caractéristiques.",
                       "en": "{act} act, {watch} watch, {stable} stable out of {total} characteristics."},
    "bin": {"fr": "Tranche", "en": "Bin"},
    "reference": {"fr": "Apprentissage", "en": "Training"},
    "current": {"fr": "Actuel", "en": "Current"},
    "share": {"fr": "Part des clients", "en": "Share of clients"},
    "grade": {"fr": "Classe", "en": "Grade"},
    "backtest": {"fr": "Contrôle a posteriori (défauts observés par classe)",
                 "en": "Back-testing (observed defaults per grade)"},
    "no_backtest": {"fr": "Aucun client dont l'issue est connue : pas de contrôle a posteriori.",
                    "en": "No client with a known outcome: no back-testing."},
    "clients": {"fr": "Clients", "en": "Clients"},
    "defaults": {"fr": "Défauts", "en": "Defaults"},
    "observed_rate": {"fr": "Taux observé", "en": "Observed rate"},
    "mean_probability": {"fr": "Probabilité moyenne", "en": "Mean probability"},
    "p_value": {"fr": "Valeur p (test binomial)", "en": "p-value (binomial test)"},
    "no_result": {"fr": "Aucun résultat de surveillance : lancez « python -m modeling monitor » après un chargement.",
                  "en": "No monitoring result yet: run `python -m modeling monitor` after a load."},
    "levels_help": {
        "fr": "PSI < 0,10 : stable ; 0,10 à 0,25 : à surveiller ; > 0,25 : à traiter. "
              "Contrôle a posteriori (valeur p multipliée par le nombre de classes) : à surveiller si < 0,05, à traiter si < 0,01.",
        "en": "PSI < 0.10: stable; 0.10 to 0.25: watch; > 0.25: act. "
              "Back-testing (p-value times the number of grades): watch if < 0.05, act if < 0.01."},
    "pick_feature": {"fr": "Caractéristique affichée", "en": "Characteristic shown"},
    "date": {"fr": "Date", "en": "Date"},
    "kind_input": {"fr": "entrée du modèle", "en": "model input"},
    "kind_application": {"fr": "demande de crédit", "en": "application form"},
}


def word(key: str, lang: str = "fr", **values) -> str:
    """The text ``key`` in ``lang`` (French when the language is unknown), placeholders filled."""
    text = WORDS[key].get(lang) or WORDS[key]["fr"]
    return text.format(**values) if values else text


def level_word(level: str, lang: str = "fr") -> str:
    """The level written for people, with a sign so that it never rests on colour alone."""
    sign = {"stable": "●", "watch": "▲", "act": "■"}[level]
    return f"{sign} {word(level, lang)}"


def decimal(x: float | None, lang: str = "fr", digits: int = 2) -> str:
    """0.1234 -> '0,12' (fr) or '0.12' (en); '—' when missing."""
    if x is None or not math.isfinite(x):
        return "—"
    return format_decimal(round(x, digits), format="#,##0." + "0" * digits, locale=LOCALES.get(lang, "fr_FR"))


def percent(x: float | None, lang: str = "fr", digits: int = 1) -> str:
    """0.035 -> '3,5 %' (fr) or '3.5%' (en); '—' when missing."""
    if x is None or not math.isfinite(x):
        return "—"
    locale = Locale.parse(LOCALES.get(lang, "fr_FR"))
    pattern = locale.percent_formats[None].pattern  # '#,##0 %' in French, '#,##0%' in English
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1) if "0.0" not in pattern else pattern
    return format_percent(x, format=pattern, locale=locale)


def integer(x: float | None, lang: str = "fr") -> str:
    """12345 -> '12 345' (fr) or '12,345' (en)."""
    if x is None or not math.isfinite(x):
        return "—"
    return format_decimal(int(round(x)), format="#,##0", locale=LOCALES.get(lang, "fr_FR"))


def bin_label(label: str, lang: str = "fr") -> str:
    """A bin of numbers written the French way (``≤ 74 250``, ``0,05 – 0,1``); other bins as they are."""
    if label == "missing":
        return {"fr": "manquant", "en": "missing"}.get(lang, label)
    if label == "other":
        return {"fr": "autre", "en": "other"}.get(lang, label)
    if lang != "fr" or not _NUMERIC_LABEL.match(label):
        return label
    return label.replace(",", "\u202f").replace(".", ",")

