#!/usr/bin/env python3
"""The feed of a Veillée project written with podgen (PyPI), for benches/catalog.sh.

    python feed_podgen.py PROJECT_DIR OUT.xml

Reads the same sources as `veillee build` (benches/feed_common.py) and writes every field podgen
supports: channel title, link, description, language, copyright, generator, lastBuildDate and
pubDate, image, itunes author/owner/image/category/explicit, feed URL (atom:link); per episode
title, link, guid, pubDate, description (the notes as HTML), content:encoded, enclosure url,
length and type, itunes duration, image, explicit, and the episode's persons as authors.
podgen 1.1 has no itunes:type, episodeType, season, episode number nor Podcasting 2.0 tags.
"""

import sys
from datetime import timedelta

import podgen

import feed_common


def main(root, out):
    show = feed_common.load(root)
    ch = show.channel
    newest = show.episodes[0].pub_date if show.episodes else None
    p = podgen.Podcast(
        name=ch["title"],
        description=ch["description"],
        website=show.base_url + "/",
        explicit=bool(ch.get("explicit", False)),
        language=ch["language"],
        copyright=ch["copyright"],
        image=show.cover_url,
        authors=[podgen.Person(ch["author"])],
        owner=podgen.Person(ch["owner"]["name"], ch["owner"]["email"]),
        category=podgen.Category(ch["category"], ch.get("subcategory")),
        feed_url=show.feed_url,
        generator="podgen",
        last_updated=newest,
        publication_date=newest,
    )
    explicit_default = bool(ch.get("explicit", False))
    for e in show.episodes:
        fm = e.fm
        p.episodes.append(podgen.Episode(
            title=fm["title"],
            link=e.link,
            id=fm["guid"],
            publication_date=e.pub_date,
            summary=e.notes_html,
            long_summary=e.notes_html,
            media=podgen.Media(e.media_url, e.media_length, e.mime, timedelta(seconds=e.duration)),
            image=show.cover_url,
            explicit=bool(fm.get("explicit", explicit_default)),
            subtitle=fm.get("summary") or e.first_paragraph,
            authors=[podgen.Person(x["name"]) for x in e.persons],
        ))
    p.rss_file(out, minimize=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
