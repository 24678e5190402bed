-- name: rate_limit_take
-- One operation for (family $1, key $2) with emission interval $3 s and window $4 s (GCRA):
-- allowed while the theoretical arrival time stays within the window ahead of now; each
-- allowed operation moves it one interval on. Returns no row when refused (nothing changes).
INSERT INTO rate_limits AS r (family, key, tat)
VALUES ($1, $2, now() + make_interval(secs => $3))
ON CONFLICT (family, key) DO UPDATE
SET tat = greatest(r.tat, now()) + make_interval(secs => $3)
WHERE greatest(r.tat, now()) + make_interval(secs => $3) <= now() + make_interval(secs => $4)
RETURNING tat;

-- name: rate_limit_retry_after
-- Seconds until the next operation for (family $1, key $2) would be allowed.
SELECT greatest(0, extract(epoch FROM r.tat + make_interval(secs => $3) - make_interval(secs => $4) - now()))::float8
FROM rate_limits r WHERE r.family = $1 AND r.key = $2;

-- name: prune_rate_limits
DELETE FROM rate_limits WHERE tat < now();
