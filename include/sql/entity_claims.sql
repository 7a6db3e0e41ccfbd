-- Dashboard: what one entity said from $first_day to $last_day (YYYY-MM-DD, both included): the
-- claims whose source links to it (through the registry's canonical_entities: every id merged into
-- the entity asked for is the entity), newest day first, with their article. Parameter $entity is
-- an entity's name (canonical, or as an article wrote it) or entity_id; each story once, at its
-- latest revision. Parameters: $entity, $first_day, $last_day.
WITH asked AS (
    SELECT canonical_id FROM canonical_entities WHERE name = $entity OR entity_id = $entity
    UNION
    SELECT c.canonical_id FROM entities e JOIN canonical_entities c USING (entity_id) WHERE e.name = $entity
),
wanted AS (SELECT entity_id FROM canonical_entities WHERE canonical_id IN (SELECT canonical_id FROM asked))
SELECT c.dt, c.speaker, c.cue_text, c.content_text, c.quote_type, c.stance, c.article_id, a.title, c.claim_id
FROM claims c JOIN articles a USING (article_id)
WHERE c.source_entity_id IN (SELECT entity_id FROM wanted) AND c.dt BETWEEN $first_day AND $last_day
  AND c.article_id IN (SELECT article_id FROM stories)
ORDER BY c.dt DESC, c.article_id, c.sentence, c.claim_id;
