"""Reads a Veillée project's sources the way a Python feed script would, for the comparison in
benches/catalog.sh: feed/channel.toml (tomllib), each episodes/*.md front matter (tomllib) and
its Markdown notes (PyPI `markdown`), the ledger feed/archive.toml for pub_date and the media's
name and length, and the audio's duration (tinytag, once per distinct audio file, as Veillée's
probe cache does). Only published episodes whose date has come are kept, newest first.
"""

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import markdown
from tinytag import TinyTag

MIME = {"mp3": "audio/mpeg", "m4a": "audio/x-m4a", "ogg": "audio/ogg", "opus": "audio/opus", "flac": "audio/flac"}


@dataclass
class Episode:
    slug: str
    fm: dict
    notes_html: str
    first_paragraph: str
    pub_date: datetime
    media_url: str
    media_length: int
    mime: str
    duration: int
    link: str
    transcript_url: str | None = None
    persons: list = field(default_factory=list)


@dataclass
class Show:
    channel: dict
    base_url: str
    cover_url: str
    feed_url: str
    episodes: list


def split_front_matter(text):
    lines = text.split("\n")
    if lines[0].rstrip() != "+++":
        raise ValueError("no front matter")
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "+++":
            return "\n".join(lines[1:i]) + "\n", "\n".join(lines[i + 1:])
    raise ValueError("unclosed front matter")


def load(root):
    root = Path(root)
    channel = tomllib.loads((root / "feed/channel.toml").read_text(encoding="utf-8"))
    base = channel["base_url"].rstrip("/")
    media_base = channel.get("media_base_url", base).rstrip("/")
    ledger = tomllib.loads((root / "feed/archive.toml").read_text(encoding="utf-8")).get("entry", [])
    records = {}
    for e in ledger:
        r = records.setdefault(e["guid"], {"pub_date": e["pub_date"], "current": e, "retracted": False})
        if e["action"] == "retract":
            r["retracted"] = True
        else:
            r["current"], r["retracted"] = e, False
    now = datetime.now(timezone.utc)
    durations = {}
    md = markdown.Markdown(extensions=[])
    episodes = []
    for path in sorted((root / "episodes").glob("*.md")):
        head, body = split_front_matter(path.read_text(encoding="utf-8"))
        fm = tomllib.loads(head)
        rec = records.get(fm["guid"].strip())
        if rec is None or rec["retracted"] or rec["pub_date"] > now:
            continue
        slug = path.stem
        audio = root / "episodes" / fm.get("audio", f"{slug}.mp3")
        if audio not in durations:
            durations[audio] = int(round(TinyTag.get(str(audio)).duration or 0))
        notes = body.strip()
        html = md.reset().convert(notes)
        first = notes.split("\n\n", 1)[0].replace("\n", " ")
        cur = rec["current"]
        ext = cur["media_name"].rsplit(".", 1)[-1]
        transcript = root / "transcripts" / f"{slug}.vtt"
        episodes.append(Episode(
            slug=slug,
            fm=fm,
            notes_html=html,
            first_paragraph=first,
            pub_date=rec["pub_date"],
            media_url=f"{media_base}/media/{cur['media_name']}",
            media_length=cur["media_length"],
            mime=MIME.get(ext, "audio/mpeg"),
            duration=durations[audio],
            link=f"{base}/episodes/{slug}/",
            transcript_url=f"{base}/transcripts/{slug}.vtt" if transcript.is_file() else None,
            persons=channel.get("hosts", []) + [p for p in fm.get("persons", []) if p not in channel.get("hosts", [])],
        ))
    episodes.sort(key=lambda e: (-e.pub_date.timestamp(), e.slug))
    return Show(
        channel=channel,
        base_url=base,
        cover_url=f"{base}/images/{channel.get('image', 'cover.jpg')}",
        feed_url=f"{base}/feed.xml",
        episodes=episodes,
    )
