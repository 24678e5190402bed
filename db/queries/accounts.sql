-- name: viewer_by_token_hash
-- Valid: not revoked, not expired, of an account not deactivated. seconds_left by this clock.
SELECT a.id AS account_id, a.role, a.display_name, r.id AS resident_id, v.id AS volunteer_id,
       t.expires_at, extract(epoch FROM t.expires_at - now())::float8 AS seconds_left
FROM tokens t
JOIN accounts a ON a.id = t.account_id
LEFT JOIN residents r ON r.account_id = a.id
LEFT JOIN volunteers v ON v.account_id = a.id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
  AND a.deactivated_at IS NULL;

-- name: insert_token
INSERT INTO tokens (token_hash, account_id, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3));

-- name: insert_account
INSERT INTO accounts (role, display_name) VALUES ($1, $2) RETURNING id;

-- name: insert_resident
INSERT INTO residents (account_id, languages, area, contact)
VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: insert_volunteer
INSERT INTO volunteers (account_id, languages, skills, fields, area, availability, remote_ok,
                        max_active_requests, contact, verified, skill_vector, skill_model)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id;

-- name: resident_by_id
SELECT r.id, a.display_name, r.languages, r.area, r.contact, r.account_id
FROM residents r JOIN accounts a ON a.id = r.account_id
WHERE r.id = $1;

-- name: residents_by_ids
SELECT r.id, a.display_name, r.languages, r.area, r.contact, r.account_id
FROM residents r JOIN accounts a ON a.id = r.account_id
WHERE r.id = ANY($1::bigint[]);

-- name: volunteer_by_id
SELECT v.*, a.display_name
FROM volunteers v JOIN accounts a ON a.id = v.account_id
WHERE v.id = $1;

-- name: volunteers_by_ids
SELECT v.*, a.display_name
FROM volunteers v JOIN accounts a ON a.id = v.account_id
WHERE v.id = ANY($1::bigint[]);

-- name: update_volunteer
UPDATE volunteers SET
    languages = coalesce($2, languages),
    skills = coalesce($3, skills),
    fields = coalesce($4, fields),
    area = coalesce($5, area),
    availability = coalesce($6, availability),
    remote_ok = coalesce($7, remote_ok),
    max_active_requests = coalesce($8, max_active_requests),
    active = coalesce($9, active),
    skill_vector = coalesce($10, skill_vector),
    skill_model = coalesce($11, skill_model),
    updated_at = now()
WHERE id = $1
RETURNING id;

-- name: set_volunteer_verified
UPDATE volunteers SET verified = $2, updated_at = now() WHERE id = $1 RETURNING id;

-- name: list_volunteers
-- Keyset pagination by id, oldest first: after $4, before $7, read from the end when $8
-- (backward: `last`); filters are optional (NULL = any).
SELECT v.*, a.display_name
FROM volunteers v JOIN accounts a ON a.id = v.account_id
WHERE ($1::text IS NULL OR $1 = ANY(v.fields))
  AND ($2::text IS NULL OR $2 = ANY(v.languages))
  AND ($3::text IS NULL OR lower(v.area) = lower($3))
  AND ($4::bigint IS NULL OR v.id > $4)
  AND ($7::bigint IS NULL OR v.id < $7)
  AND ($6::boolean IS NULL OR v.verified = $6)
ORDER BY CASE WHEN $8::boolean THEN -v.id ELSE v.id END
LIMIT $5;

-- name: count_volunteers
SELECT count(*)
FROM volunteers v
WHERE ($1::text IS NULL OR $1 = ANY(v.fields))
  AND ($2::text IS NULL OR $2 = ANY(v.languages))
  AND ($3::text IS NULL OR lower(v.area) = lower($3))
  AND ($4::boolean IS NULL OR v.verified = $4);

-- name: matched_pairs
-- Which of the (resident $1[i], volunteer $2[i]) pairs are the two sides of a request that the
-- volunteer accepted: each may see the other's contact (service.requests.MATCHED_STATUSES: not
-- once the resident cancelled).
SELECT DISTINCT r.resident_id, r.assigned_volunteer_id AS volunteer_id
FROM requests r
JOIN unnest($1::bigint[], $2::bigint[]) AS p(resident_id, volunteer_id)
  ON r.resident_id = p.resident_id AND r.assigned_volunteer_id = p.volunteer_id
WHERE r.status IN ('MATCHED', 'COMPLETED');

-- name: account_languages
-- What a person reads, for messages to them: their chosen locale, then their languages.
SELECT a.role, coalesce(r.notify_locale, v.notify_locale) AS locale,
       coalesce(r.languages, v.languages, '{}') AS languages
FROM accounts a
LEFT JOIN residents r ON r.account_id = a.id
LEFT JOIN volunteers v ON v.account_id = a.id
WHERE a.id = $1;
