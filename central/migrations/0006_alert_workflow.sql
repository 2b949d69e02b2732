-- Alert dispositions are final unless a supervisor reopens them: who reopened, when, and the
-- operator's note and incident/log number recorded with the disposition.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS disposition_note text NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS incident_ref text NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS reopened_by text;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS reopened_at timestamptz;
