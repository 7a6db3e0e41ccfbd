-- Dashboard: the 20 most quoted people and organisations of each day (claims whose source links to
-- them), with how many claims are by or about them (their content names them) and the share of
-- those resting on anonymous sources. Each story once, at its latest revision.
WITH latest AS (
    SELECT * FROM claims WHERE article_id IN (SELECT article_id FROM stories)
),
involved AS (
    SELECT dt, claim_id, source_entity_id AS entity_id, true AS quoted, source_kind
    FROM latest WHERE source_entity_id IS NOT NULL
    UNION ALL
    SELECT dt, claim_id, unnest(entity_ids) AS entity_id, false AS quoted, source_kind FROM latest
),
per_claim AS (  -- counted through the registry: an id merged into another counts as that one
    SELECT i.dt, i.claim_id, c.canonical_id AS entity_id, bool_or(i.quoted) AS quoted, any_value(i.source_kind) AS source_kind
    FROM involved i JOIN canonical_entities c USING (entity_id) GROUP BY i.dt, i.claim_id, c.canonical_id
),
names AS (SELECT entity_id, name, label FROM canonical_entities)
SELECT p.dt, n.name, n.label, count(*) FILTER (WHERE p.quoted) AS quoted, count(*) AS claims,
       round(avg(CASE WHEN p.source_kind = 'anonymous' THEN 1 ELSE 0 END), 3) AS anonymous_share, p.entity_id
FROM per_claim p JOIN names n USING (entity_id)
WHERE n.label IN ('PERSON', 'ORG')
GROUP BY p.dt, p.entity_id, n.name, n.label
HAVING count(*) FILTER (WHERE p.quoted) > 0
QUALIFY row_number() OVER (PARTITION BY p.dt ORDER BY count(*) FILTER (WHERE p.quoted) DESC, n.name, p.entity_id) <= 20
ORDER BY p.dt, quoted DESC, n.name, p.entity_id;
