-- name: lock_resident_submissions
-- Serialises one resident's submissions so the rate-limit count cannot race, and submissions
-- with the resident's erasure or deactivation (taken first by those too).
SELECT pg_advisory_xact_lock(727002, $1::int);

-- name: count_recent_submissions
SELECT count(*) FROM requests
WHERE resident_id = $1 AND created_at > now() - make_interval(secs => $2);

-- name: oldest_recent_submission_age
-- Seconds since the oldest of a resident's submissions within the last $2 seconds.
SELECT extract(epoch FROM now() - min(created_at))::float8 FROM requests
WHERE resident_id = $1 AND created_at > now() - make_interval(secs => $2);

-- name: insert_request
INSERT INTO requests (resident_id, text, area, preferred_times)
VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: insert_triage_job
INSERT INTO triage_jobs (request_id) VALUES ($1);

-- name: notify_jobs
SELECT pg_notify('otonari_jobs', $1::text);

-- name: insert_event
INSERT INTO events (request_id, kind, offer_id) VALUES ($1, $2, $3) RETURNING id, created_at;

-- name: request_details
SELECT * FROM request_details WHERE id = $1;

-- name: request_details_many
SELECT * FROM request_details WHERE id = ANY($1::bigint[]);

-- name: lock_request
SELECT r.*, t.field AS t_field, t.urgency AS t_urgency, t.language AS t_language
FROM requests r LEFT JOIN triage_results t ON t.request_id = r.id
WHERE r.id = $1
FOR UPDATE OF r;

-- name: volunteer_holds_live_offer
-- Live = PENDING and not past its expiry time, whether or not the expiry sweep has run yet, held
-- by a vetted volunteer (un-vetting withdraws their offers; this covers any left in a race).
SELECT EXISTS (
    SELECT 1 FROM offers o JOIN volunteers v ON v.id = o.volunteer_id
    WHERE o.request_id = $1 AND o.volunteer_id = $2 AND o.status = 'PENDING' AND o.expires_at > now()
      AND v.verified
);

-- name: live_offers_held
-- Of the requests $1, those for which volunteer $2 holds a live offer (volunteer_holds_live_offer).
SELECT o.request_id FROM offers o JOIN volunteers v ON v.id = o.volunteer_id
WHERE o.request_id = ANY($1::bigint[]) AND o.volunteer_id = $2 AND o.status = 'PENDING'
  AND o.expires_at > now() AND v.verified;

-- name: list_requests
-- Newest first; NULL filters mean any. $5/$6: the viewer's resident / assigned-volunteer scope
-- (a volunteer's: matched or completed with them; a cancelled request is theirs no more).
-- A page between the cursors $4 (after: older ids) and $8 (before: newer ids), read from the
-- newest, or from the oldest when $9 (backward: `last`).
SELECT * FROM request_details d
WHERE ($1::text[] IS NULL OR d.status = ANY($1))
  AND ($2::text IS NULL OR d.field = $2)
  AND ($3::text IS NULL OR d.urgency = $3)
  AND ($4::bigint IS NULL OR d.id < $4)
  AND ($8::bigint IS NULL OR d.id > $8)
  AND ($5::bigint IS NULL OR d.resident_id = $5)
  AND ($6::bigint IS NULL OR (d.assigned_volunteer_id = $6 AND d.status IN ('MATCHED', 'COMPLETED')))
ORDER BY CASE WHEN $9::boolean THEN d.id ELSE -d.id END
LIMIT $7;

-- name: request_pages_of_residents
-- A page of each resident's requests ($1), newest first: after id $2 (older), before id $3
-- (newer), at most $4 rows each (the page and one more), from the end when $5 (backward); each
-- row with its resident's total.
SELECT * FROM (
    SELECT w.*, row_number() OVER (
               PARTITION BY w.resident_id ORDER BY CASE WHEN $5::boolean THEN w.id ELSE -w.id END
           ) AS n
    FROM (
        SELECT d.*, count(*) OVER (PARTITION BY d.resident_id) AS total_count
        FROM request_details d
        WHERE d.resident_id = ANY($1::bigint[])
    ) w
    WHERE ($2::bigint IS NULL OR w.id < $2) AND ($3::bigint IS NULL OR w.id > $3)
) p
WHERE n <= $4
ORDER BY resident_id, n;

-- name: count_requests_of_residents
SELECT resident_id, count(*) AS total_count FROM requests WHERE resident_id = ANY($1::bigint[])
GROUP BY resident_id;

-- name: count_requests
SELECT count(*) FROM request_details d
WHERE ($1::text[] IS NULL OR d.status = ANY($1))
  AND ($2::text IS NULL OR d.field = $2)
  AND ($3::text IS NULL OR d.urgency = $3)
  AND ($4::bigint IS NULL OR d.resident_id = $4)
  AND ($5::bigint IS NULL OR (d.assigned_volunteer_id = $5 AND d.status IN ('MATCHED', 'COMPLETED')));

-- name: review_queue
-- Most urgent first; within an urgency the likeliest emergency first (the triage's calibrated
-- emergency probability, 0 without a triage), then oldest first. The cursor is
-- (urgency rank, emergency probability, id): a page after $1..$3 and before $5..$7, read from
-- the start, or from the end when $8 (backward: `last`).
SELECT * FROM (
    SELECT d.*,
           CASE d.urgency WHEN 'EMERGENCY' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'NORMAL' THEN 2 ELSE 3 END
               AS urgency_rank,
           coalesce(d.t_emergency_probability, 0) AS queue_probability
    FROM request_details d
    WHERE d.status IN ('IN_REVIEW', 'ESCALATED')
) q
WHERE ($1::int IS NULL OR (q.urgency_rank, -q.queue_probability, q.id) > ($1, -$2::real, $3::bigint))
  AND ($5::int IS NULL OR (q.urgency_rank, -q.queue_probability, q.id) < ($5, -$6::real, $7::bigint))
ORDER BY CASE WHEN $8::boolean THEN -q.urgency_rank ELSE q.urgency_rank END,
         CASE WHEN $8::boolean THEN q.queue_probability ELSE -q.queue_probability END,
         CASE WHEN $8::boolean THEN -q.id ELSE q.id END
LIMIT $4;

-- name: count_review_queue
SELECT count(*) FROM requests WHERE status IN ('IN_REVIEW', 'ESCALATED');

-- name: set_request_status
UPDATE requests SET status = $2 WHERE id = $1;

-- name: open_request
UPDATE requests SET status = 'OPEN', opened_at = now(), needs_attention = NULL WHERE id = $1;

-- name: insert_review
INSERT INTO reviews (request_id, reviewer_account_id, decision, field, urgency, note, agreed_with_triage)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (request_id) DO UPDATE SET
    reviewer_account_id = EXCLUDED.reviewer_account_id, decision = EXCLUDED.decision,
    field = EXCLUDED.field, urgency = EXCLUDED.urgency, note = EXCLUDED.note,
    agreed_with_triage = EXCLUDED.agreed_with_triage, decided_at = now();

-- name: upsert_triage_example
INSERT INTO triage_examples (request_id, text, field, urgency)
VALUES ($1, $2, $3, $4)
ON CONFLICT (request_id) DO UPDATE SET field = EXCLUDED.field, urgency = EXCLUDED.urgency;

-- name: triage_examples_after
-- Staff-reviewed examples newer than the last one this process loaded (and any relabelled ones).
SELECT id, text, field, urgency FROM triage_examples WHERE id > $1 ORDER BY id;

-- name: withdraw_pending_offers
UPDATE offers SET status = 'WITHDRAWN', responded_at = now()
WHERE request_id = $1 AND status = 'PENDING'
RETURNING id, volunteer_id;

-- name: offers_for_requests
SELECT * FROM offers WHERE request_id = ANY($1::bigint[]) ORDER BY request_id, id;

-- name: offers_for_volunteer
-- The newest $3.
SELECT * FROM offers
WHERE volunteer_id = $1 AND ($2::text[] IS NULL OR status = ANY($2))
ORDER BY id DESC
LIMIT $3;

-- name: similar_reviewed_requests
-- Staff: for each request $1, the reviewed requests whose texts were nearest to it when it was
-- triaged, nearest first, at most $2 each (similar_to: the request they are near).
SELECT * FROM (
    SELECT t.request_id AS similar_to, row_number() OVER (PARTITION BY t.request_id ORDER BY s.rank) AS n,
           d.*
    FROM triage_results t
    CROSS JOIN LATERAL jsonb_array_elements(t.similar_examples) WITH ORDINALITY AS s(item, rank)
    JOIN triage_examples e ON e.id = (s.item ->> 0)::bigint
    JOIN request_details d ON d.id = e.request_id
    WHERE t.request_id = ANY($1::bigint[]) AND e.request_id <> t.request_id
) found
WHERE n <= $2
ORDER BY similar_to, n;
