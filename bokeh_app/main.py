"""Home Credit dashboard: one browser session's document, built from the views over the shared portfolio.

Run with `python -m bokeh serve bokeh_app` from the repository root; the portfolio (model, clients, scores)
is loaded once per server by app_hooks.on_server_loaded and reached through the server context.
"""
from __future__ import annotations

from bokeh.io import curdoc
from bokeh.layouts import column, row
from bokeh.models import Div, TabPanel, Tabs

from bokeh_app import i18n
from bokeh_app.config import load_config
from bokeh_app.views.client_card import client_card
from bokeh_app.views.client_list import client_list
from bokeh_app.views.cohort import cohort
from bokeh_app.views.comparison import comparison
from bokeh_app.views.factors import factors
from bokeh_app.views.monitoring import monitoring_view
from bokeh_app.views.style import DIV_CSS
from bokeh_app.views.threshold import threshold_view
from modeling.monitor_words import word as monitoring_word

doc = curdoc()
context = doc.session_context
request = getattr(context, "request", None)
lang_arg = (request.arguments.get("lang") or [b"fr"])[0] if request is not None else b"fr"
lang = i18n.check_lang(lang_arg.decode() if isinstance(lang_arg, bytes) else str(lang_arg))
portfolio = getattr(context.server_context, "portfolio", None) if context is not None else None
doc.title = i18n.t("title", lang)
doc.template_variables.update(lang=lang, other_lang="en" if lang == "fr" else "fr",
                              switch_label=i18n.t("language", lang), heading=i18n.t("heading", lang))

if portfolio is None:
    error = getattr(context.server_context, "portfolio_error", "no portfolio") if context else "no server"
    doc.add_root(Div(text=i18n.t("no_portfolio", lang, error=error), name="app", stylesheets=[DIV_CSS]))
else:
    doc.template_variables["model"] = i18n.t("model_version", lang, v=portfolio.model_version)
    # --- advisor: one client at a time -------------------------------------------------------------------
    card = client_card(lang)
    explanation = factors(lang)
    compare = comparison(portfolio, lang)

    def open_client(client_id: int) -> None:
        """Show one client: identity, gauge, factors and comparison (the score comes from modeling)."""
        result = portfolio.explain(client_id, lang)
        card.show(client_id, portfolio.clients.loc[client_id], result)
        explanation.show(result)
        compare.show(client_id, result.reasons)

    clients = client_list(portfolio, lang, max_rows=load_config().table_rows, on_pick=open_client)
    # the gauge and the factors sit in their own columns so that their plot frames are not aligned
    score_and_factors = column(column(card.gauge, card.verdict), column(explanation.figure, explanation.sentences))
    advisor = column(clients.layout, row(card.identity, score_and_factors),
                     Div(text=f"<h2>{i18n.t('comparison', lang)}</h2>", stylesheets=[DIV_CSS]), compare.layout,
                     sizing_mode="stretch_width")

    # --- risk manager: cohorts and threshold -----------------------------------------------------------
    cohorts = cohort(portfolio, lang)
    threshold = threshold_view(portfolio, lang)

    tabs = Tabs(tabs=[TabPanel(child=advisor, title=i18n.t("tab_client", lang)),
                      TabPanel(child=cohorts.layout, title=i18n.t("tab_cohort", lang)),
                      TabPanel(child=threshold.layout, title=i18n.t("tab_threshold", lang)),
                      TabPanel(child=monitoring_view(portfolio.database_url, portfolio.model_version, lang).layout,
                               title=monitoring_word("tab", lang))],
                name="app", sizing_mode="stretch_width")
    doc.add_root(tabs)
