-- name: insert_audit
-- The actor's role as it is now, beside the entry (accounts keep their role for life).
INSERT INTO audit_log (actor_account_id, actor_role, action, subject_type, subject_id, details)
VALUES ($1, (SELECT role FROM accounts WHERE id = $1), $2, $3, $4, $5::jsonb);

-- name: read_resident_contacts
-- Contacts of residents ($1) read by account $2 (role $3): one audit entry per contact read by
-- anyone but its owner, written by this same statement, so no contact leaves unlogged.
WITH logged AS (
    INSERT INTO audit_log (actor_account_id, actor_role, action, subject_type, subject_id, details)
    SELECT $2, $3, 'CONTACT_READ', 'Resident', r.id, '{"field": "Resident.contact"}'::jsonb
    FROM residents r
    WHERE r.id = ANY($1::bigint[]) AND r.account_id <> $2
)
SELECT id, contact FROM residents WHERE id = ANY($1::bigint[]);

-- name: read_volunteer_contacts
WITH logged AS (
    INSERT INTO audit_log (actor_account_id, actor_role, action, subject_type, subject_id, details)
    SELECT $2, $3, 'CONTACT_READ', 'Volunteer', v.id, '{"field": "Volunteer.contact"}'::jsonb
    FROM volunteers v
    WHERE v.id = ANY($1::bigint[]) AND v.account_id <> $2
)
SELECT id, contact FROM volunteers WHERE id = ANY($1::bigint[]);

-- name: audit_page
-- Newest first. $1: actor account (NULL = any); $2/$3: subject type and id (NULL = any);
-- $4: below this id (after: older ones); $6: above this id (before: newer ones); $5: rows, read
-- from the newest, or from the oldest when $7 (backward: `last`).
-- The actor as the API names it (actor_type, actor_pk): their Resident or Volunteer, else the
-- StaffMember (an account id).
SELECT l.*,
       CASE WHEN r.id IS NOT NULL THEN 'Resident' WHEN v.id IS NOT NULL THEN 'Volunteer'
            WHEN l.actor_account_id IS NOT NULL THEN 'StaffMember' END AS actor_type,
       coalesce(r.id, v.id, l.actor_account_id) AS actor_pk
FROM audit_log l
LEFT JOIN residents r ON r.account_id = l.actor_account_id
LEFT JOIN volunteers v ON v.account_id = l.actor_account_id
WHERE ($1::bigint IS NULL OR l.actor_account_id = $1)
  AND ($2::text IS NULL OR (l.subject_type = $2 AND l.subject_id = $3))
  AND ($4::bigint IS NULL OR l.id < $4)
  AND ($6::bigint IS NULL OR l.id > $6)
ORDER BY CASE WHEN $7::boolean THEN l.id ELSE -l.id END
LIMIT $5;

-- name: count_audit
SELECT count(*) FROM audit_log
WHERE ($1::bigint IS NULL OR actor_account_id = $1)
  AND ($2::text IS NULL OR (subject_type = $2 AND subject_id = $3));
