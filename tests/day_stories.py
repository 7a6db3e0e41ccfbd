"""Stories dated across day boundaries, shared by the tests of which day an item belongs to
(``ingest/test_days.py``, ``ingest/test_feeds.py``): a story's text and an RSS feed of dated items."""

STORY = "The harbour master said on {when} that the {what} would stay closed until the storm had passed."


def rss(items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 feed of (guid, pubDate) items, each with its own text and address."""
    body = "".join(
        f"<item><guid>{guid}</guid><link>https://port.example/{guid}?utm_source=rss</link><pubDate>{date}</pubDate>"
        f"<description>{STORY.format(when=date, what=guid)}</description></item>"
        for guid, date in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Port</title>{body}</channel></rss>'.encode()
