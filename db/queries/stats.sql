-- name: requests_by_status
SELECT status, count(*) AS count FROM requests GROUP BY status ORDER BY status;

-- name: median_seconds_to_triage
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM triaged_at - created_at))
FROM requests WHERE triaged_at IS NOT NULL AND created_at > now() - interval '7 days';

-- name: median_seconds_to_match
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM matched_at - opened_at))
FROM requests WHERE matched_at IS NOT NULL AND opened_at IS NOT NULL
  AND matched_at > now() - interval '7 days';

-- name: triage_agreement
SELECT avg(CASE WHEN agreed_with_triage THEN 1.0 ELSE 0.0 END) FROM reviews;

-- name: offer_acceptance_rate
-- Of the offers volunteers answered or let lapse, the share accepted.
SELECT avg(CASE WHEN status = 'ACCEPTED' THEN 1.0 ELSE 0.0 END)
FROM offers WHERE status IN ('ACCEPTED', 'DECLINED', 'EXPIRED');
