-- Dashboard: who is quoted about a given entity (claims whose content names it), by source: the
-- linked person or organisation, else the resolved speaker; anonymous and unnamed sources are
-- counted by kind with a NULL source; each story once, at its latest revision. Parameter: $entity, an entity's name (canonical, or as an
-- article wrote it) or entity_id. Both sides count through the registry (canonical_entities):
-- every id merged into the entity asked for is the entity.
WITH asked AS (
    SELECT canonical_id FROM canonical_entities WHERE name = $entity OR entity_id = $entity
    UNION
    SELECT c.canonical_id FROM entities e JOIN canonical_entities c USING (entity_id) WHERE e.name = $entity
),
wanted AS (SELECT entity_id FROM canonical_entities WHERE canonical_id IN (SELECT canonical_id FROM asked)),
about AS (
    SELECT DISTINCT c.claim_id, c.article_id, c.source_entity_id, c.speaker, c.source_kind
    FROM claims c, unnest(c.entity_ids) AS u(entity_id)
    WHERE u.entity_id IN (SELECT entity_id FROM wanted) AND c.article_id IN (SELECT article_id FROM stories)
),
sources AS (
    SELECT a.*, coalesce(s.canonical_id, a.source_entity_id) AS canonical_id
    FROM about a LEFT JOIN canonical_entities s ON s.entity_id = a.source_entity_id
)
SELECT coalesce(n.name, a.speaker) AS source, a.source_kind, count(*) AS claims,
       count(DISTINCT a.article_id) AS articles, a.canonical_id AS source_entity_id
FROM sources a LEFT JOIN canonical_entities n ON n.entity_id = a.canonical_id
GROUP BY coalesce(n.name, a.speaker), a.source_kind, a.canonical_id
ORDER BY claims DESC, source NULLS LAST, a.source_kind;
