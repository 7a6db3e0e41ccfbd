-- Dashboard: claims per day by kind of source (named person or organisation, anonymous, pronoun, none).
SELECT dt, source_kind, count(*) AS claims
FROM claims
GROUP BY dt, source_kind
ORDER BY dt, claims DESC, source_kind;
