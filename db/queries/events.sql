-- name: event_by_id
SELECT id, request_id, kind, offer_id, created_at FROM events WHERE id = $1;

-- name: events_after
SELECT id, request_id, kind, offer_id, created_at FROM events WHERE id > $1 ORDER BY id LIMIT 1000;

-- name: last_event_id
SELECT coalesce(max(id), 0) FROM events;

-- name: events_for_requests
-- Each request's timeline, oldest first, at most $2 events each.
SELECT id, request_id, kind, offer_id, created_at FROM (
    SELECT e.*, row_number() OVER (PARTITION BY e.request_id ORDER BY e.id) AS n
    FROM events e WHERE e.request_id = ANY($1::bigint[])
) e
WHERE n <= $2
ORDER BY request_id, id;

-- name: last_event_ids_of_requests
-- SupportRequest.lastEventId: for each request $1[i] read with updated_at $2[i]. Unchanged since:
-- its newest event (a change and its event commit together). Changed since: only its events
-- older than that read (events take clock_timestamp(), after their transaction's now()), else
-- the newest event of the whole table before its first one; resuming after either may repeat a
-- change but never skips one. Null only when no event comes before.
SELECT k.id AS request_id,
       CASE WHEN r.updated_at = k.read_at
            THEN (SELECT max(e.id) FROM events e WHERE e.request_id = k.id)
            ELSE coalesce(
                (SELECT max(e.id) FROM events e WHERE e.request_id = k.id AND e.created_at < k.read_at),
                (SELECT max(e.id) FROM events e
                 WHERE e.id < (SELECT min(f.id) FROM events f WHERE f.request_id = k.id)))
       END AS last_id
FROM unnest($1::bigint[], $2::timestamptz[]) AS k(id, read_at)
JOIN requests r ON r.id = k.id;

-- name: missed_request_events
-- A resumed requestUpdated: the request's events after $2, oldest first, at most $3.
SELECT id, request_id, kind, offer_id, created_at FROM events
WHERE request_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: missed_events_of_kinds
-- A resumed reviewQueueUpdated: events of these kinds after $2, oldest first, at most $3.
SELECT id, request_id, kind, offer_id, created_at FROM events
WHERE kind = ANY($1::text[]) AND id > $2 ORDER BY id LIMIT $3;

-- name: missed_offer_events
-- A resumed offerReceived: OFFERED events of offers made to volunteer $1 after $2, at most $3.
SELECT e.id, e.request_id, e.kind, e.offer_id, e.created_at
FROM offers o JOIN events e ON e.offer_id = o.id AND e.kind = 'OFFERED'
WHERE o.volunteer_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3;

-- name: volunteer_offered_event
-- The OFFERED event of volunteer $2's offer for request $1 (one offer per pair): where their
-- view of the request's events starts.
SELECT e.id FROM offers o JOIN events e ON e.offer_id = o.id AND e.kind = 'OFFERED'
WHERE o.request_id = $1 AND o.volunteer_id = $2 ORDER BY e.id DESC LIMIT 1;
