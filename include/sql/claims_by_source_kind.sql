-- Dashboard: claims per day by kind of source (person, organisation, anonymous, group, document,
-- pronoun, other, none: claimflow.models.SOURCE_KINDS, described in docs/claims.md, "Source kinds").
SELECT dt, source_kind, count(*) AS claims
FROM claims
GROUP BY dt, source_kind
ORDER BY dt, claims DESC, source_kind;
