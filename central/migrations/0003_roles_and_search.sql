-- The application's database role: everything it needs, but the audit trail is append-only
-- for it (INSERT and SELECT only), on top of the trigger that refuses UPDATE/DELETE to anyone.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anpr_app') THEN
        CREATE ROLE anpr_app NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'cannot create role anpr_app; a DBA must create it';
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anpr_app') THEN
        EXECUTE 'GRANT USAGE ON SCHEMA public TO anpr_app';
        EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO anpr_app';
        EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO anpr_app';
        EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM anpr_app';
    END IF;
END $$;

-- Lenient search: an expression index over the OCR-equivalence classes (0/O/D/Q, 1/I, 2/Z,
-- 5/S, 8/B, 6/G → one representative each), the same mapping as hotlists/matcher.py.
CREATE INDEX IF NOT EXISTS reads_vrm_canonical ON reads (translate(vrm, 'ODQIZSBG', '00012586'), captured_at);
