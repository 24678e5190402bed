-- Spot Otonari-san: initial schema. Migrations are append-only: never edit a released file, add the next one.

CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    role          text NOT NULL CHECK (role IN ('RESIDENT', 'VOLUNTEER', 'STAFF')),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens are shown once and stored only as SHA-256 hashes (they are 256-bit random, so no slow hash is needed).
CREATE TABLE tokens (
    token_hash  bytea PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX tokens_account_idx ON tokens (account_id);

CREATE TABLE residents (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    languages   text[] NOT NULL CHECK (cardinality(languages) BETWEEN 1 AND 10),
    area        text NOT NULL CHECK (length(area) BETWEEN 1 AND 100),
    contact     text NOT NULL CHECK (length(contact) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE volunteers (
    id                   bigserial PRIMARY KEY,
    account_id           bigint NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    languages            text[] NOT NULL CHECK (cardinality(languages) BETWEEN 1 AND 20),
    skills               text NOT NULL CHECK (length(skills) BETWEEN 1 AND 2000),
    fields               text[] NOT NULL CHECK (cardinality(fields) BETWEEN 1 AND 5),
    area                 text NOT NULL CHECK (length(area) BETWEEN 1 AND 100),
    availability         text NOT NULL CHECK (length(availability) <= 500),
    remote_ok            boolean NOT NULL DEFAULT false,
    max_active_requests  integer NOT NULL DEFAULT 2 CHECK (max_active_requests BETWEEN 1 AND 20),
    active               boolean NOT NULL DEFAULT true,
    verified             boolean NOT NULL DEFAULT false,
    contact              text NOT NULL CHECK (length(contact) BETWEEN 1 AND 500),
    -- The skills text embedded with the triage model ("passage: " side), float32 little-endian;
    -- NULL until embedded. Kept as bytea so the schema needs no pgvector.
    skill_vector         bytea,
    skill_model          text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteers_eligible_idx ON volunteers (id) WHERE active AND verified;

CREATE TABLE requests (
    id                     bigserial PRIMARY KEY,
    resident_id            bigint NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    text                   text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    area                   text NOT NULL CHECK (length(area) BETWEEN 1 AND 100),
    preferred_times        text CHECK (length(preferred_times) <= 500),
    status                 text NOT NULL DEFAULT 'RECEIVED' CHECK (status IN (
                               'RECEIVED', 'IN_REVIEW', 'ESCALATED', 'OPEN', 'MATCHED',
                               'COMPLETED', 'CANCELLED', 'CLOSED')),
    assigned_volunteer_id  bigint REFERENCES volunteers (id),
    -- Set when the request went back to staff because no candidate was left.
    needs_attention        text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    triaged_at             timestamptz,
    opened_at              timestamptz,
    matched_at             timestamptz,
    completed_at           timestamptz,
    CHECK (status NOT IN ('MATCHED', 'COMPLETED') OR assigned_volunteer_id IS NOT NULL)
);
CREATE INDEX requests_resident_idx ON requests (resident_id, id DESC);
CREATE INDEX requests_status_idx ON requests (status, id);
CREATE INDEX requests_assigned_idx ON requests (assigned_volunteer_id) WHERE assigned_volunteer_id IS NOT NULL;

-- Only the transitions of the request life cycle; anything else is a bug and fails loudly.
CREATE FUNCTION requests_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF NOT (
        (OLD.status = 'RECEIVED'  AND NEW.status IN ('IN_REVIEW', 'ESCALATED', 'CANCELLED'))
     OR (OLD.status = 'IN_REVIEW' AND NEW.status IN ('OPEN', 'CLOSED', 'CANCELLED'))
     OR (OLD.status = 'ESCALATED' AND NEW.status IN ('OPEN', 'CLOSED', 'CANCELLED'))
     OR (OLD.status = 'OPEN'      AND NEW.status IN ('MATCHED', 'IN_REVIEW', 'CLOSED', 'CANCELLED'))
     OR (OLD.status = 'MATCHED'   AND NEW.status IN ('COMPLETED', 'CANCELLED'))
    ) THEN
        RAISE EXCEPTION 'invalid request status transition % -> %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER requests_transition BEFORE UPDATE ON requests
    FOR EACH ROW EXECUTE FUNCTION requests_check_transition();

CREATE TABLE triage_results (
    request_id           bigint PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    language             text NOT NULL,
    language_confidence  real NOT NULL,
    field                text NOT NULL,
    field_scores         jsonb NOT NULL,
    urgency              text NOT NULL,
    urgency_score        real NOT NULL,
    confidence           real NOT NULL,
    signals              text[] NOT NULL,
    model                text NOT NULL,
    emergency_advice     jsonb,
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reviews (
    request_id          bigint PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    reviewer_account_id bigint NOT NULL REFERENCES accounts (id),
    decision            text NOT NULL CHECK (decision IN ('APPROVE', 'CLOSE')),
    field               text NOT NULL,
    urgency             text NOT NULL,
    note                text CHECK (length(note) <= 2000),
    agreed_with_triage  boolean NOT NULL,
    decided_at          timestamptz NOT NULL DEFAULT now()
);

-- The durable work queue: a request and its job are written in one transaction; a worker takes a
-- job with FOR UPDATE SKIP LOCKED and finishes it in that same transaction, so a killed worker
-- leaves the job to be taken again and the request is triaged exactly once.
CREATE TABLE triage_jobs (
    request_id   bigint PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    run_after    timestamptz NOT NULL DEFAULT now(),
    done_at      timestamptz
);
CREATE INDEX triage_jobs_pending_idx ON triage_jobs (run_after) WHERE done_at IS NULL;

-- Staff-reviewed texts with their final labels: the triage engine learns from them at start-up and at run time.
CREATE TABLE triage_examples (
    id          bigserial PRIMARY KEY,
    request_id  bigint UNIQUE REFERENCES requests (id) ON DELETE SET NULL,
    text        text NOT NULL,
    field       text NOT NULL,
    urgency     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE offers (
    id            bigserial PRIMARY KEY,
    request_id    bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    volunteer_id  bigint NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'PENDING'
                  CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'WITHDRAWN')),
    created_by    bigint REFERENCES accounts (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    responded_at  timestamptz,
    UNIQUE (request_id, volunteer_id)
);
-- The first acceptance wins: the database itself refuses a second accepted offer.
CREATE UNIQUE INDEX offers_one_accepted ON offers (request_id) WHERE status = 'ACCEPTED';
CREATE INDEX offers_volunteer_idx ON offers (volunteer_id, status);
CREATE INDEX offers_pending_expiry_idx ON offers (expires_at) WHERE status = 'PENDING';

CREATE TABLE completions (
    request_id          bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    side                text NOT NULL CHECK (side IN ('RESIDENT', 'VOLUNTEER')),
    rating              integer CHECK (rating BETWEEN 1 AND 5),
    comment             text CHECK (length(comment) <= 2000),
    wants_long_term_pair boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, side)
);

CREATE TABLE long_term_pairs (
    id            bigserial PRIMARY KEY,
    request_id    bigint NOT NULL UNIQUE REFERENCES requests (id),
    resident_id   bigint NOT NULL REFERENCES residents (id),
    volunteer_id  bigint NOT NULL REFERENCES volunteers (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Every change a client may want to see, written in the transaction that made it, then NOTIFY'd
-- (delivered at commit) so that subscribers on any server process see it; clients that were away
-- catch up by querying.
CREATE TABLE events (
    id            bigserial PRIMARY KEY,
    request_id    bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('RECEIVED', 'TRIAGED', 'ESCALATED', 'REVIEWED',
                  'OFFERED', 'OFFER_DECLINED', 'OFFER_EXPIRED', 'RETURNED_TO_REVIEW', 'MATCHED',
                  'COMPLETED', 'CANCELLED', 'CLOSED')),
    offer_id      bigint REFERENCES offers (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_request_idx ON events (request_id, id);

CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('otonari_events', NEW.id::text);
    RETURN NEW;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_notify();

-- One row per request with its triage and review, as the API reads it.
CREATE VIEW request_details AS
SELECT r.id, r.resident_id, r.text, r.area, r.preferred_times, r.status, r.assigned_volunteer_id,
       r.needs_attention, r.created_at, r.updated_at, r.triaged_at, r.opened_at, r.matched_at,
       r.completed_at,
       coalesce(rv.field, t.field) AS field,
       coalesce(rv.urgency, t.urgency) AS urgency,
       t.language AS t_language, t.language_confidence AS t_language_confidence,
       t.field AS t_field, t.field_scores AS t_field_scores, t.urgency AS t_urgency,
       t.urgency_score AS t_urgency_score, t.confidence AS t_confidence, t.signals AS t_signals,
       t.model AS t_model, t.emergency_advice AS t_emergency_advice, t.created_at AS t_created_at,
       rv.decision AS rv_decision, rv.field AS rv_field, rv.urgency AS rv_urgency,
       rv.note AS rv_note, rv.agreed_with_triage AS rv_agreed, rv.decided_at AS rv_decided_at,
       ra.display_name AS rv_reviewer
FROM requests r
LEFT JOIN triage_results t ON t.request_id = r.id
LEFT JOIN reviews rv ON rv.request_id = r.id
LEFT JOIN accounts ra ON ra.id = rv.reviewer_account_id;
