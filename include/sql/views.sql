-- Views over a claimflow lake for DuckDB with its delta extension (INSTALL delta; LOAD delta;).
-- {lake} is replaced by the lake's root: a folder, or s3://bucket/prefix (with a DuckDB S3 secret).
-- Without the extension (no internet, or no build for this DuckDB), claimflow.readers.connect
-- registers the same names by reading the tables through deltalake. claimflow.readers.views_sql
-- adds the views of sql/derived (entity_registry, canonical_entities) after these.
CREATE OR REPLACE VIEW articles AS SELECT * FROM delta_scan('{lake}/articles');
CREATE OR REPLACE VIEW entities AS SELECT * FROM delta_scan('{lake}/entities');
CREATE OR REPLACE VIEW mentions AS SELECT * FROM delta_scan('{lake}/mentions');
CREATE OR REPLACE VIEW claims AS SELECT * FROM delta_scan('{lake}/claims');
CREATE OR REPLACE VIEW registry AS SELECT * FROM delta_scan('{lake}/registry');
CREATE OR REPLACE VIEW quarantine_inputs AS SELECT * FROM delta_scan('{lake}/quarantine/inputs');
CREATE OR REPLACE VIEW quarantine_articles AS SELECT * FROM delta_scan('{lake}/quarantine/articles');
CREATE OR REPLACE VIEW quarantine_entities AS SELECT * FROM delta_scan('{lake}/quarantine/entities');
CREATE OR REPLACE VIEW quarantine_mentions AS SELECT * FROM delta_scan('{lake}/quarantine/mentions');
CREATE OR REPLACE VIEW quarantine_claims AS SELECT * FROM delta_scan('{lake}/quarantine/claims');
