"""The claims explorer's data and its day report: who said what on a day, and about an entity.

``explore.data`` answers the questions of the day view and the entity view from the published
lake (each day as its manifest says); ``explore.html`` turns a day's answers into HTML, shared
by the UI's day page and the self-contained day report that publish writes beside the manifest.
Both sit below ``stages`` (publish writes the report) and above ``readers`` (the tables in DuckDB).
"""
