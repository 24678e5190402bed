-- Tokens expire and can be revoked; staff can deactivate any account (service/deactivation.py).
--
-- Each token gets its expiry when issued (service.config: per role; staff 12 hours, residents and
-- volunteers 180 days by default). Tokens issued before this migration get their role's default
-- lifetime counted from when they were issued: old staff tokens stop working at once.
ALTER TABLE tokens ADD COLUMN expires_at timestamptz;
UPDATE tokens t
SET expires_at = t.created_at + CASE a.role WHEN 'STAFF' THEN interval '12 hours' ELSE interval '180 days' END
FROM accounts a
WHERE a.id = t.account_id;
ALTER TABLE tokens ALTER COLUMN expires_at SET NOT NULL;
-- A revoked token is kept (its hash only) so that it is refused rather than unknown in the logs.
CREATE INDEX tokens_live_idx ON tokens (account_id) WHERE revoked_at IS NULL;

-- A deactivated account cannot sign in (its tokens are revoked, and the viewer lookup checks this
-- too); it stays in the table so the audit log, reviews and statistics keep their references.
ALTER TABLE accounts ADD COLUMN deactivated_at timestamptz;

-- Every process caches token -> viewer for a few seconds (service/viewer_cache.py). A revocation
-- is announced at commit so that every process forgets the token at once, whichever process (or
-- command-line tool) revoked it. The payload is the token's hash, never the token.
CREATE FUNCTION tokens_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('otonari_tokens', encode(NEW.token_hash, 'hex'));
    RETURN NEW;
END $$;
CREATE TRIGGER tokens_revoked AFTER UPDATE OF revoked_at ON tokens
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION tokens_notify_revoked();

-- A matched volunteer whose account staff deactivate can no longer help: the request goes back
-- to staff (IN_REVIEW, needs_attention says why) to be offered to someone else. This is the one
-- new transition; the others are those of 0001_init.sql.
CREATE OR REPLACE FUNCTION requests_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF NOT (
        (OLD.status = 'RECEIVED'  AND NEW.status IN ('IN_REVIEW', 'ESCALATED', 'CANCELLED'))
     OR (OLD.status = 'IN_REVIEW' AND NEW.status IN ('OPEN', 'CLOSED', 'CANCELLED'))
     OR (OLD.status = 'ESCALATED' AND NEW.status IN ('OPEN', 'CLOSED', 'CANCELLED'))
     OR (OLD.status = 'OPEN'      AND NEW.status IN ('MATCHED', 'IN_REVIEW', 'CLOSED', 'CANCELLED'))
     OR (OLD.status = 'MATCHED'   AND NEW.status IN ('COMPLETED', 'CANCELLED', 'IN_REVIEW'))
    ) THEN
        RAISE EXCEPTION 'invalid request status transition % -> %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
