-- name: offered_volunteer_ids
SELECT volunteer_id FROM offers WHERE request_id = $1;

-- name: count_pending_offers
SELECT count(*) FROM offers WHERE request_id = $1 AND status = 'PENDING';

-- name: insert_offer
-- Only to a vetted, active volunteer, checked again here whatever the ranking read before.
INSERT INTO offers (request_id, volunteer_id, created_by, expires_at)
SELECT $1, v.id, $3, now() + make_interval(secs => $4)
FROM volunteers v
WHERE v.id = $2 AND v.verified AND v.active
ON CONFLICT (request_id, volunteer_id) DO NOTHING
RETURNING *;

-- name: return_to_review
UPDATE requests SET status = 'IN_REVIEW', needs_attention = $2 WHERE id = $1 AND status = 'OPEN';

-- name: offer_by_id
SELECT * FROM offers WHERE id = $1;

-- name: lock_offer
SELECT * FROM offers WHERE id = $1 FOR UPDATE;

-- name: set_offer_status
UPDATE offers SET status = $2, responded_at = now() WHERE id = $1 RETURNING *;

-- name: withdraw_other_offers
UPDATE offers SET status = 'WITHDRAWN', responded_at = now()
WHERE request_id = $1 AND id <> $2 AND status = 'PENDING'
RETURNING id;

-- name: match_request
UPDATE requests SET status = 'MATCHED', assigned_volunteer_id = $2, matched_at = now()
WHERE id = $1 AND status = 'OPEN';

-- name: volunteer_active_count
SELECT count(*) FROM requests WHERE assigned_volunteer_id = $1 AND status = 'MATCHED';

-- name: expire_due_offers
-- Skips offers another worker is handling; each expired offer is replaced by the next candidate.
UPDATE offers SET status = 'EXPIRED', responded_at = now()
WHERE id IN (
    SELECT id FROM offers WHERE status = 'PENDING' AND expires_at <= now()
    ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
)
RETURNING id, request_id;

-- name: next_offer_expiry
SELECT min(expires_at) FROM offers WHERE status = 'PENDING';

-- name: insert_completion
INSERT INTO completions (request_id, side, rating, comment, wants_long_term_pair)
VALUES ($1, $2, $3, $4, $5);

-- name: completion_sides
SELECT side, wants_long_term_pair FROM completions WHERE request_id = $1;

-- name: completion_sides_of_requests
-- The sides (RESIDENT, VOLUNTEER) that have completed each of these requests.
SELECT request_id, side FROM completions WHERE request_id = ANY($1);

-- name: complete_request
UPDATE requests SET status = 'COMPLETED', completed_at = now() WHERE id = $1 AND status = 'MATCHED';

-- name: insert_long_term_pair
INSERT INTO long_term_pairs (request_id, resident_id, volunteer_id)
VALUES ($1, $2, $3)
ON CONFLICT (request_id) DO NOTHING
RETURNING *;

-- name: long_term_pair_for_request
SELECT * FROM long_term_pairs WHERE request_id = $1;

-- name: eligible_volunteers
-- Hand-picked volunteers must be vetted and active like automatic ones.
SELECT id FROM volunteers WHERE id = ANY($1::bigint[]) AND active AND verified;

-- name: request_urgency
SELECT urgency FROM request_details WHERE id = $1;

-- name: offers_with_resident_by_ids
SELECT o.*, r.resident_id FROM offers o JOIN requests r ON r.id = o.request_id WHERE o.id = ANY($1::bigint[]);

-- name: long_term_pair_by_id
SELECT * FROM long_term_pairs WHERE id = $1;

-- name: long_term_pairs_by_ids
SELECT * FROM long_term_pairs WHERE id = ANY($1::bigint[]);

-- name: volunteer_max_active
SELECT max_active_requests FROM volunteers WHERE id = $1;

-- name: pending_offers_of_volunteer
-- In request order: withdrawing them locks each request in turn, as everywhere else.
SELECT id, request_id FROM offers
WHERE volunteer_id = $1 AND status = 'PENDING'
ORDER BY request_id, id;

-- name: volunteer_is_verified
SELECT verified FROM volunteers WHERE id = $1;

-- name: offer_pages_of_requests
-- A page of each request's offers ($1), oldest first: after id $2, before id $3, at most $4 rows
-- each (the page and one more), from the end when $5 (backward); each row with its request's
-- total. $6: only this volunteer's offers (NULL: all).
SELECT * FROM (
    SELECT w.*, row_number() OVER (
               PARTITION BY w.request_id ORDER BY CASE WHEN $5::boolean THEN -w.id ELSE w.id END
           ) AS n
    FROM (
        SELECT o.*, count(*) OVER (PARTITION BY o.request_id) AS total_count
        FROM offers o
        WHERE o.request_id = ANY($1::bigint[]) AND ($6::bigint IS NULL OR o.volunteer_id = $6)
    ) w
    WHERE ($2::bigint IS NULL OR w.id > $2) AND ($3::bigint IS NULL OR w.id < $3)
) p
WHERE n <= $4
ORDER BY request_id, n;

-- name: count_offers_of_requests
SELECT request_id, count(*) AS total_count FROM offers
WHERE request_id = ANY($1::bigint[]) AND ($2::bigint IS NULL OR volunteer_id = $2)
GROUP BY request_id;

-- name: offer_pages_of_volunteers
-- A page of each volunteer's offers ($1), newest first: after id $2 (older), before id $3
-- (newer), at most $4 rows each, from the end when $5 (backward); each row with its
-- volunteer's total. $6: only these statuses (NULL: any).
SELECT * FROM (
    SELECT w.*, row_number() OVER (
               PARTITION BY w.volunteer_id ORDER BY CASE WHEN $5::boolean THEN w.id ELSE -w.id END
           ) AS n
    FROM (
        SELECT o.*, count(*) OVER (PARTITION BY o.volunteer_id) AS total_count
        FROM offers o
        WHERE o.volunteer_id = ANY($1::bigint[]) AND ($6::text[] IS NULL OR o.status = ANY($6))
    ) w
    WHERE ($2::bigint IS NULL OR w.id < $2) AND ($3::bigint IS NULL OR w.id > $3)
) p
WHERE n <= $4
ORDER BY volunteer_id, n;

-- name: count_offers_of_volunteers
SELECT volunteer_id, count(*) AS total_count FROM offers
WHERE volunteer_id = ANY($1::bigint[]) AND ($2::text[] IS NULL OR status = ANY($2))
GROUP BY volunteer_id;
