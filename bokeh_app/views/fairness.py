"""Fairness panel of the threshold view: the model card's fairness section (fairlearn, out-of-fold), in words."""
from __future__ import annotations

import html
import re

from bokeh.models import Div

from bokeh_app.views.client_list import value_word
from bokeh_app.views.style import DIV_CSS
from modeling.wording import catalogue

#: Attribute of the card -> its column in the portfolio (for the words of its groups) and its title key.
ATTRIBUTES = {"CODE_GENDER": ("CODE_GENDER", "gender"), "AGE_BAND": ("AGE_BAND", "age_band"),
              "NAME_FAMILY_STATUS": ("NAME_FAMILY_STATUS", "family")}
GROUP_COLUMNS = ("clients", "approval_rate", "default_rate_approved", "tpr", "fpr")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _group_word(attribute: str, group, lang: str) -> str:
    column = ATTRIBUTES.get(attribute, (attribute, ""))[0]
    try:
        return value_word(column, group, lang)
    except (IndexError, KeyError, ValueError):  # a band written by the card itself ('25-34'), not a code
        return str(group)


def ordered_groups(attribute: str, groups: list[dict]) -> list[dict]:
    """The groups as a reader expects them: age bands from the youngest ('18–24' ... '65+'), others as stored."""
    if attribute != "AGE_BAND":
        return list(groups)
    first_age = lambda g: int(m.group()) if (m := re.match(r"\d+", str(g.get("group")))) else 10**6  # noqa: E731
    return sorted(groups, key=first_age)


def _cell(name: str, value, lang: str) -> str:
    return catalogue.number(value, lang) if name == "clients" else catalogue.percent(value, lang)


def attribute_html(attribute: str, section: dict, lang: str) -> str:
    """One attribute: a table of its groups, then its parity ratio, odds gap and the four-fifths rule."""
    title_key = ATTRIBUTES.get(attribute, (attribute, None))[1]
    title = catalogue.t(title_key, lang) if title_key else attribute
    head = "".join(f"<th scope='col'>{_escape(catalogue.t(f'fair_{c}', lang))}</th>" for c in GROUP_COLUMNS)
    rows = "".join(
        f"<tr><th scope='row'>{_escape(_group_word(attribute, g.get('group'), lang))}</th>"
        + "".join(f"<td>{_cell(c, g.get(c), lang)}</td>" for c in GROUP_COLUMNS) + "</tr>"
        for g in ordered_groups(attribute, section.get("groups", [])))
    rule = catalogue.t("fair_ok" if section.get("four_fifths_ok") else "fair_not_ok", lang)
    verdict = catalogue.t("fair_measures", lang,
                          dpr=catalogue.number(section.get("demographic_parity_ratio"), lang, 2),
                          eod=catalogue.number(section.get("equalized_odds_difference"), lang, 2), rule=rule)
    return (f"<h3>{_escape(title)}</h3><table class='fair'><thead><tr><th></th>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table><p>{_escape(verdict)}</p>")


def fairness_html(card: dict, lang: str) -> str:
    """The whole panel; a plain sentence when the model card has no fairness section."""
    section = (card or {}).get("fairness")
    title = f"<h2>{_escape(catalogue.t('fairness', lang))}</h2>"
    if not section:
        return title + f"<p>{_escape(catalogue.t('fair_absent', lang))}</p>"
    intro = catalogue.t("fair_intro", lang, t=catalogue.percent(section.get("threshold"), lang),
                        basis=catalogue.t("oof_source" if section.get("basis") == "out-of-fold" else "in_sample", lang))
    parts = [title, f"<p>{_escape(intro)}</p>"]
    parts += [attribute_html(name, values, lang) for name, values in (section.get("attributes") or {}).items()]
    for name, proxy in (section.get("proxy") or {}).items():
        parts.append("<p>" + _escape(catalogue.t(
            "fair_proxy", lang, attribute=_attribute_title(name, lang),
            auc=catalogue.number(proxy.get("auc"), lang, 2))) + "</p>")
    return "".join(parts)


def _attribute_title(attribute: str, lang: str) -> str:
    key = ATTRIBUTES.get(attribute, (attribute, None))[1]
    return catalogue.t(key, lang).lower() if key else attribute


def fairness_panel(card: dict, lang: str) -> Div:
    """The panel as a Div of the threshold view."""
    return Div(text=fairness_html(card, lang), name="fairness", sizing_mode="stretch_width", stylesheets=[DIV_CSS])
