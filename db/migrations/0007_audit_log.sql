-- Who did what (service/audit.py): every staff action and every read of someone's contact, written
-- in the transaction of the action itself. Append-only: the triggers below refuse UPDATE, DELETE
-- and TRUNCATE, for every role that is not a superuser disabling triggers on purpose.
--
-- The log holds ids, labels and counts only, never a person's words, name or contact: erasing a
-- resident (service/erasure.py) then never has to touch it.
CREATE TABLE audit_log (
    id                bigserial PRIMARY KEY,
    at                timestamptz NOT NULL DEFAULT now(),
    -- The account that acted; NULL for the service itself (retention) or the command line.
    actor_account_id  bigint,
    actor_role        text CHECK (actor_role IN ('RESIDENT', 'VOLUNTEER', 'STAFF')),
    action            text NOT NULL CHECK (action IN (
                          'REVIEW', 'VETTING', 'OFFERS_SENT', 'ACCOUNT_DEACTIVATED', 'RESIDENT_ERASED',
                          'REQUEST_ERASED', 'CONTACT_READ', 'STAFF_CREATED', 'STAFF_TOKEN_ISSUED')),
    -- What it was done to, as the API names it: a global ID's type and primary key.
    subject_type      text NOT NULL CHECK (subject_type IN (
                          'SupportRequest', 'Resident', 'Volunteer', 'StaffMember', 'Offer')),
    subject_id        bigint NOT NULL,
    details           jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_account_id, id);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
