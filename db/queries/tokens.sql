-- name: revoke_token
-- Ends one token if it is still valid; the tokens_revoked trigger tells every process at commit.
UPDATE tokens SET revoked_at = now()
WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
RETURNING account_id;

-- name: revoke_account_tokens
UPDATE tokens SET revoked_at = now()
WHERE account_id = $1 AND revoked_at IS NULL
RETURNING token_hash;

-- name: token_expiry
SELECT expires_at FROM tokens WHERE token_hash = $1;

-- name: lock_staff_names
-- Serialises staff creation so that two accounts cannot take one name at once.
SELECT pg_advisory_xact_lock(727003);

-- name: active_staff_named
SELECT id FROM accounts
WHERE role = 'STAFF' AND display_name = $1 AND deactivated_at IS NULL
ORDER BY id;
