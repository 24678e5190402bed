-- name: queue_metrics
-- What /metrics reads at scrape time: the triage queue (its partial index) and the EMERGENCY
-- requests waiting for staff (ESCALATED until reviewed).
SELECT
    (SELECT count(*) FROM triage_jobs WHERE done_at IS NULL) AS triage_pending,
    coalesce((SELECT extract(epoch FROM now() - min(created_at))::float8
              FROM triage_jobs WHERE done_at IS NULL), 0) AS triage_oldest_seconds,
    coalesce((SELECT extract(epoch FROM now() - min(created_at))::float8
              FROM requests WHERE status = 'ESCALATED'), 0) AS emergency_oldest_seconds;

-- name: first_offer_wait
-- Seconds from submission to now, when the request has exactly one offer (the first, just made).
SELECT extract(epoch FROM now() - r.created_at)::float8
FROM requests r
WHERE r.id = $1 AND (SELECT count(*) FROM offers o WHERE o.request_id = $1) = 1;

-- name: applied_migrations
-- /readyz compares them with the release's files (db/migrate.py writes this table).
SELECT name FROM schema_migrations;
