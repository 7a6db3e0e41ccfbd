-- Dashboard: the share of claims resting on anonymous sources (unnamed people, not documents,
-- groups or sources named elsewhere in the article), per day; each story once, at its latest revision.
SELECT dt, round(avg(CASE WHEN source_kind = 'anonymous' THEN 1 ELSE 0 END), 3) AS anonymous_share, count(*) AS claims
FROM claims
WHERE article_id IN (SELECT article_id FROM stories)
GROUP BY dt
ORDER BY dt;
