-- Dashboard: claims per day by kind of source (person, organisation, anonymous, group, document,
-- pronoun, other, none: claimflow.models.SOURCE_KINDS, described in docs/claims.md, "Source kinds"). Each story once, at its latest revision.
SELECT dt, source_kind, count(*) AS claims
FROM claims
WHERE article_id IN (SELECT article_id FROM stories)
GROUP BY dt, source_kind
ORDER BY dt, claims DESC, source_kind;
