-- A user asks for extended access (a search past 90 days) with a reason and a case reference;
-- a supervisor grants it (which records the inspector's authorisation) or refuses it.
CREATE TABLE IF NOT EXISTS authorisation_requests (
    request_id   bigserial PRIMARY KEY,
    username     text NOT NULL,
    reason       text NOT NULL,
    case_ref     text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'granted', 'refused')),
    decided_by   text,
    decided_at   timestamptz,
    auth_id      bigint REFERENCES authorisations(auth_id)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anpr_app') THEN
        EXECUTE 'GRANT SELECT, INSERT, UPDATE ON authorisation_requests TO anpr_app';
        EXECUTE 'GRANT USAGE, SELECT ON SEQUENCE authorisation_requests_request_id_seq TO anpr_app';
    END IF;
END $$;
