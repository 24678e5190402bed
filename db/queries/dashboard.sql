-- Staff dashboard series (resolvers/dashboard.py). Days and weeks are Tokyo calendar days.

-- name: dashboard_since
-- The start of the Tokyo day $1 - 1 days before today: a window of $1 whole days.
SELECT (date_trunc('day', now() AT TIME ZONE 'Asia/Tokyo') - make_interval(days => $1::int - 1))
       AT TIME ZONE 'Asia/Tokyo';

-- name: dashboard_requests_per_day
-- Requests submitted per Tokyo day, by their field (the review's, else the triage's; NULL before
-- triage) and the language the triage detected.
SELECT (r.created_at AT TIME ZONE 'Asia/Tokyo')::date AS day,
       coalesce(rv.field, t.field) AS field,
       t.language AS language,
       count(*)::int AS count
FROM requests r
LEFT JOIN triage_results t ON t.request_id = r.id
LEFT JOIN reviews rv ON rv.request_id = r.id
WHERE r.created_at >= $1
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;

-- name: dashboard_durations
-- Seconds from submission to triage, to the first offer and to a volunteer's acceptance, for
-- requests submitted in the window that got that far.
WITH first_offers AS (
    SELECT request_id, min(created_at) AS at FROM offers WHERE created_at >= $1 GROUP BY request_id
)
SELECT m.measure,
       count(*)::int AS count,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY m.seconds) AS median_seconds,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY m.seconds) AS p90_seconds
FROM requests r
LEFT JOIN first_offers f ON f.request_id = r.id
CROSS JOIN LATERAL (VALUES
    ('TRIAGE', extract(epoch FROM r.triaged_at - r.created_at)::float8),
    ('FIRST_OFFER', extract(epoch FROM f.at - r.created_at)::float8),
    ('MATCH', extract(epoch FROM r.matched_at - r.created_at)::float8)
) AS m(measure, seconds)
WHERE r.created_at >= $1 AND m.seconds IS NOT NULL
GROUP BY m.measure;

-- name: dashboard_offer_outcomes
-- Offers made in the window, by their status now.
SELECT status, count(*)::int AS count FROM offers WHERE created_at >= $1 GROUP BY status ORDER BY status;

-- name: dashboard_agreement
-- Approved reviews per Tokyo week (Monday) and per key of dimension $2: FIELD (the triage's
-- field; agreed = staff kept it), URGENCY (the triage's urgency; agreed = staff kept it) or
-- LANGUAGE (the detected language; agreed = staff kept field and urgency).
SELECT date_trunc('week', rv.decided_at AT TIME ZONE 'Asia/Tokyo')::date AS period_start,
       CASE $2::text WHEN 'FIELD' THEN t.field WHEN 'URGENCY' THEN t.urgency ELSE t.language END AS key,
       count(*)::int AS reviewed,
       (count(*) FILTER (WHERE CASE $2::text
                                   WHEN 'FIELD' THEN rv.field = t.field
                                   WHEN 'URGENCY' THEN rv.urgency = t.urgency
                                   ELSE rv.agreed_with_triage END))::int AS agreed
FROM reviews rv
JOIN triage_results t ON t.request_id = rv.request_id
WHERE rv.decided_at >= $1 AND rv.decision = 'APPROVE'
GROUP BY 1, 2
ORDER BY 1, 2;
