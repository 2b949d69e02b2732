-- Each list's colour on an alert card and the sound its alerts make in the console.
ALTER TABLE hotlists ADD COLUMN IF NOT EXISTS colour text NOT NULL DEFAULT '';
ALTER TABLE hotlists ADD COLUMN IF NOT EXISTS sound text NOT NULL DEFAULT 'beep';
