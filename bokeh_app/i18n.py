"""Words of the dashboard in French (default) and English; feature names come from modeling.labels."""
from __future__ import annotations

import math

LANGS = ("fr", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"fr": "Home Credit — tableau de bord du crédit", "en": "Home Credit — credit dashboard"},
    "heading": {"fr": "Tableau de bord du crédit", "en": "Credit dashboard"},
    "tab_client": {"fr": "Client", "en": "Client"},
    "tab_cohort": {"fr": "Portefeuille", "en": "Portfolio"},
    "tab_threshold": {"fr": "Seuil de décision", "en": "Decision threshold"},
    "all": {"fr": "Tous", "en": "All"},
    "contract": {"fr": "Type de contrat", "en": "Contract type"},
    "gender": {"fr": "Genre", "en": "Gender"},
    "age_band": {"fr": "Tranche d'âge", "en": "Age band"},
    "income_band": {"fr": "Tranche de revenu", "en": "Income band"},
    "family": {"fr": "Situation familiale", "en": "Family status"},
    "occupation": {"fr": "Profession", "en": "Occupation"},
    "income_type": {"fr": "Type de revenu", "en": "Income type"},
    "education": {"fr": "Études", "en": "Education"},
    "decision": {"fr": "Décision", "en": "Decision"},
    "score_range": {"fr": "Probabilité de défaut (%)", "en": "Default probability (%)"},
    "search_id": {"fr": "Identifiant client (SK_ID_CURR)", "en": "Client ID (SK_ID_CURR)"},
    "search_button": {"fr": "Afficher le client", "en": "Show client"},
    "unknown_id": {"fr": "Aucun client n'a l'identifiant {id}.", "en": "No client has ID {id}."},
    "bad_id": {"fr": "« {text} » n'est pas un identifiant : saisissez un nombre.",
               "en": "'{text}' is not an ID: type a number."},
    "table_count": {"fr": "{n} clients correspondent aux filtres{shown}. Cliquez sur une ligne pour l'ouvrir.",
                    "en": "{n} clients match the filters{shown}. Click a row to open it."},
    "table_shown": {"fr": " ({k} premiers affichés)", "en": " (first {k} shown)"},
    "client_id": {"fr": "Identifiant", "en": "ID"},
    "age": {"fr": "Âge", "en": "Age"},
    "years": {"fr": "ans", "en": "years"},
    "income": {"fr": "Revenu annuel", "en": "Annual income"},
    "credit": {"fr": "Montant du crédit", "en": "Credit amount"},
    "annuity": {"fr": "Annuité", "en": "Annuity"},
    "goods": {"fr": "Prix du bien", "en": "Goods price"},
    "children": {"fr": "Enfants", "en": "Children"},
    "employed": {"fr": "Ancienneté dans l'emploi", "en": "Time in current job"},
    "own_car": {"fr": "Possède une voiture", "en": "Owns a car"},
    "own_realty": {"fr": "Propriétaire d'un logement", "en": "Owns a home"},
    "housing": {"fr": "Logement", "en": "Housing"},
    "outcome": {"fr": "Remboursement observé", "en": "Observed repayment"},
    "probability": {"fr": "Probabilité de défaut", "en": "Default probability"},
    "points": {"fr": "Points", "en": "Points"},
    "grade": {"fr": "Classe", "en": "Grade"},
    "threshold": {"fr": "Seuil", "en": "Threshold"},
    "identity": {"fr": "Fiche du client", "en": "Client card"},
    "score": {"fr": "Score", "en": "Score"},
    "grant": {"fr": "Accordé", "en": "Granted"},
    "refuse": {"fr": "Refusé", "en": "Refused"},
    "repaid": {"fr": "A remboursé", "en": "Repaid"},
    "defaulted": {"fr": "En défaut", "en": "Defaulted"},
    "unknown": {"fr": "Inconnu", "en": "Unknown"},
    "yes": {"fr": "Oui", "en": "Yes"},
    "no": {"fr": "Non", "en": "No"},
    "gauge_sentence_grant": {
        "fr": "Le modèle estime à {p} le risque que ce client ne rembourse pas. C'est sous le seuil de {t} "
              "fixé par la banque : le crédit est accordé.",
        "en": "The model puts the risk that this client does not repay at {p}. This is below the bank's "
              "threshold of {t}: the loan is granted."},
    "gauge_sentence_refuse": {
        "fr": "Le modèle estime à {p} le risque que ce client ne rembourse pas. C'est au-dessus du seuil de {t} "
              "fixé par la banque : le crédit est refusé.",
        "en": "The model puts the risk that this client does not repay at {p}. This is at or above the bank's "
              "threshold of {t}: the loan is refused."},
    "no_client": {"fr": "Choisissez un client dans la liste ou saisissez son identifiant.",
                  "en": "Pick a client in the list or type their ID."},
    "factors": {"fr": "Principaux facteurs de la décision", "en": "Main factors of the decision"},
    "raises": {"fr": "▲ augmente le risque", "en": "▲ raises the risk"},
    "lowers": {"fr": "▼ réduit le risque", "en": "▼ lowers the risk"},
    "contribution": {"fr": "Effet sur le risque (log-cote)", "en": "Effect on risk (log-odds)"},
    "comparison": {"fr": "Comparaison avec les autres clients", "en": "Comparison with other clients"},
    "feature": {"fr": "Caractéristique", "en": "Feature"},
    "all_clients": {"fr": "Tous les clients", "en": "All clients"},
    "similar_clients": {"fr": "{k} clients similaires", "en": "{k} similar clients"},
    "share_clients": {"fr": "Part des clients (%)", "en": "Share of clients (%)"},
    "this_client": {"fr": "Ce client : {v}", "en": "This client: {v}"},
    "similar_rate": {
        "fr": "Parmi les {k} clients les plus proches (âge, revenu, crédit, sources externes…), {r} n'ont pas "
              "remboursé ; sur l'ensemble des clients, {a}.",
        "en": "Among the {k} closest clients (age, income, credit, external sources…), {r} did not repay; "
              "over all clients, {a}."},
    "no_value": {"fr": "Valeur absente pour ce client.", "en": "No value for this client."},
    "score_distribution": {"fr": "Distribution des probabilités de défaut", "en": "Default probability distribution"},
    "clients": {"fr": "Clients", "en": "Clients"},
    "selection": {"fr": "Sélection", "en": "Selection"},
    "income_vs_credit": {"fr": "Revenu et montant du crédit ({n} clients tirés au hasard)",
                         "en": "Income and credit amount ({n} randomly drawn clients)"},
    "default_rate_by": {"fr": "Taux de défaut observé par catégorie", "en": "Observed default rate by category"},
    "default_rate": {"fr": "Taux de défaut observé (%)", "en": "Observed default rate (%)"},
    "group_by": {"fr": "Regrouper par", "en": "Group by"},
    "reset": {"fr": "Effacer la sélection", "en": "Clear selection"},
    "summary": {
        "fr": "<b>{n}</b> clients sélectionnés · taux de défaut observé <b>{d}</b> · probabilité moyenne "
              "<b>{p}</b> · taux d'accord <b>{a}</b>",
        "en": "<b>{n}</b> clients selected · observed default rate <b>{d}</b> · mean probability <b>{p}</b> · "
              "approval rate <b>{a}</b>"},
    "cohort_help": {
        "fr": "Sélectionnez une zone (outil « sélection rectangle ») dans un graphique ou cliquez sur une barre : "
              "les autres graphiques et le résumé ne montrent plus que la sélection.",
        "en": "Draw a box (box-select tool) in a plot or click a bar: the other plots and the summary then show "
              "only the selection."},
    "cost_fn": {"fr": "Coût d'un mauvais crédit accordé (faux négatif)", "en": "Cost of a bad loan granted (false negative)"},
    "cost_fp": {"fr": "Coût d'un bon client refusé (faux positif)", "en": "Cost of a good client refused (false positive)"},
    "cost_lgd": {"fr": "Perte en cas de défaut (part du crédit)", "en": "Loss given default (share of the credit)"},
    "cost_margin": {"fr": "Marge perdue sur un bon client refusé (part du crédit)",
                    "en": "Margin lost on a good client refused (share of the credit)"},
    "chosen_threshold": {"fr": "Seuil examiné (%)", "en": "Threshold examined (%)"},
    "expected_cost": {"fr": "Coût moyen par client", "en": "Mean cost per client"},
    "cost_curve": {"fr": "Coût attendu selon le seuil", "en": "Expected cost by threshold"},
    "business_threshold": {"fr": "Seuil métier du modèle {t}", "en": "Model's business threshold {t}"},
    "f1_threshold": {"fr": "Seuil F1 {t}", "en": "F1 threshold {t}"},
    "optimum": {"fr": "Optimum pour ces coûts {t}", "en": "Optimum for these costs {t}"},
    "examined": {"fr": "Seuil examiné {t}", "en": "Examined threshold {t}"},
    "threshold_help": {
        "fr": "Vue explicative : modifier les coûts ou le seuil ici ne change pas les décisions en production. "
              "Calcul sur {source} ({n} clients).",
        "en": "Explanatory view: changing costs or the threshold here does not change production decisions. "
              "Computed on {source} ({n} clients)."},
    "oof_source": {"fr": "les prédictions hors échantillon de l'entraînement",
                   "en": "the training out-of-fold predictions"},
    "in_sample": {
        "fr": "les scores du portefeuille des clients dont l'issue est connue (ce modèle ne fournit pas ses "
              "prédictions hors échantillon : la courbe flatte le modèle)",
        "en": "the portfolio scores of clients whose outcome is known (this model does not provide its out-of-fold "
              "predictions: the curve flatters the model)"},
    "no_portfolio": {"fr": "Le tableau de bord n'a pas pu charger le modèle ou les clients : {error}",
                     "en": "The dashboard could not load the model or the clients: {error}"},
    "language": {"fr": "English", "en": "Français"},
    "confusion": {
        "fr": "<table class='cm'><tr><th></th><th>A remboursé</th><th>En défaut</th></tr>"
              "<tr><th>Accordé</th><td>{tn} <small>bons clients acceptés</small></td>"
              "<td>{fn} <small>mauvais crédits accordés (FN)</small></td></tr>"
              "<tr><th>Refusé</th><td>{fp} <small>bons clients refusés (FP)</small></td>"
              "<td>{tp} <small>défauts évités</small></td></tr></table>"
              "<p>Au seuil {t} : taux d'accord <b>{a}</b> · coût moyen par client <b>{c}</b>"
              " (optimum pour ces coûts : {o}).</p>",
        "en": "<table class='cm'><tr><th></th><th>Repaid</th><th>Defaulted</th></tr>"
              "<tr><th>Granted</th><td>{tn} <small>good clients accepted</small></td>"
              "<td>{fn} <small>bad loans granted (FN)</small></td></tr>"
              "<tr><th>Refused</th><td>{fp} <small>good clients refused (FP)</small></td>"
              "<td>{tp} <small>defaults avoided</small></td></tr></table>"
              "<p>At threshold {t}: approval rate <b>{a}</b> · mean cost per client <b>{c}</b>"
              " (optimum for these costs: {o}).</p>"},
    "model_version": {"fr": "Modèle {v}", "en": "Model {v}"},
}

#: Category values of the application form shown to advisors.
CATEGORIES: dict[str, dict[str, str]] = {
    "Cash loans": {"fr": "Prêt personnel", "en": "Cash loan"},
    "Revolving loans": {"fr": "Crédit renouvelable", "en": "Revolving loan"},
    "M": {"fr": "Homme", "en": "Man"},
    "F": {"fr": "Femme", "en": "Woman"},
    "XNA": {"fr": "Non renseigné", "en": "Not given"},
    "Married": {"fr": "Marié(e)", "en": "Married"},
    "Single / not married": {"fr": "Célibataire", "en": "Single"},
    "Civil marriage": {"fr": "Union civile", "en": "Civil partnership"},
    "Separated": {"fr": "Séparé(e)", "en": "Separated"},
    "Widow": {"fr": "Veuf/veuve", "en": "Widowed"},
    "Unknown": {"fr": "Inconnue", "en": "Unknown"},
    "Working": {"fr": "Salarié", "en": "Working"},
    "Commercial associate": {"fr": "Associé commercial", "en": "Commercial associate"},
    "Pensioner": {"fr": "Retraité", "en": "Pensioner"},
    "State servant": {"fr": "Fonctionnaire", "en": "State servant"},
    "Unemployed": {"fr": "Sans emploi", "en": "Unemployed"},
    "Student": {"fr": "Étudiant", "en": "Student"},
    "Businessman": {"fr": "Chef d'entreprise", "en": "Businessman"},
    "Maternity leave": {"fr": "Congé maternité", "en": "Maternity leave"},
    "Laborers": {"fr": "Ouvriers", "en": "Laborers"},
    "Core staff": {"fr": "Personnel qualifié", "en": "Core staff"},
    "Accountants": {"fr": "Comptables", "en": "Accountants"},
    "Managers": {"fr": "Cadres", "en": "Managers"},
    "Drivers": {"fr": "Chauffeurs", "en": "Drivers"},
    "Sales staff": {"fr": "Vendeurs", "en": "Sales staff"},
    "Cleaning staff": {"fr": "Personnel d'entretien", "en": "Cleaning staff"},
    "Cooking staff": {"fr": "Cuisiniers", "en": "Cooking staff"},
    "Private service staff": {"fr": "Services à la personne", "en": "Private service staff"},
    "Medicine staff": {"fr": "Personnel médical", "en": "Medicine staff"},
    "Security staff": {"fr": "Agents de sécurité", "en": "Security staff"},
    "High skill tech staff": {"fr": "Techniciens qualifiés", "en": "High skill tech staff"},
    "Waiters/barmen staff": {"fr": "Serveurs, barmen", "en": "Waiters/barmen staff"},
    "Low-skill Laborers": {"fr": "Ouvriers non qualifiés", "en": "Low-skill laborers"},
    "Realty agents": {"fr": "Agents immobiliers", "en": "Realty agents"},
    "Secretaries": {"fr": "Secrétaires", "en": "Secretaries"},
    "IT staff": {"fr": "Informaticiens", "en": "IT staff"},
    "HR staff": {"fr": "Ressources humaines", "en": "HR staff"},
    "Secondary / secondary special": {"fr": "Secondaire", "en": "Secondary"},
    "Higher education": {"fr": "Supérieur", "en": "Higher education"},
    "Incomplete higher": {"fr": "Supérieur inachevé", "en": "Incomplete higher"},
    "Lower secondary": {"fr": "Premier cycle du secondaire", "en": "Lower secondary"},
    "Academic degree": {"fr": "Doctorat", "en": "Academic degree"},
    "House / apartment": {"fr": "Maison / appartement", "en": "House / apartment"},
    "With parents": {"fr": "Chez les parents", "en": "With parents"},
    "Municipal apartment": {"fr": "Logement municipal", "en": "Municipal apartment"},
    "Rented apartment": {"fr": "Location", "en": "Rented apartment"},
    "Office apartment": {"fr": "Logement de fonction", "en": "Office apartment"},
    "Co-op apartment": {"fr": "Coopérative", "en": "Co-op apartment"},
}


def t(key: str, lang: str = "fr", **values) -> str:
    """The UI text `key` in `lang`, with {placeholders} filled."""
    text = TEXT[key].get(lang) or TEXT[key]["fr"]
    return text.format(**values) if values else text


def category(value, lang: str = "fr") -> str:
    """A category of the application form in the advisor's language (unknown ones shown as they are)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("unknown", lang)
    return CATEGORIES.get(str(value), {}).get(lang, str(value))


def check_lang(lang: str | None) -> str:
    """A supported language code ('fr' when absent or unknown)."""
    return lang if lang in LANGS else "fr"


def percent(x: float | None, lang: str = "fr", digits: int = 1) -> str:
    """0.0823 -> '8,2 %' (fr) or '8.2%' (en); '—' when missing."""
    if x is None or not math.isfinite(x):
        return "—"
    text = f"{100 * x:.{digits}f}"
    return f"{text.replace('.', ',')}\u00a0%" if lang == "fr" else f"{text}%"


def number(x: float | None, lang: str = "fr", digits: int = 0) -> str:
    """12345.6 -> '12 346' (fr) or '12,346' (en); '—' when missing."""
    if x is None or not math.isfinite(x):
        return "—"
    text = f"{x:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def money(x: float | None, lang: str = "fr") -> str:
    """An amount with its currency (the Home Credit data are in the loan's local currency)."""
    return "—" if x is None or not math.isfinite(x) else f"{number(x, lang)}\u00a0¤"
