-- The triage's calibrated probability of EMERGENCY (emergency cues included), stored with the
-- triage: the staff review queue is sorted by it within each urgency, so that a likely emergency
-- the decision rule missed still comes first in front of a person.
ALTER TABLE triage_results ADD COLUMN emergency_probability real
    CHECK (emergency_probability BETWEEN 0 AND 1);

-- Rows triaged before this release did not keep it. They get the smallest probability of
-- EMERGENCY consistent with what they stored: urgency_score is the probability-weighted level
-- (EMERGENCY 1, HIGH 2/3, NORMAL 1/3, LOW 0), so P(EMERGENCY) >= 3 * urgency_score - 2; and a row
-- triaged EMERGENCY had at least the old engine's threshold, 0.3. Within one urgency they keep the
-- order of their urgency score.
UPDATE triage_results
SET emergency_probability = greatest(
    least(1.0, greatest(0.0, 3 * urgency_score - 2)),
    CASE WHEN urgency = 'EMERGENCY' THEN 0.3 ELSE 0.0 END
);
ALTER TABLE triage_results ALTER COLUMN emergency_probability SET NOT NULL;

-- The request view gains the column (appended: CREATE OR REPLACE VIEW keeps the others in place).
CREATE OR REPLACE VIEW request_details AS
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
       ra.display_name AS rv_reviewer,
       t.emergency_probability AS t_emergency_probability
FROM requests r
LEFT JOIN triage_results t ON t.request_id = r.id
LEFT JOIN reviews rv ON rv.request_id = r.id
LEFT JOIN accounts ra ON ra.id = rv.reviewer_account_id;
