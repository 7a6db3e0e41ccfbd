"""Entity identity across articles and days: the lake's entity registry and the resolver behind it.

Extraction gives each article's canonical entities an id from their name and label, the same in
every shard and worker; here, once per day at publish, the day's entities are resolved against
the registry (every other day's decisions) so that "Donald J. Trump", "Trump" and "Donald Trump"
are one id, and the registry records what the day saw and decided (:mod:`.resolve` the rules,
:mod:`.files` the user's pins, splits and knowledge base, :mod:`.registry` the lake's side).
"""
