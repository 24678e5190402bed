-- name: lock_resident
SELECT r.id, r.account_id, r.erased_at, a.deactivated_at
FROM residents r JOIN accounts a ON a.id = r.account_id
WHERE r.id = $1
FOR UPDATE OF r, a;

-- name: requests_of_resident
SELECT id FROM requests WHERE resident_id = $1 ORDER BY id;

-- name: lock_triage_jobs
-- First of all: waits for a worker triaging one of these texts to finish (it locks the job, then
-- the request), so that erasure and triage never wait on each other.
SELECT request_id FROM triage_jobs WHERE request_id = ANY($1::bigint[]) ORDER BY request_id FOR UPDATE;

-- name: erase_request_texts
-- $2: the tombstone. Status, labels and times stay.
UPDATE requests SET text = $2, area = $2, preferred_times = NULL, erased_at = coalesce(erased_at, now())
WHERE id = ANY($1::bigint[]);

-- name: erase_review_notes
-- A staff note may quote the resident.
UPDATE reviews SET note = NULL WHERE request_id = ANY($1::bigint[]) AND note IS NOT NULL;

-- name: erase_completion_comments
-- Both sides' comments (the volunteer's notes too); ratings stay for the statistics.
UPDATE completions SET comment = NULL WHERE request_id = ANY($1::bigint[]) AND comment IS NOT NULL;

-- name: erase_triage_job_errors
-- A failed triage's error may quote its input; a job not yet run never will be.
UPDATE triage_jobs SET last_error = NULL, done_at = coalesce(done_at, now())
WHERE request_id = ANY($1::bigint[]);

-- name: delete_triage_examples
-- Reviewed texts the engine learned from; each process forgets them (triage_example_removals).
WITH gone AS (
    DELETE FROM triage_examples WHERE request_id = ANY($1::bigint[]) RETURNING id
)
INSERT INTO triage_example_removals (example_id)
SELECT id FROM gone ORDER BY id
RETURNING example_id;

-- name: erase_resident
-- $2: the tombstone. The notification email goes too (its queued messages: delete_account_notifications).
UPDATE residents SET contact = $2, area = $2, email = NULL, erased_at = now() WHERE id = $1;

-- name: erase_account_name
UPDATE accounts SET display_name = $2, deactivated_at = coalesce(deactivated_at, now()) WHERE id = $1;

-- name: requests_due_for_erasure
-- Closed before the cutoff ($1) and not erased yet; another sweeper's rows are skipped.
SELECT id FROM requests
WHERE erased_at IS NULL AND closed_at < $1
ORDER BY closed_at, id
LIMIT $2
FOR UPDATE SKIP LOCKED;

-- name: residents_due_for_erasure
-- Registered before the cutoff ($1), no request open or closed since, and no token still valid
-- at $2 (now): nobody can sign in as them any more. $3: rows. Checked again under lock.
SELECT r.id FROM residents r JOIN accounts a ON a.id = r.account_id
WHERE r.erased_at IS NULL AND a.created_at < $1
  AND NOT EXISTS (
      SELECT 1 FROM requests q
      WHERE q.resident_id = r.id AND (q.closed_at IS NULL OR q.closed_at >= $1)
  )
  AND NOT EXISTS (
      SELECT 1 FROM tokens t
      WHERE t.account_id = r.account_id AND t.revoked_at IS NULL AND t.expires_at > $2
  )
  AND ($4::bigint IS NULL OR r.id = $4)
ORDER BY r.id
LIMIT $3;

-- name: triage_example_removals_after
SELECT seq, example_id FROM triage_example_removals WHERE seq > $1 ORDER BY seq;

-- name: last_triage_example_removal
SELECT coalesce(max(seq), 0) FROM triage_example_removals;

-- name: resident_may_submit
-- Read after lock_resident_submissions: an erasure or deactivation holds that lock too.
SELECT r.area FROM residents r JOIN accounts a ON a.id = r.account_id
WHERE r.id = $1 AND r.erased_at IS NULL AND a.deactivated_at IS NULL;
