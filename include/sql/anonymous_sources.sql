-- Dashboard: claims resting on anonymous sources per day, and how many of them the article says
-- something about (the source's affiliation, its organisation, why it is unnamed), so sourcing
-- can be graded, not only counted. Each story once, at its latest revision.
SELECT dt,
       count(*) AS anonymous_claims,
       count(source_affiliation) AS with_affiliation,
       count(source_organisation) AS with_organisation,
       count(anonymity_reason) AS with_reason,
       round(avg(CASE WHEN coalesce(source_affiliation, source_organisation, anonymity_reason) IS NULL THEN 0 ELSE 1 END), 3)
           AS disclosed_share
FROM claims
WHERE source_kind = 'anonymous' AND article_id IN (SELECT article_id FROM stories)
GROUP BY dt
ORDER BY dt;
