-- Every entity id the lake has published, with the id it counts as (canonical_id: itself, or the
-- surviving id the registry recorded it merged into) and that id's name, label and knowledge-base
-- id. Dashboard queries count through canonical_id, so an id merged later is counted once with
-- the entity it is one with. Ids the registry never saw (a lake older than it) stand for
-- themselves, named by their latest entities row.
CREATE OR REPLACE VIEW canonical_entities AS
WITH extracted AS (
    SELECT entity_id, arg_max(name, dt) AS name, arg_max(label, dt) AS label FROM entities GROUP BY entity_id
),
ids AS (
    SELECT entity_id FROM extracted UNION SELECT entity_id FROM entity_registry
),
canonical AS (
    SELECT i.entity_id, coalesce(r.merged_into, i.entity_id) AS canonical_id
    FROM ids i LEFT JOIN entity_registry r USING (entity_id)
)
SELECT c.entity_id, c.canonical_id, coalesce(r.name, e.name) AS name, coalesce(r.label, e.label) AS label, r.kb_id
FROM canonical c
LEFT JOIN entity_registry r ON r.entity_id = c.canonical_id
LEFT JOIN extracted e ON e.entity_id = c.canonical_id;
