-- Dashboard: who is quoted most, by resolved speaker (the linked entity's name, counted through the
-- registry's canonical_entities, so one person under several ids counts once; else the speaker as
-- written), with how often they are quoted directly; each story once, at its latest revision.
WITH quoted AS (
    SELECT c.article_id, c.quote_type, coalesce(n.name, c.speaker) AS speaker
    FROM claims c
    LEFT JOIN canonical_entities k ON k.entity_id = c.source_entity_id
    LEFT JOIN canonical_entities n ON n.entity_id = k.canonical_id
    WHERE c.speaker IS NOT NULL AND c.article_id IN (SELECT article_id FROM stories)
)
SELECT speaker, count(*) AS claims, count(*) FILTER (WHERE quote_type = 'direct') AS direct_quotes,
       count(DISTINCT article_id) AS articles
FROM quoted
GROUP BY speaker
ORDER BY claims DESC, speaker
LIMIT 20;
