-- The notifications outbox (service/notifications). Rows hold references only.

-- name: enqueue_notifications
-- One change's messages: email to the people concerned ($6: 'RESIDENT' of the request, 'VOLUNTEER'
-- of the offer or else of the pair) unless they opted out or have no address, the staff alert
-- ($7), and every live webhook endpoint registered for the kind; $8 the priority (0 first). $2: the key prefix of this change;
-- a second call for the same change queues nothing.
WITH people AS (
    SELECT rs.account_id FROM requests r JOIN residents rs ON rs.id = r.resident_id
    WHERE r.id = $3 AND 'RESIDENT' = ANY($6::text[])
    UNION
    SELECT v.account_id FROM volunteers v
    WHERE 'VOLUNTEER' = ANY($6::text[])
      AND v.id = coalesce((SELECT volunteer_id FROM offers WHERE id = $4),
                          (SELECT volunteer_id FROM long_term_pairs WHERE id = $5))
), emails AS (
    INSERT INTO notifications (kind, channel, recipient_account_id, request_id, offer_id, pair_id,
                               idempotency_key, priority)
    SELECT $1, 'EMAIL', a.id, $3, $4, $5, $2 || ':email:a' || a.id, $8
    FROM people p
    JOIN accounts a ON a.id = p.account_id
    LEFT JOIN residents r ON r.account_id = a.id
    LEFT JOIN volunteers v ON v.account_id = a.id
    WHERE a.deactivated_at IS NULL
      AND NOT ($1 = ANY(coalesce(r.notify_opt_outs, v.notify_opt_outs)))
      -- Worth queueing only with something like an address; the sender checks it properly.
      AND coalesce(r.email, v.email, r.contact, v.contact) LIKE '%_@_%._%'
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
), staff AS (
    INSERT INTO notifications (kind, channel, request_id, offer_id, pair_id, idempotency_key, priority)
    SELECT $1, 'EMAIL', $3, $4, $5, $2 || ':email:staff', $8
    WHERE $7
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
), hooks AS (
    INSERT INTO notifications (kind, channel, webhook_endpoint_id, request_id, offer_id, pair_id,
                               idempotency_key, priority)
    SELECT $1, 'WEBHOOK', w.id, $3, $4, $5, $2 || ':webhook:w' || w.id, $8
    FROM webhook_endpoints w
    WHERE w.deleted_at IS NULL AND $1 = ANY(w.kinds)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM emails) + (SELECT count(*) FROM staff) + (SELECT count(*) FROM hooks);

-- name: offers_due_for_reminder
-- Pending offers in the last quarter of their life (at most the last hour) not yet reminded of;
-- marked in the same statement. Another sweeper's rows are skipped.
UPDATE offers SET reminded_at = now()
WHERE id IN (
    SELECT id FROM offers
    WHERE status = 'PENDING' AND reminded_at IS NULL AND expires_at > now()
      AND now() >= expires_at - least((expires_at - created_at) / 4, interval '1 hour')
    ORDER BY expires_at, id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
RETURNING id, request_id;

-- name: take_notification
-- One due message, held for the sender's transaction: a sender killed mid-send releases it and
-- it is sent again under the same Message-ID / webhook-id. Emergencies first. $1: email enabled.
SELECT * FROM notifications
WHERE status = 'PENDING' AND next_attempt_at <= now() AND ($1 OR channel <> 'EMAIL')
ORDER BY priority, next_attempt_at, id
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: next_notification_due
SELECT min(next_attempt_at) FROM notifications
WHERE status = 'PENDING' AND ($1 OR channel <> 'EMAIL');

-- name: mark_notification_sent
UPDATE notifications SET status = 'SENT', attempts = attempts + 1, sent_at = now(), last_error = NULL
WHERE id = $1;

-- name: mark_notification_skipped
-- Nothing to send any more (the offer ended, the person has no address or opted out); $2 why.
UPDATE notifications SET status = 'SKIPPED', last_error = $2 WHERE id = $1;

-- name: mark_notification_failed
-- $2 error, $3 the attempts after which it is parked, $4 backoff base (seconds): base * 2^(n-1),
-- at most an hour.
UPDATE notifications
SET attempts = attempts + 1,
    last_error = left($2, 1000),
    status = CASE WHEN attempts + 1 >= $3 THEN 'PARKED'::notification_status ELSE 'PENDING' END,
    next_attempt_at = now() + make_interval(secs => least(3600, $4 * 2 ^ attempts))
WHERE id = $1
RETURNING status::text;

-- name: parked_notifications
-- Newest first; $1 an id to page after (NULL: the first page), $2 rows.
SELECT n.*, w.url AS webhook_url
FROM notifications n LEFT JOIN webhook_endpoints w ON w.id = n.webhook_endpoint_id
WHERE n.status = 'PARKED' AND ($1::bigint IS NULL OR n.id < $1)
ORDER BY n.id DESC
LIMIT $2;

-- name: count_parked_notifications
SELECT count(*) FROM notifications WHERE status = 'PARKED';

-- name: retry_notification
-- Staff send a parked message again: a fresh series of attempts, now.
WITH retried AS (
    UPDATE notifications SET status = 'PENDING', attempts = 0, next_attempt_at = now()
    WHERE id = $1 AND status = 'PARKED'
    RETURNING *
)
SELECT r.*, w.url AS webhook_url
FROM retried r LEFT JOIN webhook_endpoints w ON w.id = r.webhook_endpoint_id;

-- name: wake_notification_senders
-- At commit: the delivery workers of every process look for due messages.
SELECT pg_notify('otonari_notifications', '');

-- name: notification_by_id
SELECT n.*, w.url AS webhook_url
FROM notifications n LEFT JOIN webhook_endpoints w ON w.id = n.webhook_endpoint_id
WHERE n.id = $1;

-- name: notification_recipient
-- A person as a message to them needs it (address, language, choices), read when it is sent.
SELECT a.id, a.role, a.display_name, a.deactivated_at,
       coalesce(r.email, v.email) AS email, coalesce(r.contact, v.contact) AS contact,
       coalesce(r.notify_locale, v.notify_locale) AS locale,
       coalesce(r.languages, v.languages) AS languages,
       coalesce(r.notify_opt_outs, v.notify_opt_outs) AS opt_outs
FROM accounts a
LEFT JOIN residents r ON r.account_id = a.id
LEFT JOIN volunteers v ON v.account_id = a.id
WHERE a.id = $1;

-- name: delete_account_notifications
-- Erasure: messages to the person go with their address.
DELETE FROM notifications WHERE recipient_account_id = $1;

-- name: link_secret
SELECT secret FROM service_secrets WHERE name = $1;

-- name: insert_link_secret
INSERT INTO service_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING;

-- name: webhook_endpoint_by_id
SELECT * FROM webhook_endpoints WHERE id = $1;

-- name: update_resident_notifications
-- $2 email (NULL: unchanged), $3 clear the email, $4 opt-outs (NULL: unchanged), $5 locale.
UPDATE residents SET
    email = CASE WHEN $3 THEN NULL ELSE coalesce($2, email) END,
    notify_opt_outs = coalesce($4::text[], notify_opt_outs),
    notify_locale = coalesce($5, notify_locale)
WHERE id = $1;

-- name: update_volunteer_notifications
UPDATE volunteers SET
    email = CASE WHEN $3 THEN NULL ELSE coalesce($2, email) END,
    notify_opt_outs = coalesce($4::text[], notify_opt_outs),
    notify_locale = coalesce($5, notify_locale),
    updated_at = now()
WHERE id = $1;

-- name: notification_settings_of_account
SELECT coalesce(r.email, v.email) AS email,
       coalesce(r.notify_opt_outs, v.notify_opt_outs) AS opt_outs,
       coalesce(r.notify_locale, v.notify_locale) AS locale
FROM accounts a
LEFT JOIN residents r ON r.account_id = a.id
LEFT JOIN volunteers v ON v.account_id = a.id
WHERE a.id = $1 AND (r.id IS NOT NULL OR v.id IS NOT NULL);

-- name: notification_settings_of_accounts
SELECT a.id AS account_id,
       coalesce(r.email, v.email) AS email,
       coalesce(r.notify_opt_outs, v.notify_opt_outs) AS opt_outs,
       coalesce(r.notify_locale, v.notify_locale) AS locale
FROM accounts a
LEFT JOIN residents r ON r.account_id = a.id
LEFT JOIN volunteers v ON v.account_id = a.id
WHERE a.id = ANY($1::bigint[]) AND (r.id IS NOT NULL OR v.id IS NOT NULL);

-- name: insert_webhook_endpoint
INSERT INTO webhook_endpoints (url, kinds, secret, trusted, description, created_by)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: delete_webhook_endpoint
UPDATE webhook_endpoints SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING *;

-- name: live_webhook_endpoints
SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY id;
