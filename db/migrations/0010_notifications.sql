-- Notifications (service/notifications): a durable outbox, written in the transaction of the change
-- that causes each message, delivered by the workers (email over SMTP, signed webhooks).

-- Where and how people want to hear from the service. `email` is optional: a contact that is an
-- email address is used when it is not set. Opt-outs are notification kinds; `notify_locale` one of
-- the template locales (NULL: volunteers Japanese, residents their first language).
ALTER TABLE residents ADD COLUMN email text CHECK (length(email) <= 254);
ALTER TABLE residents ADD COLUMN notify_opt_outs text[] NOT NULL DEFAULT '{}';
ALTER TABLE residents ADD COLUMN notify_locale text;
ALTER TABLE volunteers ADD COLUMN email text CHECK (length(email) <= 254);
ALTER TABLE volunteers ADD COLUMN notify_opt_outs text[] NOT NULL DEFAULT '{}';
ALTER TABLE volunteers ADD COLUMN notify_locale text;

-- Reminders: set when the "offer about to expire" message was queued, so it is queued once.
ALTER TABLE offers ADD COLUMN reminded_at timestamptz;

-- HTTPS endpoints staff register per event kind (a LINE or Slack bridge). The secret signs every
-- delivery (Standard Webhooks); it is shown once when registered and kept to sign.
CREATE TABLE webhook_endpoints (
    id           bigserial PRIMARY KEY,
    url          text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    kinds        text[] NOT NULL CHECK (cardinality(kinds) >= 1),
    secret       text NOT NULL,
    -- Trusted endpoints also receive contacts and request texts; others only ids and labels.
    trusted      boolean NOT NULL DEFAULT false,
    description  text CHECK (length(description) <= 200),
    created_by   bigint REFERENCES accounts (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);

CREATE TYPE notification_status AS ENUM ('PENDING', 'SENT', 'PARKED', 'SKIPPED');

-- One row per message to one recipient over one channel. Only references: what the message says
-- is rendered when it is sent (so an erasure leaves nothing here to erase).
CREATE TABLE notifications (
    id                    bigserial PRIMARY KEY,
    kind                  text NOT NULL CHECK (kind IN ('OFFER_SENT', 'OFFER_EXPIRING', 'REQUEST_MATCHED',
                              'REQUEST_TRIAGED', 'EMERGENCY_RECEIVED', 'RETURNED_TO_STAFF',
                              'LONG_TERM_PAIR')),
    channel               text NOT NULL CHECK (channel IN ('EMAIL', 'WEBHOOK')),
    -- EMAIL: a person's account, or NULL for the staff alert address (OTONARI_STAFF_ALERT_EMAIL).
    recipient_account_id  bigint REFERENCES accounts (id) ON DELETE CASCADE,
    webhook_endpoint_id   bigint REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    request_id            bigint REFERENCES requests (id) ON DELETE CASCADE,
    offer_id              bigint REFERENCES offers (id) ON DELETE CASCADE,
    pair_id               bigint REFERENCES long_term_pairs (id) ON DELETE CASCADE,
    -- Unique: the same change never queues a message twice; the SMTP Message-ID and the
    -- webhook-id derive from it, so a resend after a crash can be recognised by the receiver.
    idempotency_key       text NOT NULL UNIQUE,
    -- 0 goes first: the staff EMERGENCY alert never waits behind a queue of offers.
    priority              smallint NOT NULL DEFAULT 1,
    status                notification_status NOT NULL DEFAULT 'PENDING',
    attempts              integer NOT NULL DEFAULT 0,
    next_attempt_at       timestamptz NOT NULL DEFAULT now(),
    last_error            text CHECK (length(last_error) <= 1000),
    created_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at               timestamptz,
    CHECK ((channel = 'WEBHOOK') = (webhook_endpoint_id IS NOT NULL))
);
CREATE INDEX notifications_due_idx ON notifications (priority, next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX notifications_parked_idx ON notifications (id) WHERE status = 'PARKED';
CREATE INDEX notifications_account_idx ON notifications (recipient_account_id)
    WHERE recipient_account_id IS NOT NULL;

-- Wake the delivery workers at commit (PostgreSQL folds repeats within a transaction into one).
-- A staff retry sends the same NOTIFY itself (db/queries/notifications.sql: retry_notification).
CREATE FUNCTION notifications_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('otonari_notifications', '');
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_notify AFTER INSERT ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_notify();

-- The key that signs one-click answer links (service/notifications/links.py), made once by the
-- first process that needs it and shared by all of them.
CREATE TABLE service_secrets (
    name        text PRIMARY KEY,
    secret      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Staff retrying a parked message and registering or deleting webhook endpoints are audited.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'REVIEW', 'VETTING', 'OFFERS_SENT', 'ACCOUNT_DEACTIVATED', 'RESIDENT_ERASED',
    'REQUEST_ERASED', 'CONTACT_READ', 'STAFF_CREATED', 'STAFF_TOKEN_ISSUED',
    'NOTIFICATION_RETRIED', 'WEBHOOK_REGISTERED', 'WEBHOOK_DELETED'));
ALTER TABLE audit_log DROP CONSTRAINT audit_log_subject_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_type_check CHECK (subject_type IN (
    'SupportRequest', 'Resident', 'Volunteer', 'StaffMember', 'Offer', 'Notification', 'WebhookEndpoint'));
