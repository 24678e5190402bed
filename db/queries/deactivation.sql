-- name: lock_account
SELECT a.id, a.role, a.display_name, a.deactivated_at, r.id AS resident_id, v.id AS volunteer_id
FROM accounts a
LEFT JOIN residents r ON r.account_id = a.id
LEFT JOIN volunteers v ON v.account_id = a.id
WHERE a.id = $1
FOR UPDATE OF a;

-- name: resident_of_account
SELECT id FROM residents WHERE account_id = $1;

-- name: account_of_resident
SELECT account_id FROM residents WHERE id = $1;

-- name: account_of_volunteer
SELECT account_id FROM volunteers WHERE id = $1;

-- name: staff_account
SELECT id FROM accounts WHERE id = $1 AND role = 'STAFF';

-- name: deactivate_account
UPDATE accounts SET deactivated_at = now() WHERE id = $1 AND deactivated_at IS NULL RETURNING id;

-- name: stop_volunteering
-- Out of every ranking (the matcher re-reads volunteers by updated_at) and of insert_offer.
UPDATE volunteers SET active = false, updated_at = now() WHERE id = $1;

-- name: requests_matched_with
SELECT id FROM requests WHERE assigned_volunteer_id = $1 AND status = 'MATCHED' ORDER BY id;

-- name: accepted_offer
SELECT id FROM offers WHERE request_id = $1 AND volunteer_id = $2 AND status = 'ACCEPTED';

-- name: unmatch_request
-- Back to staff, who approve it again (new offers) or hand-pick volunteers (sendOffers).
UPDATE requests
SET status = 'IN_REVIEW', assigned_volunteer_id = NULL, matched_at = NULL, needs_attention = $2
WHERE id = $1 AND status = 'MATCHED';

-- name: unfinished_requests_of_resident
SELECT id FROM requests
WHERE resident_id = $1 AND status NOT IN ('COMPLETED', 'CANCELLED', 'CLOSED')
ORDER BY id;
