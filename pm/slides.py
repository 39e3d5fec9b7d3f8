"""The 20-minute defence deck: the story told slide by slide, every figure read from the same sources as the
documents (model card, performance.md, JUnit run, project data), pictures drawn or cut by pm.charts."""
from __future__ import annotations

from pathlib import Path

from pm import charts, config, junit, performance, reports, rtm, steering
from pm.deck import Deck
from pm.formats import day, eur, keur, moment, num, pct

VERDICT = {True: "atteint", False: "MANQUÉ", None: "non mesuré"}


def pictures(ctx: dict, folder: Path) -> dict[str, Path]:
    """The deck's pictures, written to img/deck-*.png beside the documents."""
    img = folder / "img"
    img.mkdir(parents=True, exist_ok=True)
    m, card, shots = ctx["m"], performance.reference_card(), config.REPO_ROOT / "docs" / "img"
    out = {"auc": charts.auc(m, card, img / "deck-auc.png"),
           "seuils": charts.thresholds(m, card, img / "deck-seuils.png"),
           "architecture": charts.architecture(ctx["host"].target, img / "deck-architecture.png")}
    failing = next(iter(m["failing"]), next(iter(m["fairness"])))
    out["equite"] = charts.fairness(m, failing, img / "deck-equite.png")
    for name in charts.CROPS:
        out[name] = charts.crop(shots / name, img / f"deck-{name}")
    return out


def build(folder: Path | None = None, out: Path | None = None) -> Path:
    """Write the deck and return its path."""
    folder = folder or config.docs_dir()
    out = out or folder / "soutenance.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    compose(folder).output(str(out))
    return out


def compose(folder: Path) -> Deck:
    """Every slide of the deck, in the order they are shown."""
    ctx = steering.context(folder)
    money = steering.business_context(folder, ctx)
    m, last, bac, h = ctx["m"], ctx["evm"][-1], ctx["bac"], money["h"]
    run = junit.read(folder / "junit.xml")
    pic = pictures(ctx, folder)
    policies, invest = money["policies"], money["invest"]
    goals = ctx["goals"]
    missed = [g for g in goals if g["atteint"] is False]
    deck = Deck()

    deck.cover("Plateforme de scoring crédit\nHome Credit", f"Soutenance — {day(ctx['status'])}\nProduct Owner · "
               "Scrum Master · data engineer · data scientists · développeur·ses · ingénieur·e DevOps")
    deck.slide("Le problème", [
        "Home Credit prête à des clients sans historique de crédit ; ils demandent qu'on leur explique la décision.",
        f"Tout accepter : {keur(policies[0]['perte'], 0)} de pertes attendues pour 10 000 demandes.",
        f"Le modèle au seuil métier évite {keur(policies[2]['perte_evitee'], 0)} de pertes pour "
        f"{keur(policies[2]['marge_perdue'], 0)} de marge perdue : {keur(invest['gain_par_demande'] * 10000, 0)} de "
        "plus que la règle sur les scores externes, au même taux de refus.",
        f"Réalisation {eur(bac)} ; VAN sur {int(invest['horizon_annees'])} ans (scénario central) : {eur(invest['van'])}.",
    ], note=f"Étude d'opportunité : modèle {policies[0]['modele']} ({num(int(policies[0]['clients']))} clients, AUC "
            f"{num(policies[0]['auc'], 3)}), pas le modèle de référence ; LGD {pct(h['lgd'], 0)}, marge {pct(h['marge'], 0)}.")
    deck.slide("Les données", [
        "Sept tables Home Credit : demandes, bureau de crédit et ses soldes, demandes précédentes, soldes POS et "
        "cartes, échéances.",
        "Échantillon réel : NA, BOM et CRLF, cible DEFAULTED, 365243 pour « pas de date », XNA pour « manquant ».",
        "Données synthétiques au même format, avec la probabilité vraie de chaque client : le plafond d'AUC est connu.",
        "Chargement validé, tout ou rien ; lignes refusées gardées avec leur motif.",
    ], table=[["table", "lignes par seconde (PostgreSQL, 356 255 clients)"], *[
        [name, performance.cell("356,255 clients | PostgreSQL", i)] for i, name in enumerate(
            ["application", "bureau", "bureau_balance", "previous_application", "pos_cash_balance",
             "credit_card_balance", "installments_payments"], start=2)]], split=112, size=12)
    deck.slide("Le modèle, honnêtement", [
        f"{num(m['features'])} variables ; {num(m['rows'])} clients ; {m['folds']} plis ; stratégie {m['strategy']} ; "
        f"calibration {m['calibration']}.",
        f"AUC {num(m['auc'], 3)} pour un plafond de {num(m['best_auc'], 3)} : {pct(m['auc_share'], 1)}, "
        "sous l'objectif de 97 %.",
        "Hyperparamètres : " + (f"Hyperopt, {m['max_evals']} évaluations." if m["tuned"] else
                                f"ceux par défaut ; Hyperopt : {m['max_evals']} évaluation pour ce modèle."),
        "Chaque client d'entraînement reçoit sa probabilité hors pli, jamais un score appris.",
    ], image=pic["auc"], split=100)
    deck.slide("La matrice de coûts choisit le seuil", [
        f"Seuil métier {num(m['threshold'], 3)} contre seuil F1 {num(m['threshold_f1'], 3)}.",
        f"Coût par client {num(m['business_cost'], 3)} contre {num(m['f1_cost'], 3)}.",
        f"{pct(m['approval'])} des demandes accordées au seuil métier.",
        "Le risk manager voit le coût de chaque seuil dans le tableau de bord.",
    ], image=pic["seuils"], split=90)
    deck.slide("Le conseiller : une décision expliquée", [
        "Fiche, jauge et seuil, décision, points et classe.",
        "Raisons en phrases, avec la valeur du client et sa place dans la population.",
        "Aucun attribut protégé cité.",
    ], image=pic["dashboard-client.png"], split=70)
    deck.slide("Historique, simulation, décision", [
        "Demandes précédentes, crédits ailleurs, retards.",
        "« Et si » : le modèle en production juge la demande modifiée ; montant accordable trouvé.",
        "Le conseiller confirme ou déroge, toujours avec un motif.",
    ], image=pic["dashboard-history-whatif.png"], split=100)
    deck.slide("Le risk manager : seuil et coûts", [
        "Curseurs de coût : le seuil optimal et la matrice de confusion suivent.",
        "Seuil F1 affiché pour comparer.",
        "Équité par groupe sous le graphique.",
    ], image=pic["dashboard-threshold.png"], split=62)
    deck.slide("La lettre au client", [
        "Décision, raisons en mots simples, ce qui la changerait.",
        "Comment demander un réexamen humain.",
        "Ni probabilité ni seuil ; en français ou en anglais.",
    ], image=pic["letter-fr.png"], split=120)
    deck.slide("Surveillance du modèle", [
        "Après chaque chargement : PSI du score et des variables, taux d'accord, back-testing par classe.",
        "Niveaux stable, à surveiller, à traiter, gardés en base.",
    ], image=pic["dashboard-monitoring.png"], split=80)
    deck.slide("Architecture", [], image=pic["architecture"],
               note=f"{len(ctx['tabs'])} onglets ({', '.join(ctx['tabs'])}) ; {len(ctx['operations'])} opérations d'API "
                    "décrites par OpenAPI ; spécification : docs/gestion-projet/specification-fonctionnelle-technique.md")
    failing = next(iter(m["failing"].items()), None)
    deck.slide("Sécurité et règlement européen sur l'IA", [
        "Connexion à rôles, sessions côté serveur ; TLS, rôles de base à moindre privilège ; journal de chaque décision.",
        f"Attributs protégés retirés avant l'apprentissage : {', '.join(m['protected'])}.",
        "Scoring de crédit : système à haut risque (annexe III) ; contrôle humain par revue motivée.",
        f"À justifier : {failing[0]} ne respecte pas la règle des 4/5 (rapport {num(failing[1]['ratio'], 2)})."
        if failing else "Chaque groupe mesuré respecte la règle des 4/5.",
    ], image=pic["equite"], split=110)
    deck.slide("Performances mesurées", [], table=[["objectif", "cible", "mesure", "verdict"]] + [
        [g["indicateur"], g["cible"], g["mesure"], VERDICT[g["atteint"]]] for g in goals], widths=(5, 2.2, 2.6, 1.3), size=12,
        note="Mesures : docs/performance.md (scripts de bench/) et fiche du modèle de référence.")
    deck.slide("Le projet : charte et parties prenantes", [
        "Sponsor : direction générale ; mandat au Product Owner et au Scrum Master dans la limite du BAC.",
        f"Budget {eur(bac)} et réserve pour aléas de {eur(bac * h['reserve_contingence'])}.",
        f"Du {day(ctx['start'])} au {day(ctx['end'])}, {len(ctx['sprints'])} sprints.",
    ], image=folder / "img" / "cartographie-parties-prenantes.png", split=95)
    deck.slide("Scrum : sprints recalés sur l'historique", [
        f"{num(ctx['points_done'])} points livrés sur {num(ctx['points_total'])} ; backlog importable dans Azure Boards.",
        "Dates des sprints : celles de leurs commits ; temps plafonné à 1 jour par rôle et par jour.",
        "Plan des sprints 1 à 4 écrit après coup : leur PV n'est pas une référence.",
    ], table=[["sprint", "fin", "points"]] + [
        [s["sprint"], moment(s["fin"]), f"{s['points_termines']} / {s['points_engages']}"] for s in ctx["sprints"]],
        widths=(1.2, 2.6, 1), split=120, size=12)
    deck.slide("Valeur acquise", [
        f"Au {moment(last['fin'])} : PV {eur(last['PV'])}, EV {eur(last['EV'])}, AC {eur(last['AC'])}.",
        f"EAC {eur(last['EAC'])}, VAC {eur(last['VAC'])} pour un BAC de {eur(bac)}.",
        *steering.interpret(last),
    ], image=folder / "img" / "evm-courbe-en-s.png", split=120)
    open_risks = [r for r in ctx["risks"] if r["statut"] in ("ouvert", "en cours")]
    deck.slide("Risques et décisions du comité", [
        f"{len(ctx['risks'])} risques au registre, {len(open_risks)} ouverts ; statut daté dans risques-historique.csv.",
        *[f"{day(c['date'][:10])} : {d['decision']}" for c in ctx["committees"] for d in c["decisions"][1:3]],
    ])
    scenarios = rtm.scenarios(folder)
    folders = reports.by_folder(run)
    passed = sum(c.outcome == "passed" for c in run.cases)
    deck.slide("Tests et recette", [
        f"Dernière exécution : {num(len(run.cases))} cas, {num(passed)} réussis, en {num(run.seconds / 60, 0)} min.",
        "Vrais composants : PostgreSQL TLS, Chromium, gunicorn, LightGBM ; contrat OpenAPI fuzzé.",
        f"{len(scenarios)} scénarios de recette reliés aux exigences ; chaque document vérifié contre ses sources.",
    ], table=[["dossier", "cas", "réussis"]] + [
        [f["dossier"], num(f["total"]), num(f["passed"])] for f in folders.to_dict("records")],
        widths=(2, 1, 1), split=130, size=12)
    deck.slide("Limites et suite", [
        *[f"Objectif manqué : {g['indicateur']} ({g['mesure']} pour {g['cible']})." for g in missed],
        "Hyperopt avec un vrai budget d'évaluations, sur le modèle de référence." if not m["tuned"] else
        "Réglages Hyperopt à refaire après chaque changement de données.",
        "Étude d'opportunité à refaire sur le modèle de référence puis sur les données réelles.",
        *([f"Écart d'accord par {failing[0]} à justifier avec la conformité avant la production."] if failing else []),
        "Scores en lot à relancer après chaque chargement ; SHAP limite le scoring en ligne sous charge.",
        *(f"À livrer : {e.title} ({num(left)} points)" for e, left in ctx["open_epics"]),
    ])
    deck.slide("Démonstration (5 minutes)", [
        "Connexion comme conseiller ; le client 100002 : décision, jauge, raisons.",
        "Simulation : montant réduit, nouvelle décision du modèle en production.",
        "Dérogation avec motif ; demande de revue du client ; la lettre suit la décision finale.",
        "Connexion comme risk manager : revues, seuil et coûts, surveillance de la dérive.",
        "L'API : même probabilité ; une entrée invalide reçoit une erreur claire.",
    ], note="Script détaillé : docs/gestion-projet/script-demo.md")
    return deck
