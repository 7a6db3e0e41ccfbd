-- Dashboard: the 50 pairs of entities mentioned together most often, by the number of articles
-- naming both (each pair once, its names in alphabetical order; each story once, at its latest revision).
SELECT a.name AS name_a, a.label AS label_a, b.name AS name_b, b.label AS label_b,
       count(DISTINCT a.article_id) AS articles, a.entity_id AS entity_id_a, b.entity_id AS entity_id_b
FROM entities a
JOIN entities b ON a.article_id = b.article_id AND (a.name, a.entity_id) < (b.name, b.entity_id)
WHERE a.article_id IN (SELECT article_id FROM stories)
GROUP BY a.entity_id, a.name, a.label, b.entity_id, b.name, b.label
ORDER BY articles DESC, name_a, name_b, entity_id_a, entity_id_b
LIMIT 50;
