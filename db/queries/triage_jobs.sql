-- name: take_triage_jobs
-- Held for the length of the worker's transaction: a killed worker releases them untouched.
SELECT j.request_id, j.attempts, r.text
FROM triage_jobs j JOIN requests r ON r.id = j.request_id
WHERE j.done_at IS NULL AND j.run_after <= now()
ORDER BY j.run_after, j.request_id
LIMIT $1
FOR UPDATE OF j SKIP LOCKED;

-- name: insert_triage_result
INSERT INTO triage_results (request_id, language, language_confidence, field, field_scores, urgency,
                            urgency_score, confidence, signals, model, emergency_advice, similar_examples,
                            emergency_probability)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);

-- name: mark_triaged
-- Returns the seconds since submission (otonari_time_to_triage_seconds); none when not moved.
UPDATE requests SET status = $2, triaged_at = now() WHERE id = $1 AND status = 'RECEIVED'
RETURNING extract(epoch FROM triaged_at - created_at)::float8;

-- name: finish_triage_job
UPDATE triage_jobs SET done_at = now(), attempts = attempts + 1 WHERE request_id = $1;

-- name: fail_triage_job
-- Back off so a text that always fails cannot starve the others; staff still see it as RECEIVED.
UPDATE triage_jobs
SET attempts = attempts + 1, last_error = $2,
    run_after = now() + make_interval(secs => least(300, 2 ^ (attempts + 1)))
WHERE request_id = $1;
