-- name: event_by_id
SELECT id, request_id, kind, offer_id, created_at FROM events WHERE id = $1;

-- name: events_after
SELECT id, request_id, kind, offer_id, created_at FROM events WHERE id > $1 ORDER BY id LIMIT 1000;

-- name: last_event_id
SELECT coalesce(max(id), 0) FROM events;

-- name: events_for_request
-- A request's timeline, oldest first.
SELECT id, request_id, kind, offer_id, created_at FROM events WHERE request_id = $1 ORDER BY id LIMIT 500;
