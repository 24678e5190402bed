-- Rate limits shared by every process (service/rate_limits.py): one row per (family, key), the
-- generic cell rate algorithm's "theoretical arrival time". A row whose tat has passed means
-- the same as no row, so pruning loses nothing. UNLOGGED: no WAL for a counter; after a crash
-- PostgreSQL empties it, which only forgives the limits once.
CREATE UNLOGGED TABLE rate_limits (
    family  text NOT NULL,
    key     text NOT NULL,
    tat     timestamptz NOT NULL,
    PRIMARY KEY (family, key)
);
CREATE INDEX rate_limits_tat_idx ON rate_limits (tat);
