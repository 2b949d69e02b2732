-- Repeat hits of one listed VRM on one list while its alert is open fold into that alert: how
-- many more times it was seen, and when last (every hit stays in `hits`).
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS repeats integer NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS last_hit_at timestamptz;
