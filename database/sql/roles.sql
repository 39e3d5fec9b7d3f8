-- roles.sql, version 1: the database roles of the Home Credit platform and what each may do.
-- Run by `python -m database init-roles` as the cluster administrator (a superuser, or a role with
-- CREATEROLE that is also allowed to grant on behalf of homecredit_owner), before grants.sql.
-- Idempotent: running it again changes nothing. No password here: init-roles sets them from the
-- environment (HOMECREDIT_<ROLE>_PASSWORD) as SCRAM-SHA-256 verifiers computed on the client.
--
--   homecredit_owner    owns the schema and its tables; runs migrations (creates/alters tables)
--   homecredit_loader   python -m database load: reads keys, appends rows; never updates or deletes
--   homecredit_app      API and dashboard: reads what scoring needs, appends to score_audit only
--   homecredit_analyst  read-only access to the data tables, never to score_audit

DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['homecredit_owner', 'homecredit_loader', 'homecredit_app', 'homecredit_analyst']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', role_name);
        END IF;
        -- none of them may bypass the rules, create roles or databases, or replicate
        EXECUTE format(
            'ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT',
            role_name);
    END LOOP;
END
$$;

-- Bound what one session of a service can hold: a runaway query or a forgotten transaction is cut.
ALTER ROLE homecredit_app SET statement_timeout = '30s';
ALTER ROLE homecredit_app SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE homecredit_analyst SET statement_timeout = '15min';
ALTER ROLE homecredit_analyst SET default_transaction_read_only = on;
ALTER ROLE homecredit_app CONNECTION LIMIT 50;
ALTER ROLE homecredit_loader CONNECTION LIMIT 4;

-- The database: only our roles connect; nobody else gets temporary tables.
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format(
        'GRANT CONNECT ON DATABASE %I TO homecredit_owner, homecredit_loader, homecredit_app, homecredit_analyst',
        current_database());
END
$$;

-- The schema: only the owner creates objects in it (PostgreSQL < 15 let everybody do so).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO homecredit_owner;
GRANT USAGE ON SCHEMA public TO homecredit_loader, homecredit_app, homecredit_analyst;

-- Tables created earlier by another role (e.g. an administrator's first load) pass to the owner;
-- their serial sequences follow them.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT tablename FROM pg_catalog.pg_tables
             WHERE schemaname = 'public' AND tableowner <> 'homecredit_owner'
    LOOP
        EXECUTE format('ALTER TABLE public.%I OWNER TO homecredit_owner', t.tablename);
    END LOOP;
END
$$;

-- Tables the owner creates later follow the common rule at once: services read them, the loader
-- appends to them; grants.sql then narrows the exceptions (score_audit) after each migration.
ALTER DEFAULT PRIVILEGES FOR ROLE homecredit_owner IN SCHEMA public
    REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE homecredit_owner IN SCHEMA public
    GRANT SELECT ON TABLES TO homecredit_app, homecredit_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE homecredit_owner IN SCHEMA public
    GRANT SELECT, INSERT ON TABLES TO homecredit_loader;
ALTER DEFAULT PRIVILEGES FOR ROLE homecredit_owner IN SCHEMA public
    GRANT USAGE ON SEQUENCES TO homecredit_loader;
ALTER DEFAULT PRIVILEGES FOR ROLE homecredit_owner
    REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
