"""The relational schema of the bank's data: the seven Home Credit tables and the loader's bookkeeping.

Column names are the Kaggle names in lower case (``AMT_CREDIT`` is ``amt_credit``); ``kaggle_columns``
gives them back in Kaggle spelling and order, so the schema is the one source of truth for column lists.

Keys, decided from the real data (see docs/data-model.md):
- natural keys where the source guarantees them: ``SK_ID_CURR``, ``SK_ID_BUREAU``, ``SK_ID_PREV``, and a
  month within a credit for the monthly snapshots (bureau_balance, POS_CASH_balance, credit_card_balance);
- a surrogate key for installments_payments: a partly paid instalment appears as several rows with the same
  (SK_ID_PREV, NUM_INSTALMENT_VERSION, NUM_INSTALMENT_NUMBER), so no natural column set is unique.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 1


class Base(DeclarativeBase):
    """Declarative base holding the project's metadata."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Application(Base):
    """A loan application (train or test); TARGET is empty for test applications."""

    __tablename__ = "application"

    sk_id_curr: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    target: Mapped[Optional[int]] = mapped_column(
        SmallInteger, CheckConstraint("target IN (0, 1)", name="target_is_binary")
    )
    name_contract_type: Mapped[Optional[str]] = mapped_column(String)
    code_gender: Mapped[Optional[str]] = mapped_column(String)
    flag_own_car: Mapped[Optional[str]] = mapped_column(String)
    flag_own_realty: Mapped[Optional[str]] = mapped_column(String)
    cnt_children: Mapped[Optional[int]] = mapped_column(Integer)
    amt_income_total: Mapped[Optional[float]] = mapped_column(Float)
    amt_credit: Mapped[Optional[float]] = mapped_column(Float)
    amt_annuity: Mapped[Optional[float]] = mapped_column(Float)
    amt_goods_price: Mapped[Optional[float]] = mapped_column(Float)
    name_type_suite: Mapped[Optional[str]] = mapped_column(String)
    name_income_type: Mapped[Optional[str]] = mapped_column(String)
    name_education_type: Mapped[Optional[str]] = mapped_column(String)
    name_family_status: Mapped[Optional[str]] = mapped_column(String)
    name_housing_type: Mapped[Optional[str]] = mapped_column(String)
    region_population_relative: Mapped[Optional[float]] = mapped_column(Float)
    days_birth: Mapped[Optional[int]] = mapped_column(Integer)
    days_employed: Mapped[Optional[int]] = mapped_column(Integer)
    days_registration: Mapped[Optional[int]] = mapped_column(Integer)
    days_id_publish: Mapped[Optional[int]] = mapped_column(Integer)
    own_car_age: Mapped[Optional[int]] = mapped_column(Integer)
    flag_mobil: Mapped[Optional[int]] = mapped_column(Integer)
    flag_emp_phone: Mapped[Optional[int]] = mapped_column(Integer)
    flag_work_phone: Mapped[Optional[int]] = mapped_column(Integer)
    flag_cont_mobile: Mapped[Optional[int]] = mapped_column(Integer)
    flag_phone: Mapped[Optional[int]] = mapped_column(Integer)
    flag_email: Mapped[Optional[int]] = mapped_column(Integer)
    occupation_type: Mapped[Optional[str]] = mapped_column(String)
    cnt_fam_members: Mapped[Optional[int]] = mapped_column(Integer)
    region_rating_client: Mapped[Optional[int]] = mapped_column(Integer)
    region_rating_client_w_city: Mapped[Optional[int]] = mapped_column(Integer)
    weekday_appr_process_start: Mapped[Optional[str]] = mapped_column(String)
    hour_appr_process_start: Mapped[Optional[int]] = mapped_column(Integer)
    reg_region_not_live_region: Mapped[Optional[int]] = mapped_column(Integer)
    reg_region_not_work_region: Mapped[Optional[int]] = mapped_column(Integer)
    live_region_not_work_region: Mapped[Optional[int]] = mapped_column(Integer)
    reg_city_not_live_city: Mapped[Optional[int]] = mapped_column(Integer)
    reg_city_not_work_city: Mapped[Optional[int]] = mapped_column(Integer)
    live_city_not_work_city: Mapped[Optional[int]] = mapped_column(Integer)
    organization_type: Mapped[Optional[str]] = mapped_column(String)
    ext_source_1: Mapped[Optional[float]] = mapped_column(Float)
    ext_source_2: Mapped[Optional[float]] = mapped_column(Float)
    ext_source_3: Mapped[Optional[float]] = mapped_column(Float)
    apartments_avg: Mapped[Optional[float]] = mapped_column(Float)
    basementarea_avg: Mapped[Optional[float]] = mapped_column(Float)
    years_beginexpluatation_avg: Mapped[Optional[float]] = mapped_column(Float)
    years_build_avg: Mapped[Optional[float]] = mapped_column(Float)
    commonarea_avg: Mapped[Optional[float]] = mapped_column(Float)
    elevators_avg: Mapped[Optional[float]] = mapped_column(Float)
    entrances_avg: Mapped[Optional[float]] = mapped_column(Float)
    floorsmax_avg: Mapped[Optional[float]] = mapped_column(Float)
    floorsmin_avg: Mapped[Optional[float]] = mapped_column(Float)
    landarea_avg: Mapped[Optional[float]] = mapped_column(Float)
    livingapartments_avg: Mapped[Optional[float]] = mapped_column(Float)
    livingarea_avg: Mapped[Optional[float]] = mapped_column(Float)
    nonlivingapartments_avg: Mapped[Optional[float]] = mapped_column(Float)
    nonlivingarea_avg: Mapped[Optional[float]] = mapped_column(Float)
    apartments_mode: Mapped[Optional[float]] = mapped_column(Float)
    basementarea_mode: Mapped[Optional[float]] = mapped_column(Float)
    years_beginexpluatation_mode: Mapped[Optional[float]] = mapped_column(Float)
    years_build_mode: Mapped[Optional[float]] = mapped_column(Float)
    commonarea_mode: Mapped[Optional[float]] = mapped_column(Float)
    elevators_mode: Mapped[Optional[float]] = mapped_column(Float)
    entrances_mode: Mapped[Optional[float]] = mapped_column(Float)
    floorsmax_mode: Mapped[Optional[float]] = mapped_column(Float)
    floorsmin_mode: Mapped[Optional[float]] = mapped_column(Float)
    landarea_mode: Mapped[Optional[float]] = mapped_column(Float)
    livingapartments_mode: Mapped[Optional[float]] = mapped_column(Float)
    livingarea_mode: Mapped[Optional[float]] = mapped_column(Float)
    nonlivingapartments_mode: Mapped[Optional[float]] = mapped_column(Float)
    nonlivingarea_mode: Mapped[Optional[float]] = mapped_column(Float)
    apartments_medi: Mapped[Optional[float]] = mapped_column(Float)
    basementarea_medi: Mapped[Optional[float]] = mapped_column(Float)
    years_beginexpluatation_medi: Mapped[Optional[float]] = mapped_column(Float)
    years_build_medi: Mapped[Optional[float]] = mapped_column(Float)
    commonarea_medi: Mapped[Optional[float]] = mapped_column(Float)
    elevators_medi: Mapped[Optional[float]] = mapped_column(Float)
    entrances_medi: Mapped[Optional[float]] = mapped_column(Float)
    floorsmax_medi: Mapped[Optional[float]] = mapped_column(Float)
    floorsmin_medi: Mapped[Optional[float]] = mapped_column(Float)
    landarea_medi: Mapped[Optional[float]] = mapped_column(Float)
    livingapartments_medi: Mapped[Optional[float]] = mapped_column(Float)
    livingarea_medi: Mapped[Optional[float]] = mapped_column(Float)
    nonlivingapartments_medi: Mapped[Optional[float]] = mapped_column(Float)
    nonlivingarea_medi: Mapped[Optional[float]] = mapped_column(Float)
    fondkapremont_mode: Mapped[Optional[str]] = mapped_column(String)
    housetype_mode: Mapped[Optional[str]] = mapped_column(String)
    totalarea_mode: Mapped[Optional[float]] = mapped_column(Float)
    wallsmaterial_mode: Mapped[Optional[str]] = mapped_column(String)
    emergencystate_mode: Mapped[Optional[str]] = mapped_column(String)
    obs_30_cnt_social_circle: Mapped[Optional[int]] = mapped_column(Integer)
    def_30_cnt_social_circle: Mapped[Optional[int]] = mapped_column(Integer)
    obs_60_cnt_social_circle: Mapped[Optional[int]] = mapped_column(Integer)
    def_60_cnt_social_circle: Mapped[Optional[int]] = mapped_column(Integer)
    days_last_phone_change: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_2: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_3: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_4: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_5: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_6: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_7: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_8: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_9: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_10: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_11: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_12: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_13: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_14: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_15: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_16: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_17: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_18: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_19: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_20: Mapped[Optional[int]] = mapped_column(Integer)
    flag_document_21: Mapped[Optional[int]] = mapped_column(Integer)
    amt_req_credit_bureau_hour: Mapped[Optional[int]] = mapped_column(Integer)
    amt_req_credit_bureau_day: Mapped[Optional[int]] = mapped_column(Integer)
    amt_req_credit_bureau_week: Mapped[Optional[int]] = mapped_column(Integer)
    amt_req_credit_bureau_mon: Mapped[Optional[int]] = mapped_column(Integer)
    amt_req_credit_bureau_qrt: Mapped[Optional[int]] = mapped_column(Integer)
    amt_req_credit_bureau_year: Mapped[Optional[int]] = mapped_column(Integer)


class BureauCredit(Base):
    """A credit the client holds or held with another lender, as reported by the credit bureau."""

    __tablename__ = "bureau"

    sk_id_curr: Mapped[int] = mapped_column(
        Integer, ForeignKey("application.sk_id_curr"), index=True
    )
    sk_id_bureau: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    credit_active: Mapped[Optional[str]] = mapped_column(String)
    credit_currency: Mapped[Optional[str]] = mapped_column(String)
    days_credit: Mapped[Optional[int]] = mapped_column(Integer)
    credit_day_overdue: Mapped[Optional[float]] = mapped_column(Float)
    days_credit_enddate: Mapped[Optional[int]] = mapped_column(Integer)
    days_enddate_fact: Mapped[Optional[int]] = mapped_column(Integer)
    amt_credit_max_overdue: Mapped[Optional[float]] = mapped_column(Float)
    cnt_credit_prolong: Mapped[Optional[int]] = mapped_column(Integer)
    amt_credit_sum: Mapped[Optional[float]] = mapped_column(Float)
    amt_credit_sum_debt: Mapped[Optional[float]] = mapped_column(Float)
    amt_credit_sum_limit: Mapped[Optional[float]] = mapped_column(Float)
    amt_credit_sum_overdue: Mapped[Optional[float]] = mapped_column(Float)
    credit_type: Mapped[Optional[str]] = mapped_column(String)
    days_credit_update: Mapped[Optional[int]] = mapped_column(Integer)
    amt_annuity: Mapped[Optional[float]] = mapped_column(Float)


class BureauBalance(Base):
    """The monthly status of a credit-bureau credit."""

    __tablename__ = "bureau_balance"

    sk_id_bureau: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("bureau.sk_id_bureau"),
        primary_key=True,
        autoincrement=False,
    )
    months_balance: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    status: Mapped[Optional[str]] = mapped_column(String)


class PreviousApplication(Base):
    """A previous application of the client at Home Credit."""

    __tablename__ = "previous_application"

    sk_id_prev: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    sk_id_curr: Mapped[int] = mapped_column(
        Integer, ForeignKey("application.sk_id_curr"), index=True
    )
    name_contract_type: Mapped[Optional[str]] = mapped_column(String)
    amt_annuity: Mapped[Optional[float]] = mapped_column(Float)
    amt_application: Mapped[Optional[float]] = mapped_column(Float)
    amt_credit: Mapped[Optional[float]] = mapped_column(Float)
    amt_down_payment: Mapped[Optional[float]] = mapped_column(Float)
    amt_goods_price: Mapped[Optional[float]] = mapped_column(Float)
    weekday_appr_process_start: Mapped[Optional[str]] = mapped_column(String)
    hour_appr_process_start: Mapped[Optional[int]] = mapped_column(Integer)
    flag_last_appl_per_contract: Mapped[Optional[str]] = mapped_column(String)
    nflag_last_appl_in_day: Mapped[Optional[int]] = mapped_column(Integer)
    rate_down_payment: Mapped[Optional[float]] = mapped_column(Float)
    rate_interest_primary: Mapped[Optional[float]] = mapped_column(Float)
    rate_interest_privileged: Mapped[Optional[float]] = mapped_column(Float)
    name_cash_loan_purpose: Mapped[Optional[str]] = mapped_column(String)
    name_contract_status: Mapped[Optional[str]] = mapped_column(String)
    days_decision: Mapped[Optional[int]] = mapped_column(Integer)
    name_payment_type: Mapped[Optional[str]] = mapped_column(String)
    code_reject_reason: Mapped[Optional[str]] = mapped_column(String)
    name_type_suite: Mapped[Optional[str]] = mapped_column(String)
    name_client_type: Mapped[Optional[str]] = mapped_column(String)
    name_goods_category: Mapped[Optional[str]] = mapped_column(String)
    name_portfolio: Mapped[Optional[str]] = mapped_column(String)
    name_product_type: Mapped[Optional[str]] = mapped_column(String)
    channel_type: Mapped[Optional[str]] = mapped_column(String)
    sellerplace_area: Mapped[Optional[int]] = mapped_column(Integer)
    name_seller_industry: Mapped[Optional[str]] = mapped_column(String)
    cnt_payment: Mapped[Optional[int]] = mapped_column(Integer)
    name_yield_group: Mapped[Optional[str]] = mapped_column(String)
    product_combination: Mapped[Optional[str]] = mapped_column(String)
    days_first_drawing: Mapped[Optional[int]] = mapped_column(Integer)
    days_first_due: Mapped[Optional[int]] = mapped_column(Integer)
    days_last_due_1st_version: Mapped[Optional[int]] = mapped_column(Integer)
    days_last_due: Mapped[Optional[int]] = mapped_column(Integer)
    days_termination: Mapped[Optional[int]] = mapped_column(Integer)
    nflag_insured_on_approval: Mapped[Optional[int]] = mapped_column(Integer)


class PosCashBalance(Base):
    """The monthly snapshot of a previous point-of-sale or cash loan."""

    __tablename__ = "pos_cash_balance"

    sk_id_prev: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("previous_application.sk_id_prev"),
        primary_key=True,
        autoincrement=False,
    )
    sk_id_curr: Mapped[int] = mapped_column(
        Integer, ForeignKey("application.sk_id_curr"), index=True
    )
    months_balance: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    cnt_instalment: Mapped[Optional[int]] = mapped_column(Integer)
    cnt_instalment_future: Mapped[Optional[int]] = mapped_column(Integer)
    name_contract_status: Mapped[Optional[str]] = mapped_column(String)
    sk_dpd: Mapped[Optional[int]] = mapped_column(Integer)
    sk_dpd_def: Mapped[Optional[int]] = mapped_column(Integer)


class CreditCardBalance(Base):
    """The monthly snapshot of a previous Home Credit credit card."""

    __tablename__ = "credit_card_balance"

    sk_id_prev: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("previous_application.sk_id_prev"),
        primary_key=True,
        autoincrement=False,
    )
    sk_id_curr: Mapped[int] = mapped_column(
        Integer, ForeignKey("application.sk_id_curr"), index=True
    )
    months_balance: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    amt_balance: Mapped[Optional[float]] = mapped_column(Float)
    amt_credit_limit_actual: Mapped[Optional[float]] = mapped_column(Float)
    amt_drawings_atm_current: Mapped[Optional[float]] = mapped_column(Float)
    amt_drawings_current: Mapped[Optional[float]] = mapped_column(Float)
    amt_drawings_other_current: Mapped[Optional[float]] = mapped_column(Float)
    amt_drawings_pos_current: Mapped[Optional[float]] = mapped_column(Float)
    amt_inst_min_regularity: Mapped[Optional[float]] = mapped_column(Float)
    amt_payment_current: Mapped[Optional[float]] = mapped_column(Float)
    amt_payment_total_current: Mapped[Optional[float]] = mapped_column(Float)
    amt_receivable_principal: Mapped[Optional[float]] = mapped_column(Float)
    amt_recivable: Mapped[Optional[float]] = mapped_column(Float)
    amt_total_receivable: Mapped[Optional[float]] = mapped_column(Float)
    cnt_drawings_atm_current: Mapped[Optional[int]] = mapped_column(Integer)
    cnt_drawings_current: Mapped[Optional[int]] = mapped_column(Integer)
    cnt_drawings_other_current: Mapped[Optional[int]] = mapped_column(Integer)
    cnt_drawings_pos_current: Mapped[Optional[int]] = mapped_column(Integer)
    cnt_instalment_mature_cum: Mapped[Optional[int]] = mapped_column(Integer)
    name_contract_status: Mapped[Optional[str]] = mapped_column(String)
    sk_dpd: Mapped[Optional[int]] = mapped_column(Integer)
    sk_dpd_def: Mapped[Optional[int]] = mapped_column(Integer)


class InstallmentPayment(Base):
    """A payment (or a missed one) of an instalment of a previous Home Credit loan."""

    __tablename__ = "installments_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sk_id_prev: Mapped[int] = mapped_column(
        Integer, ForeignKey("previous_application.sk_id_prev"), index=True
    )
    sk_id_curr: Mapped[int] = mapped_column(
        Integer, ForeignKey("application.sk_id_curr"), index=True
    )
    num_instalment_version: Mapped[Optional[int]] = mapped_column(Integer)
    num_instalment_number: Mapped[Optional[int]] = mapped_column(Integer)
    days_instalment: Mapped[Optional[int]] = mapped_column(Integer)
    days_entry_payment: Mapped[Optional[int]] = mapped_column(Integer)
    amt_instalment: Mapped[Optional[float]] = mapped_column(Float)
    amt_payment: Mapped[Optional[float]] = mapped_column(Float)


class LoadRun(Base):
    """One run of the loader: what was loaded, when, and how it ended."""

    __tablename__ = "load_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    source: Mapped[str] = mapped_column(Text)
    summary: Mapped[Optional[str]] = mapped_column(Text)


class RejectedRow(Base):
    """A source row the loader refused, kept with its reason and raw content so nothing is lost."""

    __tablename__ = "rejected_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    load_run_id: Mapped[int] = mapped_column(ForeignKey("load_run.id"), index=True)
    source_file: Mapped[str] = mapped_column(String)
    line_number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    raw_row: Mapped[str] = mapped_column(Text)


class ScoreAudit(Base):
    """One decision served by the scoring service: which model decided what, for whom, when and for which caller."""

    __tablename__ = "score_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scored_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    sk_id_curr: Mapped[int] = mapped_column(
        ForeignKey("application.sk_id_curr"), index=True
    )
    model_version: Mapped[str] = mapped_column(String)
    probability: Mapped[float] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String)
    threshold: Mapped[float] = mapped_column(Float)
    caller: Mapped[str] = mapped_column(String)


class ClientScore(Base):
    """A client's probability and reasons computed in batch by one model version (``modeling.serving.store``).

    Derived data: valid while ``load_run_id`` is the latest load run; rewritten by
    ``python -m modeling predict --store``. Reasons are a JSON list of language-neutral reason keys; ``features``
    keeps the client's comparison features, so the dashboard starts without rebuilding features.
    """

    __tablename__ = "client_score"

    model_version: Mapped[str] = mapped_column(String, primary_key=True)
    sk_id_curr: Mapped[int] = mapped_column(
        ForeignKey("application.sk_id_curr"), primary_key=True
    )
    probability: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)
    # JSON {feature: value} of the comparison features (modeling.serving.store.COMPARISON_FEATURES) the dashboard shows
    features: Mapped[Optional[str]] = mapped_column(Text)
    load_run_id: Mapped[Optional[int]] = mapped_column(Integer)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))



class MonitoringResult(Base):
    """One monitoring run of a model over the clients of the database (``python -m modeling monitor``).

    ``result`` is the JSON document the command prints with ``--json``: PSI of the score and of each
    characteristic, approval rate, grade mix and back-testing, each with its level. Append-only history.
    """

    __tablename__ = "monitoring_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    model_version: Mapped[str] = mapped_column(String, index=True)
    load_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("load_run.id"))
    level: Mapped[str] = mapped_column(String)
    score_psi: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(Text)

#: Roles of the people who sign in to the dashboard and the advisor page (``bokeh_app.access``).
USER_ROLES = ("advisor", "risk_manager", "admin")
#: Reasons an advisor may give when recording a review (words in modeling/wording/words.csv, ``review_reason_*``).
REVIEW_REASONS = ("model_agrees", "income_verified", "guarantee_offered", "recent_change", "documents_missing",
                  "fraud_suspected", "policy_exception", "other")
#: Final decisions a review records (the model's own vocabulary).
REVIEW_DECISIONS = ("grant", "refuse")


class AppUser(Base):
    """A person who signs in: a unique name, one role, an argon2 password hash (never the password)."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint("role IN ('advisor', 'risk_manager', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    role: Mapped[str] = mapped_column(String)
    password_hash: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServerSession(Base):
    """A sign-in: the hash of the random id its cookie holds, whose it is, when it ends. Revoked by sign-out,
    a password reset or an administrator (``revoked_at``); checked on every page and websocket."""

    __tablename__ = "server_session"

    id_hash: Mapped[str] = mapped_column(String, primary_key=True)  # sha256 of the cookie's id, never the id
    user_name: Mapped[str] = mapped_column(String, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the absolute end
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[Optional[str]] = mapped_column(String)


class SignInFailure(Base):
    """One failed sign-in: the account it aimed at (None for an unknown name) and the address it came from.
    Counters shared by every worker; a password reset or a correct password deletes the account's rows."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    account: Mapped[Optional[str]] = mapped_column(String, index=True)
    address: Mapped[str] = mapped_column(String, index=True)


class AccessLog(Base):
    """One opening of a client's file: who, which client, when, through which screen. Append-only."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    accessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_name: Mapped[str] = mapped_column(String, index=True)
    sk_id_curr: Mapped[int] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String)  # "dashboard" or "page"


class DecisionReview(Base):
    """An advisor's final decision on a client next to the model's: confirm or override, and why. Append-only."""

    __tablename__ = "decision_review"
    __table_args__ = (CheckConstraint("final_decision IN ('grant', 'refuse')", name="final_decision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    sk_id_curr: Mapped[int] = mapped_column(ForeignKey("application.sk_id_curr"), index=True)
    model_version: Mapped[str] = mapped_column(String)
    model_probability: Mapped[float] = mapped_column(Float)
    model_decision: Mapped[str] = mapped_column(String)
    model_grade: Mapped[str] = mapped_column(String)
    final_decision: Mapped[str] = mapped_column(String)
    reason: Mapped[str] = mapped_column(String)
    comment: Mapped[Optional[str]] = mapped_column(Text)
    user_name: Mapped[str] = mapped_column(String)


#: Where a client's request for a human review was received: another system of the bank through the API, or an
#: advisor at the branch through the advisor page.
REQUEST_CHANNELS = ("api", "branch")
#: How the client wants to be answered (optional).
REQUEST_CONTACTS = ("letter", "email", "phone", "branch")
#: The steps of a request after it is received: an advisor takes it, then answers it with a review.
REQUEST_STEPS = ("taken", "answered")
#: Tables whose rows are never changed nor deleted: database triggers refuse UPDATE and DELETE (migration 0006).
APPEND_ONLY_TABLES = ("score_audit", "access_log", "decision_review", "review_request", "review_request_step")


class ReviewRequest(Base):
    """A client's request for a human review of an automated decision (CCD2 Art. 18, GDPR Art. 22(3)), with the
    client's own statement. Append-only: what happens next is a ``review_request_step`` row."""

    __tablename__ = "review_request"
    __table_args__ = (CheckConstraint("channel IN ('api', 'branch')", name="channel"),
                      CheckConstraint("contact IN ('letter', 'email', 'phone', 'branch')", name="contact"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    sk_id_curr: Mapped[int] = mapped_column(ForeignKey("application.sk_id_curr"), index=True)
    channel: Mapped[str] = mapped_column(String)
    contact: Mapped[Optional[str]] = mapped_column(String)
    statement: Mapped[str] = mapped_column(Text)  # the client's point of view, in their words
    recorded_by: Mapped[str] = mapped_column(String)


class ReviewRequestStep(Base):
    """One step of a review request: an advisor took it, or answered it with a review (``review_id``).

    Append-only; a request is answered at most once (a partial unique index), and only an answer names a review.
    """

    __tablename__ = "review_request_step"
    __table_args__ = (
        CheckConstraint("(step = 'taken' AND review_id IS NULL) OR (step = 'answered' AND review_id IS NOT NULL)",
                        name="step"),
        Index("uq_review_request_step_answered", "request_id", unique=True,
              sqlite_where=text("step = 'answered'"), postgresql_where=text("step = 'answered'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("review_request.id"), index=True)
    step: Mapped[str] = mapped_column(String)
    stepped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_name: Mapped[str] = mapped_column(String)
    review_id: Mapped[Optional[int]] = mapped_column(ForeignKey("decision_review.id"))


#: The seven Home Credit tables, parents before children (the order to create and load them).
DATA_TABLES: tuple[str, ...] = (
    "application",
    "bureau",
    "bureau_balance",
    "previous_application",
    "pos_cash_balance",
    "credit_card_balance",
    "installments_payments",
)


def table(name: str) -> Table:
    """The SQLAlchemy table called ``name`` (a clear KeyError naming the known tables otherwise)."""
    try:
        return Base.metadata.tables[name]
    except KeyError:
        known = ", ".join(sorted(Base.metadata.tables))
        raise KeyError(f"unknown table {name!r}; known tables: {known}") from None


def kaggle_columns(name: str) -> list[str]:
    """The source columns of a data table in Kaggle spelling and order (surrogate keys left out)."""
    return [
        column.name.upper() for column in table(name).columns if column.name != "id"
    ]


def primary_key(name: str) -> list[str]:
    """The primary-key columns of a table in Kaggle spelling."""
    return [column.name.upper() for column in table(name).primary_key.columns]
