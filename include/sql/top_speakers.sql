-- Dashboard: who is quoted most, by resolved speaker name, with how often they are quoted directly.
SELECT speaker, count(*) AS claims, count(*) FILTER (WHERE quote_type = 'direct') AS direct_quotes,
       count(DISTINCT article_id) AS articles
FROM claims
WHERE speaker IS NOT NULL
GROUP BY speaker
ORDER BY claims DESC, speaker
LIMIT 20;
