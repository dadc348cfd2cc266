#!/usr/bin/env python3
"""The feed of a Veillée project written with python-feedgen (PyPI `feedgen`) and its podcast
extension, for benches/catalog.sh.

    python feed_feedgen.py PROJECT_DIR OUT.xml

Reads the same sources as `veillee build` (benches/feed_common.py) and writes every field feedgen
supports: channel title, link, atom:link self, description, language, copyright, generator,
lastBuildDate, pubDate, image, itunes author/owner/image/category/explicit/type/summary; per
episode title, link, guid, pubDate, description (the notes as HTML), content:encoded, enclosure
url, length and type, itunes title/summary/duration/episodeType/season/episode/explicit/image.
feedgen has no Podcasting 2.0 tags (transcript, chapters, person, location, soundbite…).
"""

import sys

from feedgen.feed import FeedGenerator

import feed_common


def main(root, out):
    show = feed_common.load(root)
    ch = show.channel
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title(ch["title"])
    # feedgen's RSS <link> is the last link given: the self link first.
    fg.link(href=show.feed_url, rel="self")
    fg.link(href=show.base_url + "/", rel="alternate")
    fg.description(ch["description"])
    fg.language(ch["language"])
    fg.copyright(ch["copyright"])
    fg.generator("feedgen")
    if show.episodes:
        fg.lastBuildDate(show.episodes[0].pub_date)
        fg.pubDate(show.episodes[0].pub_date)
    fg.image(url=show.cover_url, title=ch["title"], link=show.base_url + "/")
    fg.podcast.itunes_author(ch["author"])
    fg.podcast.itunes_owner(name=ch["owner"]["name"], email=ch["owner"]["email"])
    fg.podcast.itunes_image(show.cover_url)
    fg.podcast.itunes_category(ch["category"], ch.get("subcategory"))
    fg.podcast.itunes_explicit("yes" if ch.get("explicit") else "no")
    fg.podcast.itunes_type(ch.get("type", "episodic"))
    fg.podcast.itunes_summary(ch["description"])
    explicit_default = bool(ch.get("explicit", False))
    for e in show.episodes:
        fm = e.fm
        fe = fg.add_entry(order="append")
        fe.title(fm["title"])
        fe.link(href=e.link)
        fe.guid(fm["guid"], permalink=False)
        fe.pubDate(e.pub_date)
        fe.description(e.notes_html)
        fe.content(e.notes_html, type="CDATA")
        fe.enclosure(e.media_url, str(e.media_length), e.mime)
        it = fe.podcast
        it.itunes_title(fm["title"])
        it.itunes_summary(fm.get("summary") or e.first_paragraph)
        it.itunes_duration(e.duration)
        it.itunes_episode_type(fm.get("type", "full"))
        if "season" in fm:
            it.itunes_season(fm["season"])
        if "number" in fm:
            it.itunes_episode(fm["number"])
        it.itunes_explicit("yes" if fm.get("explicit", explicit_default) else "no")
        it.itunes_image(show.cover_url)
    fg.rss_file(out, pretty=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
