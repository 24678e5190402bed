-- name: volunteers_changed_since
-- Every volunteer touched since the watermark (a small overlap is re-read: upserts are idempotent).
SELECT v.id, v.languages, v.fields, v.area, v.availability, v.remote_ok, v.max_active_requests,
       v.active, v.verified, v.skill_vector, v.updated_at
FROM volunteers v
WHERE v.updated_at >= $1
ORDER BY v.updated_at;

-- name: volunteer_loads
-- Active requests now, and offers received in the last 7 days (to spread work around).
SELECT v.id,
       (SELECT count(*) FROM requests r WHERE r.assigned_volunteer_id = v.id AND r.status = 'MATCHED')
           AS active_requests,
       (SELECT count(*) FROM offers o WHERE o.volunteer_id = v.id AND o.created_at > now() - interval '7 days')
           AS recent_offers
FROM volunteers v
WHERE v.id IN (
    SELECT assigned_volunteer_id FROM requests WHERE status = 'MATCHED'
    UNION SELECT volunteer_id FROM offers WHERE created_at > now() - interval '7 days'
    UNION SELECT unnest($1::bigint[])
);

-- name: request_match_profile
SELECT r.id, r.text, r.area, r.preferred_times, d.field, t.language, res.languages AS resident_languages
FROM requests r
JOIN request_details d ON d.id = r.id
JOIN triage_results t ON t.request_id = r.id
JOIN residents res ON res.id = r.resident_id
WHERE r.id = $1;
