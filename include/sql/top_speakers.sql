-- Dashboard: who is quoted most, by resolved speaker name, with how often they are quoted directly;
-- each story once, at its latest revision.
SELECT speaker, count(*) AS claims, count(*) FILTER (WHERE quote_type = 'direct') AS direct_quotes,
       count(DISTINCT article_id) AS articles
FROM claims
WHERE speaker IS NOT NULL AND article_id IN (SELECT article_id FROM stories)
GROUP BY speaker
ORDER BY claims DESC, speaker
LIMIT 20;
