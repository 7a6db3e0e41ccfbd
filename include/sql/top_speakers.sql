-- Dashboard: who is quoted most from $first_day to $last_day (YYYY-MM-DD, both included) among the
-- sources of kind $source_kind ('person' for people, 'organisation' for organisations: so people and
-- organisations are never mixed), by resolved speaker (the linked entity's name, counted through the
-- registry's canonical_entities, so one person under several ids counts once; else the speaker as
-- written), with how often they are quoted directly and on how many days; each story once, at its
-- latest revision. Parameters: $first_day, $last_day, $source_kind.
WITH quoted AS (
    SELECT c.dt, c.article_id, c.quote_type, coalesce(n.name, c.speaker) AS speaker
    FROM claims c
    LEFT JOIN canonical_entities k ON k.entity_id = c.source_entity_id
    LEFT JOIN canonical_entities n ON n.entity_id = k.canonical_id
    WHERE c.speaker IS NOT NULL AND c.source_kind = $source_kind AND c.dt BETWEEN $first_day AND $last_day
      AND c.article_id IN (SELECT article_id FROM stories)
)
SELECT speaker, count(*) AS claims, count(*) FILTER (WHERE quote_type = 'direct') AS direct_quotes,
       count(DISTINCT article_id) AS articles, count(DISTINCT dt) AS days
FROM quoted
GROUP BY speaker
ORDER BY claims DESC, speaker
LIMIT 20;
