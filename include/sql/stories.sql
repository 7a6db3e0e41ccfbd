-- Each story once: a story is the article that first published it and every revision of it (a new
-- text at the same canonical URL on a later day, whose articles.revises names that first article).
-- Its latest revision is the one of the latest day (dt), then the latest published, then the
-- greatest article_id; the dashboard queries count only the latest revision of each story.
-- readers.connect creates this view where the articles table exists; after views.sql, so does DuckDB.
CREATE OR REPLACE VIEW stories AS
SELECT coalesce(revises, article_id) AS story_id,
       article_id,
       dt,
       count(*) OVER (PARTITION BY coalesce(revises, article_id)) AS revisions
FROM articles
QUALIFY row_number() OVER (PARTITION BY coalesce(revises, article_id)
                           ORDER BY dt DESC, published DESC NULLS LAST, article_id DESC) = 1;
