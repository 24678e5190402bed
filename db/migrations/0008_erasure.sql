-- Erasure and retention (service/erasure.py): a resident's words, contact and name are replaced by
-- a tombstone, on request (eraseResident, eraseMe) or once their requests have been closed longer
-- than the retention period. Ids, statuses, labels, ratings and times stay for the statistics.

-- When a request reached a final status: retention counts from here.
ALTER TABLE requests ADD COLUMN closed_at timestamptz;
UPDATE requests SET closed_at = coalesce(completed_at, updated_at)
WHERE status IN ('COMPLETED', 'CANCELLED', 'CLOSED');
CREATE FUNCTION requests_set_closed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('COMPLETED', 'CANCELLED', 'CLOSED') AND NEW.closed_at IS NULL THEN
        NEW.closed_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER requests_closed_at BEFORE UPDATE OF status ON requests
    FOR EACH ROW EXECUTE FUNCTION requests_set_closed_at();

-- When the texts of a request, or a resident's contact and name, were replaced by tombstones.
ALTER TABLE requests ADD COLUMN erased_at timestamptz;
CREATE INDEX requests_retention_idx ON requests (closed_at) WHERE erased_at IS NULL AND closed_at IS NOT NULL;
ALTER TABLE residents ADD COLUMN erased_at timestamptz;

-- Staff-reviewed examples deleted by an erasure, in order, so that every process running the
-- triage engine forgets them too (service.pipeline.ExampleSync): ids only.
CREATE TABLE triage_example_removals (
    seq         bigserial PRIMARY KEY,
    example_id  bigint NOT NULL,
    removed_at  timestamptz NOT NULL DEFAULT now()
);
