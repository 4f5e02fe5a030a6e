-- The role the app (web and workers) runs as: neither superuser nor owner of any table, so the
-- audit log is append-only against it by privilege, not only by trigger. A table owner or a
-- superuser can disable or drop the append-only triggers (or set session_replication_role);
-- tributary_app can do none of that, and it holds only SELECT and INSERT on audit_log.
-- Migrations and the seed keep running as the owner (DATABASE_MIGRATION_URL).
--
-- The role is created when the migrating user may create roles; otherwise a DBA creates it
-- first (`CREATE ROLE tributary_app LOGIN PASSWORD '...'`) and this grants it its privileges.
-- LOGIN without a password: it cannot sign in until one is set (the launcher sets one for the
-- embedded database; a real server's DBA sets it), except where pg_hba trusts local users.
DO $$
DECLARE
  may_create boolean;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tributary_app') THEN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT may_create THEN
      RAISE WARNING 'role tributary_app not created: % may not create roles. Create it (CREATE ROLE tributary_app LOGIN PASSWORD ...) and migrate again to grant it its privileges.', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE tributary_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      -- Roles are per server: a migration of another database on it created the role meanwhile.
      NULL;
    END;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO tributary_app', current_database());
  GRANT USAGE ON SCHEMA public TO tributary_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tributary_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO tributary_app;
  REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM tributary_app;
  -- Tables and sequences later migrations create (as the same owner) get the same privileges.
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tributary_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO tributary_app;
END
$$;
