"""The 20-minute presentation deck (PDF, fpdf2), built from the same data files, reports and screenshots."""
from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from pm import config, junit, performance, reports, steering
from pm.formats import eur, keur, num, pct

WIDTH, HEIGHT = 297.0, 167.0  # 16:9
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
BLUE = (22, 62, 112)


class Deck(FPDF):
    """Slides: a title band, bullets on the left, a picture or a table on the right."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format=(HEIGHT, WIDTH))
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(False)
        self.set_title("Plateforme de scoring crédit Home Credit — soutenance")
        # The status date, not the build time: the same data give the same file.
        self.set_creation_date(datetime.combine(config.STATUS_DATE, time(), tzinfo=UTC))

    def footer(self) -> None:
        if self.page_no() > 1:
            self.set_font("DejaVu", "", 8)
            self.set_text_color(120)
            self.set_xy(10, HEIGHT - 8)
            self.cell(WIDTH - 20, 5, f"Scoring crédit Home Credit — {self.page_no()}", align="R")

    def slide(self, title: str, bullets: list[str] = (), image: Path | None = None,
              table: list[list[str]] | None = None, note: str = "", widths: tuple | None = None) -> None:
        self.add_page()
        self.set_fill_color(*BLUE)
        self.rect(0, 0, WIDTH, 20, style="F")
        self.set_font("DejaVu", "B", 20)
        self.set_text_color(255)
        self.set_xy(10, 5)
        self.cell(WIDTH - 20, 10, title)
        self.set_text_color(20)
        right = image is not None or table is not None
        text_width = 118 if right else WIDTH - 24
        self.set_xy(12, 27)
        self.set_font("DejaVu", "", 13 if right else 15)
        for bullet in bullets:
            self.set_x(12)
            self.multi_cell(text_width, 6.6 if right else 8, f"• {bullet}", align="L", new_x="LMARGIN", new_y="NEXT")
            self.ln(1.5)
        if image is not None and image.exists():
            self.image(str(image), x=136, y=25, w=WIDTH - 146, h=HEIGHT - 40, keep_aspect_ratio=True)
        if table:
            self._table(table, x=136 if bullets else 12, width=WIDTH - 146 if bullets else WIDTH - 24, widths=widths)
        if note:
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110)
            self.set_xy(12, HEIGHT - 14)
            self.cell(WIDTH - 24, 4, note)

    def _table(self, rows: list[list[str]], x: float, width: float, widths: tuple | None = None) -> None:
        self.set_xy(x, 27)
        self.set_font("DejaVu", "", 9.5)
        self.set_fill_color(255)
        self.set_draw_color(170)
        self.set_text_color(20)
        headings = FontFace(emphasis="BOLD", color=255, fill_color=BLUE)
        with self.table(width=width, align="LEFT", line_height=5.6, first_row_as_headings=True,
                        headings_style=headings, col_widths=widths, text_align="LEFT") as table:
            for row in rows:
                table.row(row)


def build(folder: Path | None = None, out: Path | None = None) -> Path:
    """Write the deck and return its path."""
    folder = folder or config.docs_dir()
    out = out or folder / "soutenance.pdf"
    ctx = steering.context(folder)
    money = steering.business_context(folder, ctx)
    ref, last, bac = ctx["ref"], ctx["evm"][-1], ctx["bac"]
    report = config.REPO_ROOT / "docs" / "model-report"
    img = config.REPO_ROOT / "docs" / "img"
    run = junit.read(folder / "junit.xml")
    passed = sum(c.outcome == "passed" for c in run.cases)
    card = performance.reference_card()
    deck = Deck()

    deck.add_page()
    deck.set_fill_color(*BLUE)
    deck.rect(0, 0, WIDTH, HEIGHT, style="F")
    deck.set_text_color(255)
    deck.set_font("DejaVu", "B", 28)
    deck.set_xy(20, 50)
    deck.multi_cell(WIDTH - 40, 13, "Plateforme de scoring crédit\nHome Credit")
    deck.set_font("DejaVu", "", 15)
    deck.set_xy(20, 100)
    deck.multi_cell(WIDTH - 40, 8, f"Soutenance — {ctx['status']}\nProduct Owner · Scrum Master · data engineer · "
                    "data scientists · développeur·ses · ingénieur·e DevOps")

    policies = money["policies"]
    deck.slide("Le problème", [
        "Home Credit prête à des clients sans historique de crédit ; les conseillers doivent expliquer chaque décision.",
        f"Tout accepter : {keur(policies[0]['perte'], 0)} de pertes attendues pour 10 000 demandes.",
        f"Le modèle au seuil métier évite {keur(policies[2]['perte_evitee'], 0)} de pertes pour "
        f"{keur(policies[2]['marge_perdue'], 0)} de marge perdue ; {keur(money['invest']['gain_par_demande'] * 10000, 0)} "
        "de plus que la règle EXT_SOURCE au même taux de refus.",
        f"Projet : {eur(bac)} de budget ; VAN sur {int(money['invest']['horizon_annees'])} ans : {eur(money['invest']['van'])}.",
    ], note=f"Étude d'opportunité : prédictions hors pli du modèle {policies[0]['modele']}, LGD "
            f"{pct(money['h']['lgd'], 0)}, marge {pct(money['h']['marge'], 0)}.")
    deck.slide("Les données", [
        "Sept tables Kaggle Home Credit : demandes, bureau de crédit et ses soldes, demandes précédentes, "
        "soldes POS et cartes, échéances.",
        "Échantillon réel : R écrit NA, un tableur écrit BOM et CRLF, la cible s'appelle DEFAULTED, "
        "365243 veut dire « pas de date », XNA veut dire « manquant ».",
        "Générateur synthétique au même format, calibré sur les vraies lignes, avec la probabilité vraie de chaque client.",
        "Chargement validé, tout ou rien ; lignes refusées gardées avec leur motif.",
    ], table=[["table", "chargement PostgreSQL, 356 255 clients (lignes/s)"], *[
        [name, performance.cell("356,255 clients | PostgreSQL", i)] for i, name in enumerate(
            ["application", "bureau", "bureau_balance", "previous_application", "pos_cash_balance",
             "credit_card_balance", "installments_payments"], start=2)]])
    deck.slide("La méthode", [
        f"{card['features_count']} variables construites sur les sept tables, un seul code pour l'entraînement et le service.",
        "Validation croisée stratifiée ; aucune, pondération, SMOTE, sous-échantillonnage comparés dans les plis.",
        f"Hyperopt ; calibration {card['calibration']['method']} sur les prédictions hors pli.",
        f"Modèle de référence (50 000 clients) : AUC {num(ref['true_pd']['model_auc'], 3)}, soit "
        f"{pct(ref['true_pd']['share'])} du plafond atteignable ({num(ref['true_pd']['best_auc'], 3)}).",
        f"Règle EXT_SOURCE seule : AUC {num(ref['baselines'][0]['auc_mean'], 3)}.",
    ], image=report / "strategies.png")
    deck.slide("Le seuil métier", [
        f"Matrice de coûts : un mauvais prêt accordé coûte {num(card['cost_matrix']['fn'])}, un bon client refusé "
        f"{num(card['cost_matrix']['fp'])} (mode en euros : LGD et marge × montant).",
        f"Seuil métier {num(ref['threshold'], 3)} contre seuil F1 {num(ref['threshold_f1'], 3)}.",
        f"Coût par client {num(ref['business_optimum']['cost_per_client'], 3)} contre "
        f"{num(ref['f1_optimum']['cost_per_client'], 3)} ; {pct(ref['business_optimum']['approval_rate'])} des demandes accordées.",
    ], image=report / "cost_threshold.png")
    deck.slide("Les explications", [
        "Valeurs SHAP exactes des arbres, regroupées par concept métier.",
        "Au plus quatre raisons qui augmentent et quatre qui diminuent le risque, en phrases simples, "
        "en français par défaut, en anglais sur demande.",
        "Aucun attribut protégé cité dans une raison (politique en cours de mise en place).",
    ], image=report / "importance.png")
    deck.slide("Le tableau de bord des conseillers", [
        "Recherche d'un client, fiche, jauge, facteurs, raisons, comparaison avec des clients semblables.",
        f"Changer de client : {performance.cell('switch client', 1)} ms (p50 / p95, pleine échelle).",
        "Vues risque : cohortes liées et coût de chaque seuil.",
    ], image=img / "dashboard-client.png")
    goals = {g["cle"]: g for g in ctx["goals"]}
    deck.slide("L'API de scoring", [
        "GET /api/v1/clients/ID/score : probabilité, décision, classe, points, raisons.",
        "Clés d'API hachées, limite de débit, en-têtes de sécurité, erreurs JSON, OpenAPI, journal d'audit.",
        "Scores de tous les clients calculés en lot après chaque chargement ; calcul en ligne sinon.",
    ], table=[["objectif", "cible", "mesuré"]] + [
        [goals[k]["indicateur"], goals[k]["cible"], goals[k]["mesure"]]
        for k in ("debit", "p50", "p99", "latence", "chargement") if k in goals], widths=(3, 1.6, 2))
    deck.slide("Architecture et sécurité", [
        "Fichiers CSV → chargeur validé → base (SQLite en local, PostgreSQL en production) → variables → "
        "modèle → API Flask et tableau de bord Bokeh.",
        "TLS obligatoire, rôles à moindre privilège (propriétaire, chargeur, application, analyste).",
        "Sauvegardes horodatées avec manifeste et sommes de contrôle, restauration vérifiée.",
        "Panne de la base : 503 clair, reprise sans redémarrage ; chaque décision journalisée.",
        "Intégration continue Azure Pipelines ; déploiement Heroku.",
    ], table=[["paquet", "rôle"], ["database/", "schéma, chargeur, données synthétiques, sauvegardes, rôles"],
              ["modeling/", "variables, entraînement, calibration, seuil, explications, Scorer"],
              ["api/", "application Flask, un blueprint par ressource"],
              ["bokeh_app/", "tableau de bord Bokeh"], ["pm/", "documents de pilotage générés"]], widths=(1, 3))
    sprint_rows = [["sprint", "dates", "engagés", "terminés"]] + [
        [s["sprint"], f"{s['debut']} → {s['fin']}", s["points_engages"], s["points_termines"]] for s in ctx["sprints"]]
    deck.slide("Scrum : backlog et sprints", [
        f"Backlog Azure Boards : {ctx['kinds']['Epic']} epics, {ctx['kinds']['Feature']} features, "
        f"{ctx['kinds']['User Story']} stories, {ctx['kinds']['Task']} tâches ; {num(ctx['points_done'])} points livrés "
        f"sur {num(ctx['points_total'])}.",
        "Revue à chaque sprint depuis un clone neuf ; une amélioration retenue par rétrospective.",
    ], table=sprint_rows, widths=(2, 4, 1.5, 1.5))
    deck.slide("Valeur acquise", [
        f"Au {last['fin']} ({last['sprint']}) : PV {eur(last['PV'])}, EV {eur(last['EV'])}, AC {eur(last['AC'])}.",
        f"SPI {num(last['SPI'], 2)} ; CPI {num(last['CPI'], 2)} ; EAC {eur(last['EAC'])} pour un BAC de {eur(bac)}.",
        *steering.interpret(last)[:2],
    ], image=folder / "img" / "evm-courbe-en-s.png")
    folders = reports.by_folder(run)
    deck.slide("Tests et recette", [
        f"Dernière exécution : {num(len(run.cases))} cas, {num(passed)} réussis, en {num(run.seconds)} s.",
        "Vrais composants : PostgreSQL TLS éphémère, Chromium, gunicorn, LightGBM ; fuzzing du contrat OpenAPI.",
        f"{len(pd.read_csv(folder / 'exigences.csv'))} exigences, chacune tracée vers ses tests (matrice générée).",
        f"{len(ctx['anomalies'])} anomalies relevées en revue, chacune avec son action corrective.",
    ], table=[["dossier", "cas", "réussis", "durée (s)"]] + [
        [f["dossier"], num(f["total"]), num(f["passed"]), num(f["secondes"])] for f in folders.to_dict("records")],
        widths=(2, 1, 1, 1))
    deck.slide("Limites et suite", [
        "Chiffres de valeur calculés sur données synthétiques : à refaire sur les données réelles.",
        "Scoring en ligne sous charge limité par SHAP : les scores en lot couvrent chaque client jusqu'au prochain chargement.",
        *(f"{'En cours' if e.state == 'Active' else 'Prévu'} : {e.title} ({num(left)} points à livrer)"
          for e, left in ctx["open_epics"]),
        *([] if ctx["open_epics"] else ["Toutes les epics du backlog sont livrées."]),
    ])
    deck.slide("Démonstration (5 minutes)", [
        "1. make demo : données, chargement, modèle, scores en lot, API et tableau de bord.",
        "2. Un conseiller ouvre le client 100002 : décision, jauge, raisons en français.",
        "3. Le risk manager déplace le coût d'un mauvais prêt : le seuil et la matrice de confusion suivent.",
        "4. curl sur l'API : la même probabilité ; une entrée invalide reçoit une erreur claire.",
        "5. Le rapport d'avancement et la matrice de traçabilité, régénérés par make docs.",
    ], note="Script détaillé : docs/gestion-projet/script-demo.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    deck.output(str(out))
    return out
