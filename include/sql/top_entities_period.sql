-- Dashboard: the 20 most quoted people and organisations from $first_day to $last_day (YYYY-MM-DD,
-- both included), with the claims by or about them, the share of those resting on anonymous
-- sources, and on how many days they were quoted; each story once, at its latest revision.
-- Parameters: $first_day, $last_day.
WITH period AS (
    SELECT * FROM claims WHERE dt BETWEEN $first_day AND $last_day AND article_id IN (SELECT article_id FROM stories)
),
involved AS (
    SELECT dt, claim_id, source_entity_id AS entity_id, true AS quoted, source_kind
    FROM period WHERE source_entity_id IS NOT NULL
    UNION ALL
    SELECT dt, claim_id, unnest(entity_ids) AS entity_id, false AS quoted, source_kind FROM period
),
per_claim AS (  -- counted through the registry: an id merged into another counts as that one
    SELECT i.dt, i.claim_id, c.canonical_id AS entity_id, bool_or(i.quoted) AS quoted, any_value(i.source_kind) AS source_kind
    FROM involved i JOIN canonical_entities c USING (entity_id) GROUP BY i.dt, i.claim_id, c.canonical_id
),
names AS (SELECT entity_id, name, label FROM canonical_entities)
SELECT n.name, n.label, count(*) FILTER (WHERE p.quoted) AS quoted, count(*) AS claims,
       round(avg(CASE WHEN p.source_kind = 'anonymous' THEN 1 ELSE 0 END), 3) AS anonymous_share,
       count(DISTINCT p.dt) FILTER (WHERE p.quoted) AS days, p.entity_id
FROM per_claim p JOIN names n USING (entity_id)
WHERE n.label IN ('PERSON', 'ORG')
GROUP BY p.entity_id, n.name, n.label
HAVING count(*) FILTER (WHERE p.quoted) > 0
ORDER BY quoted DESC, n.name, p.entity_id
LIMIT 20;
