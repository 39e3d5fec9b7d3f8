-- grants.sql, version 4: table privileges of each role. Run by `python -m database init-roles` after
-- roles.sql and after the owner has created the tables; run it again after every migration.
-- It first takes everything back, so a re-run also removes privileges that are no longer wanted.
-- tests/database/test_roles.py fails when a table of database/schema.py is not named here.

REVOKE ALL ON ALL TABLES IN SCHEMA public
    FROM PUBLIC, homecredit_loader, homecredit_app, homecredit_analyst;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public
    FROM PUBLIC, homecredit_loader, homecredit_app, homecredit_analyst;

-- Every service reads the schema revision (alembic_version) to check that the database is current;
-- only the owner runs migrations.
GRANT SELECT ON alembic_version TO homecredit_loader, homecredit_app, homecredit_analyst;

-- Loader: appends rows (INSERT also covers COPY FROM) and reads the keys it needs to skip rows
-- already loaded and to check references. No UPDATE, DELETE, TRUNCATE on the data; nothing on score_audit.
GRANT SELECT, INSERT ON
    application, bureau, bureau_balance, previous_application,
    pos_cash_balance, credit_card_balance, installments_payments,
    load_run, rejected_row
    TO homecredit_loader;
-- a run's summary is written when it ends: the only column the loader may change
GRANT UPDATE (summary) ON load_run TO homecredit_loader;
GRANT USAGE ON SEQUENCE installments_payments_id_seq, load_run_id_seq, rejected_row_id_seq
    TO homecredit_loader;
-- Batch scores (`python -m modeling predict --store`, run after a load with the loader's account) are
-- derived data: the loader may replace them, which is the only DELETE it holds.
GRANT SELECT, INSERT, DELETE ON client_score TO homecredit_loader;
-- Monitoring results (`python -m modeling monitor`, run after each load and each `predict --store` with the
-- loader's account) are an append-only history: the loader adds rows, nobody changes or deletes them.
GRANT SELECT, INSERT ON monitoring_result TO homecredit_loader;
GRANT USAGE ON SEQUENCE monitoring_result_id_seq TO homecredit_loader;

-- Application (API, dashboard): reads what scoring needs, records each decision it serves.
GRANT SELECT ON
    application, bureau, bureau_balance, previous_application,
    pos_cash_balance, credit_card_balance, installments_payments
    TO homecredit_app;
-- score_audit is append-only for the service: it may add rows and learn the new row's id (a
-- single-row INSERT ... RETURNING id), never read, change or delete the decisions already recorded,
-- so one caller can never see another caller's decisions.
-- It reads the batch scores, and the latest load run's id that tells whether they are still current.
GRANT SELECT ON client_score TO homecredit_app;
GRANT SELECT (id) ON load_run TO homecredit_app;
-- It shows the monitoring history to risk managers (dashboard tab, GET /api/v1/model/monitoring).
GRANT SELECT ON monitoring_result TO homecredit_app;
GRANT INSERT ON score_audit TO homecredit_app;
GRANT SELECT (id) ON score_audit TO homecredit_app;
GRANT USAGE ON SEQUENCE score_audit_id_seq TO homecredit_app;
-- Sign-in: the service reads the people who may sign in (name, role, password hash) to check a password;
-- accounts are created and reset by an administrator (`python -m bokeh_app create-user`, owner's account).
GRANT SELECT ON app_user TO homecredit_app;
-- Sessions (server_session): a sign-in adds a row; a use moves last_seen_at; sign-out sets revoked_at. Only the
-- owner's account (reset-password, the sessions command) revokes the sessions of others.
GRANT SELECT, INSERT ON server_session TO homecredit_app;
GRANT UPDATE (last_seen_at, revoked_at, revoked_reason) ON server_session TO homecredit_app;
-- Failed sign-ins (sign_in_failure) are counters shared by every worker: added, counted, and deleted when a
-- correct password clears an account or when they leave the window.
GRANT SELECT, INSERT, DELETE ON sign_in_failure TO homecredit_app;
GRANT USAGE ON SEQUENCE sign_in_failure_id_seq TO homecredit_app;
-- access_log is append-only: the service records each opening of a client's file and never reads it back
-- (an auditor reads it with the owner's account).
GRANT INSERT ON access_log TO homecredit_app;
GRANT USAGE ON SEQUENCE access_log_id_seq TO homecredit_app;
-- decision_review is append-only: advisors' reviews are added and read back (history, override rates),
-- never changed or deleted.
GRANT SELECT, INSERT ON decision_review TO homecredit_app;
GRANT USAGE ON SEQUENCE decision_review_id_seq TO homecredit_app;
-- review_request and review_request_step are append-only: clients' requests for a human review (with their
-- statement) and their steps are added and read back (queue, API), never changed or deleted. Triggers refuse
-- UPDATE, DELETE and TRUNCATE on them to every role, the owner included (migration 0006).
GRANT SELECT, INSERT ON review_request, review_request_step TO homecredit_app;
GRANT USAGE ON SEQUENCE review_request_id_seq, review_request_step_id_seq TO homecredit_app;

-- Analyst: reads the data and the loader's records, never the decisions served to callers.
GRANT SELECT ON
    application, bureau, bureau_balance, previous_application,
    pos_cash_balance, credit_card_balance, installments_payments,
    load_run, rejected_row, monitoring_result
    TO homecredit_analyst;
-- The analyst studies the advisors' overrides (how often, why, against which model decision) but not who made
-- them: every column of decision_review except user_name and comment (free text that may name people).
GRANT SELECT (id, reviewed_at, sk_id_curr, model_version, model_probability, model_decision, model_grade,
              final_decision, reason)
    ON decision_review TO homecredit_analyst;
-- nobody but the owner touches app_user's password hashes or reads access_log beyond the grants above
