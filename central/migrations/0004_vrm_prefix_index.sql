-- Wildcard search (AB12*) is a prefix LIKE. Under a collation other than "C" a btree serves it
-- only with the pattern operator class, which serves equality too: so the VRM index is rebuilt
-- with it instead of a second index being kept on every read.
DROP INDEX IF EXISTS reads_vrm;
CREATE INDEX IF NOT EXISTS reads_vrm ON reads (vrm text_pattern_ops, captured_at);
