-- Views over a claimflow lake for DuckDB (Athena/Trino read the same Hive partitions as tables).
-- {lake} is replaced by the lake's root: a folder, or s3://bucket/prefix with DuckDB's httpfs.
CREATE OR REPLACE VIEW articles AS SELECT * FROM read_parquet('{lake}/articles/*/*.parquet', hive_partitioning = true);
CREATE OR REPLACE VIEW entities AS SELECT * FROM read_parquet('{lake}/entities/*/*.parquet', hive_partitioning = true);
CREATE OR REPLACE VIEW mentions AS SELECT * FROM read_parquet('{lake}/mentions/*/*.parquet', hive_partitioning = true);
CREATE OR REPLACE VIEW claims AS SELECT * FROM read_parquet('{lake}/claims/*/*.parquet', hive_partitioning = true);
