-- The entity registry, one row per entity id: its latest name, label, knowledge-base id and merge
-- (merged_into: the surviving id it is one with, NULL when it stands), every surface form seen with
-- counts, the first and last day an article named it and how many articles did.
CREATE OR REPLACE VIEW entity_registry AS
WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY entity_id ORDER BY dt DESC) AS latest FROM registry
),
forms AS (
    SELECT entity_id, a.form, sum(a.count) AS count
    FROM registry, unnest(aliases) AS u(a)
    GROUP BY entity_id, a.form
),
seen AS (
    SELECT entity_id, min(dt) FILTER (WHERE article_count > 0) AS first_day,
           max(dt) FILTER (WHERE article_count > 0) AS last_day, sum(article_count) AS article_count
    FROM registry GROUP BY entity_id
)
SELECT r.entity_id, r.name, r.label, r.kb_id, r.merged_into,
       coalesce((SELECT list({'form': f.form, 'count': f.count} ORDER BY f.count DESC, f.form)
                 FROM forms f WHERE f.entity_id = r.entity_id), []) AS aliases,
       s.first_day, s.last_day, s.article_count
FROM ranked r JOIN seen s USING (entity_id)
WHERE r.latest = 1;
