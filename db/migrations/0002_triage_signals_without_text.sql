-- Triage signals name only the project's own words (cue names, curated example topics, labels),
-- never a resident's text. The staff-reviewed examples nearest to a request are kept by id, for
-- staff to follow as links to the requests they came from.
ALTER TABLE triage_results ADD COLUMN similar_examples jsonb NOT NULL DEFAULT '[]';
COMMENT ON COLUMN triage_results.similar_examples IS
    '[[triage_examples.id, cosine], ...] nearest first; staff only';

-- Signals stored before this release could quote a reviewed request''s text, e.g.
-- close to examples of: "Call 080-… (Wang). My visa…" (WELFARE/HIGH, cosine 0.97).
-- Such a signal keeps only its labels and cosine; quoted gists are dropped whatever they held.
UPDATE triage_results
SET signals = ARRAY(
    SELECT CASE
        WHEN u.s NOT LIKE 'close to examples of: %' OR position('"' IN u.s) = 0 THEN u.s
        WHEN u.s ~ ' \([A-Z_]+/[A-Z]+, cosine [0-9.]+\)$'
            THEN 'close to earlier examples' || substring(u.s FROM ' \([A-Z_]+/[A-Z]+, cosine [0-9.]+\)$')
        ELSE 'close to earlier examples'
    END
    FROM unnest(signals) WITH ORDINALITY AS u(s, n)
    ORDER BY u.n
)
WHERE EXISTS (
    SELECT 1 FROM unnest(signals) AS x(s) WHERE x.s LIKE 'close to examples of: %' AND position('"' IN x.s) > 0
);
