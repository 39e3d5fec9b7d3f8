"""Home Credit dashboard: one browser session's document, built from the views over the shared portfolio.

Run with `python -m bokeh_app serve` (sign-in on); the portfolio (model, clients, scores) is loaded once per
server by app_hooks.on_server_loaded and reached through the server context. The signed-in user's role decides
the tabs (bokeh_app/session_user.py).
"""
from __future__ import annotations

from bokeh.io import curdoc
from bokeh.layouts import column, row
from bokeh.models import Div, TabPanel, Tabs

from bokeh_app.session_user import engine_for, session_user, signout_form_token
from bokeh_app.views.client_card import client_card
from bokeh_app.views.client_file import client_file
from bokeh_app.views.client_list import client_list
from bokeh_app.views.cohort import cohort
from bokeh_app.views.comparison import comparison
from bokeh_app.views.factors import factors
from bokeh_app.views.formats import name_slider_handles
from bokeh_app.views.help import help_view
from bokeh_app.views.language import language_follower, requested_client
from bokeh_app.views.monitoring import monitoring_view
from bokeh_app.views.overrides import overrides_view
from bokeh_app.views.review import review_panel
from bokeh_app.views.review_requests import request_queue
from bokeh_app.views.style import DIV_CSS, TABS_CSS
from bokeh_app.views.threshold import threshold_view
from database.oversight import record_access
from modeling.monitoring.words import word as monitoring_word
from modeling.serving.decision import final_decision
from modeling.wording import catalogue

SESSION_CHECK_MS = 60_000  # how often an open page checks that its session still lives
doc = curdoc()
context = doc.session_context
request = getattr(context, "request", None)
lang_arg = (request.arguments.get("lang") or [b"fr"])[0] if request is not None else b"fr"
lang = catalogue.lang_or_default(lang_arg.decode() if isinstance(lang_arg, bytes) else str(lang_arg))
portfolio = getattr(context.server_context, "portfolio", None) if context is not None else None
settings = context.server_context.settings if portfolio is not None else None  # app_hooks set both
doc.title = catalogue.t("title", lang)
doc.template_variables.update(lang=lang, other_lang=catalogue.other_lang(lang),
                              switch_label=catalogue.t("language", lang), heading=catalogue.t("heading", lang))

engine = engine_for(portfolio.database_url) if portfolio is not None else None
user = session_user(context, settings.auth, engine) if portfolio is not None else None

if portfolio is None:
    error = getattr(context.server_context, "portfolio_error", "no portfolio") if context else "no server"
    doc.add_root(Div(text=catalogue.t("no_portfolio", lang, error=error), name="app", stylesheets=[DIV_CSS]))
elif user is None:  # Bokeh's auth hooks refuse such requests; a server started without them shows nothing
    doc.add_root(Div(text=catalogue.t("signin_required", lang), name="app", stylesheets=[DIV_CSS]))
else:
    doc.template_variables.update(user=catalogue.t("signin_as", lang, name=user.name,
                                                   role=catalogue.t(f"role_{user.role}", lang)),
                                  signout=catalogue.t("signin_out", lang), signout_token=signout_form_token(context))
    doc.template_variables["model"] = catalogue.t("model_version", lang, d=catalogue.day(portfolio.model_date, lang),
                                                  v=portfolio.model_version)
    # --- advisor: one client at a time -------------------------------------------------------------------
    card = client_card(lang, portfolio.threshold)
    explanation = factors(lang)
    compare = comparison(portfolio, lang)
    file = client_file(portfolio, lang)  # history, what-if and the letter

    def show_decision(result) -> None:
        """The bank's final decision (the latest review, else the model's) on the card and in the letter."""
        final = final_decision(engine, result)
        card.decide(result, final)
        file.decide(final)

    review = review_panel(engine, user.name, lang, on_recorded=show_decision)

    def signed_out(touch: bool = True) -> bool:
        """True (and the views replaced by the sign-in link) once the session was revoked or timed out."""
        if session_user(context, settings.auth, engine, touch=touch) is not None:
            return False
        doc.clear()
        doc.add_root(Div(text=catalogue.t("signin_required", lang), name="app", stylesheets=[DIV_CSS]))
        return True

    language_holder, follow_language = language_follower(doc, lang)

    def open_client(client_id: int) -> None:
        """Show one client: identity, gauge, factors and comparison (the score comes from modeling)."""
        if signed_out():  # a file opens only for a live session: a revoked one sees nothing more
            return
        result = portfolio.explain(client_id, lang)
        follow_language(client_id)  # switching language reopens this client
        record_access(engine, user.name, client_id, "dashboard")  # every opening of a file leaves its trace
        review.show(result)
        card.show(client_id, portfolio.clients.loc[client_id], result)
        explanation.show(result)
        compare.show(client_id, result.reasons)
        final = final_decision(engine, result)
        card.decide(result, final)
        file.show(client_id, result, final)

    clients = client_list(portfolio, lang, max_rows=settings.table_rows, on_pick=open_client)
    asked = requested_client(request)  # ?client_id=: the language link's, or an address kept by the advisor
    open_client(asked if asked is not None and portfolio.has(asked) else int(clients.source.data["SK_ID_CURR"][0]))
    score_and_factors = column(column(card.gauge, card.verdict, sizing_mode="stretch_width"),
                               column(explanation.figure, explanation.sentences, sizing_mode="stretch_width"),
                               sizing_mode="stretch_width")
    advisor = column(clients.layout, row(card.identity, score_and_factors, sizing_mode="stretch_width"),
                     Div(text=f"<h2>{catalogue.t('comparison', lang)}</h2>", stylesheets=[DIV_CSS]), compare.layout,
                     file.layout, review.layout, language_holder, sizing_mode="stretch_width")

    # --- risk manager: cohorts and threshold; the user guide; monitoring ----------------------------------
    panels = [TabPanel(child=advisor, title=catalogue.t("tab_client", lang)),
              TabPanel(child=request_queue(engine, portfolio, user, lang, open_client).layout,
                       title=catalogue.t("tab_requests", lang))]
    if user.sees_risk_views:  # advisors see one client at a time; the portfolio views are the risk managers'
        panels += [TabPanel(child=cohort(portfolio, lang).layout, title=catalogue.t("tab_cohort", lang)),
                   TabPanel(child=threshold_view(portfolio, lang).layout, title=catalogue.t("tab_threshold", lang)),
                   TabPanel(child=monitoring_view(portfolio.database_url, portfolio.model_version, lang).layout,
                            title=monitoring_word("tab", lang)),
                   TabPanel(child=overrides_view(engine, lang).layout, title=catalogue.t("tab_reviews", lang))]
    panels.append(TabPanel(child=help_view(lang, user.sees_risk_views), title=catalogue.t("tab_help", lang)))
    doc.add_root(Tabs(tabs=panels, name="app", sizing_mode="stretch_width", stylesheets=[TABS_CSS]))
    doc.add_periodic_callback(lambda: signed_out(touch=False), SESSION_CHECK_MS)  # an open page ends with its session
    name_slider_handles(doc)
