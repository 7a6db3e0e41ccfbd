-- Dashboard: who is quoted about a given entity (claims whose content names it), by source: the
-- linked person or organisation, else the resolved speaker; anonymous and unnamed sources are
-- counted by kind with a NULL source; each story once, at its latest revision. Parameter: $entity, an entity's name or entity_id.
WITH wanted AS (SELECT DISTINCT entity_id FROM entities WHERE name = $entity OR entity_id = $entity),
about AS (
    SELECT DISTINCT c.claim_id, c.article_id, c.source_entity_id, c.speaker, c.source_kind
    FROM claims c, unnest(c.entity_ids) AS u(entity_id)
    WHERE u.entity_id IN (SELECT entity_id FROM wanted) AND c.article_id IN (SELECT article_id FROM stories)
),
names AS (SELECT DISTINCT entity_id, name FROM entities)
SELECT coalesce(n.name, a.speaker) AS source, a.source_kind, count(*) AS claims,
       count(DISTINCT a.article_id) AS articles, a.source_entity_id
FROM about a LEFT JOIN names n ON n.entity_id = a.source_entity_id
GROUP BY coalesce(n.name, a.speaker), a.source_kind, a.source_entity_id
ORDER BY claims DESC, source NULLS LAST, a.source_kind;
