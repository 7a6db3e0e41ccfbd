-- Dashboard: the 50 pairs of entities mentioned together most often, by the number of articles
-- naming both (each pair once, its names in alphabetical order; each story once, at its latest
-- revision), counted through the registry (canonical_entities): an id merged into another counts as that one.
WITH named AS (
    SELECT DISTINCT x.article_id, c.canonical_id AS entity_id, n.name, n.label
    FROM entities x
    JOIN canonical_entities c USING (entity_id)
    JOIN canonical_entities n ON n.entity_id = c.canonical_id
    WHERE x.article_id IN (SELECT article_id FROM stories)
)
SELECT a.name AS name_a, a.label AS label_a, b.name AS name_b, b.label AS label_b,
       count(DISTINCT a.article_id) AS articles, a.entity_id AS entity_id_a, b.entity_id AS entity_id_b
FROM named a
JOIN named b ON a.article_id = b.article_id AND (a.name, a.entity_id) < (b.name, b.entity_id)
GROUP BY a.entity_id, a.name, a.label, b.entity_id, b.name, b.label
ORDER BY articles DESC, name_a, name_b, entity_id_a, entity_id_b
LIMIT 50;
