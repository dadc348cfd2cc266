#!/usr/bin/env python3
"""End-to-end checks of a built Veillée feed against code that is not ours.

Run by tests/e2e/run (which installs the pinned parsers in tests/e2e/.venv). Groups:

- [xml]           the feed as a strict XML parser (expat, via ElementTree) reads it: this is "what we
                  emit", the reference every other group compares against; it also writes that model
                  as JSON for check_feed.mjs (--write-model).
- [source]        what we emit against the show's sources (feed/channel.toml, episodes/*.md).
- [www]           every URL of the feed that points into the site resolves to a built file, and the
                  facts the feed states about those files are true (sizes, types, image size).
- [feedparser]    feedparser reads every tag we emit with our values.
- [podcastparser] gPodder's parser reads the feed served by `veillee serve` over HTTP on loopback;
                  [http] then downloads what it points at from the same server.

Every check prints one line, `ok   [group] name` or `FAIL [group] name: why`; the last line is
`python: N passed, M failed`. The exit code is 1 if any check failed.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import email.utils
import hashlib
import importlib.metadata
import io
import json
import os
import re
import struct
import sys
import tomllib
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
PREFIX_OF = {uri: prefix for prefix, uri in NAMESPACES.items()}
# ARCHITECTURE.md "URLs": the MIME types, the same in feed and server.
MEDIA_TYPES = {".mp3": {"audio/mpeg"}, ".m4a": {"audio/x-m4a"}, ".ogg": {"audio/ogg"}, ".opus": {"audio/opus"}, ".flac": {"audio/flac"}}
# Tags whose URLs come verbatim from channel.toml or the front matter (a funding page, a person's page,
# a licence, a sister show): they may point anywhere, even at pages of the same host that Veillée does
# not build, so [www] and [http] do not expect them to be built files.
USER_URL_TAGS = {"podcast:funding", "podcast:person", "podcast:license", "podcast:remoteItem"}


# ---------------------------------------------------------------- reporting


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def _ok(self, group: str, name: str) -> None:
        self.passed += 1
        print(f"ok   [{group}] {name}", flush=True)

    def _fail(self, group: str, name: str, why: str) -> None:
        self.failed += 1
        print(f"FAIL [{group}] {name}: {why}", flush=True)

    def check(self, group: str, name: str, fn) -> None:
        """fn() passes by returning; it fails by raising (AssertionError carries the reason)."""
        try:
            fn()
        except AssertionError as e:
            self._fail(group, name, str(e) or "assertion failed")
        except Exception as e:  # a parser that crashes or lacks a key is a failure, not a crash
            self._fail(group, name, f"{type(e).__name__}: {e}")
        else:
            self._ok(group, name)

    def eq(self, group: str, name: str, actual, expected) -> None:
        """actual and expected may be callables, evaluated inside the check, so that a missing key or
        tag on either side is this check's failure."""

        def run():
            got = actual() if callable(actual) else actual
            expected_ = expected() if callable(expected) else expected
            assert got == expected_, f"expected {expected_!r}, got {got!r}"

        self.check(group, name, run)

    def fail(self, group: str, name: str, why: str) -> None:
        self._fail(group, name, why)

    @contextlib.contextmanager
    def guard(self, group: str, name: str):
        """A block of checks that computes its expectations as it goes: if that computation fails
        (a tag the block relies on is missing, say), the block stops with one failure, and the
        checks after it still run."""
        try:
            yield
        except Exception as e:
            self._fail(group, f"{name}: the remaining checks of this block", f"stopped by {type(e).__name__}: {e}")


def note(text: str) -> None:
    print(f"note {text}", flush=True)


# ---------------------------------------------------------------- the feed as XML


def qname(tag: str) -> str:
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        prefix = PREFIX_OF.get(uri)
        return f"{prefix}:{local}" if prefix else tag
    return tag


def record(el: ET.Element) -> dict:
    return {
        "tag": qname(el.tag),
        "attrs": {qname(k): v for k, v in el.attrib.items()},
        "text": (el.text or "").strip(),
        "children": [record(c) for c in el],
    }


def xml_model(feed: bytes) -> dict:
    declared = {}
    for _event, (prefix, uri) in ET.iterparse(io.BytesIO(feed), events=("start-ns",)):
        declared[prefix] = uri
    root = ET.fromstring(feed)
    channel = root.find("channel")
    assert channel is not None, "no <channel>"
    return {
        "root": root.tag,
        "version": root.get("version"),
        "namespaces": declared,
        "channel": [record(c) for c in channel if c.tag != "item"],
        "items": [[record(c) for c in item] for item in channel.findall("item")],
    }


def walk(recs):
    for r in recs:
        yield r
        yield from walk(r["children"])


def all_of(recs, tag):
    return [r for r in recs if r["tag"] == tag]


def one(recs, tag):
    found = all_of(recs, tag)
    assert len(found) == 1, f"expected exactly one <{tag}>, found {len(found)}"
    return found[0]


def text(recs, tag):
    found = all_of(recs, tag)
    return found[0]["text"] if found else None


def has(recs, tag):
    return bool(all_of(recs, tag))


def rfc2822_utc(value: str) -> dt.datetime:
    parsed = email.utils.parsedate_to_datetime(value)
    assert parsed.tzinfo is not None, f"{value!r} has no zone"
    return parsed.astimezone(dt.timezone.utc)


def local_path(url: str, base: str, www: Path) -> Path | None:
    """The built file a site URL maps to (pages end with '/', served as their index.html)."""
    if not url.startswith(base + "/"):
        return None
    rel = urllib.parse.unquote(url[len(base) + 1 :].split("#", 1)[0].split("?", 1)[0])
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return www / rel


def image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i < len(data):
            while data[i] != 0xFF:
                i += 1
            marker = data[i + 1]
            i += 2
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                continue
            (length,) = struct.unpack(">H", data[i : i + 2])
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 3 : i + 7])
                return width, height
            i += length
    raise AssertionError("not a PNG or JPEG, or no size found")


# ---------------------------------------------------------------- the show's sources


def front_matter(path: Path) -> dict:
    content = path.read_text(encoding="utf-8")
    m = re.match(r"\+\+\+\n(.*?)\n\+\+\+\n", content, re.S)
    assert m, f"{path}: no +++ front matter"
    return tomllib.loads(m.group(1))


def published_episodes(show: Path, now: dt.datetime) -> list[tuple[str, dict]]:
    """The episodes the ledger (feed/archive.toml) says are out by `now`. Each one's "date" is
    replaced by its first publication date, which is what the feed must show."""
    ledger = show / "feed" / "archive.toml"
    entries = tomllib.loads(ledger.read_text(encoding="utf-8")).get("entry", []) if ledger.exists() else []
    first: dict[str, dt.datetime] = {}
    retracted: set[str] = set()
    for e in entries:
        first.setdefault(e["guid"], e["pub_date"])
        if e["action"] == "retract":
            retracted.add(e["guid"])
        elif e["action"] in ("publish", "new-version", "import"):
            retracted.discard(e["guid"])
    eps = []
    for md in sorted((show / "episodes").glob("*.md")):
        fm = front_matter(md)
        guid = fm["guid"]
        if guid not in first or guid in retracted or first[guid] > now:
            continue  # a draft, a retracted or a scheduled episode
        fm["date"] = first[guid]
        eps.append((md.stem, fm))
    return eps


def seconds(value) -> float:
    """'00:01.500', '1:02:03', 1, 1.5 -> seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    total = 0.0
    for part in str(value).split(":"):
        total = total * 60 + float(part)
    return total


def num(value: str) -> float:
    return float(value)


# ---------------------------------------------------------------- [xml] and [source]


def check_xml(c: Checks, model: dict) -> None:
    g = "xml"
    c.eq(g, "root is <rss version=\"2.0\">", (model["root"], model["version"]), ("rss", "2.0"))
    for prefix, uri in NAMESPACES.items():
        c.eq(g, f"xmlns:{prefix} is declared with the exact URI", lambda p=prefix: model["namespaces"].get(p), uri)
    c.check(g, "at least one <item>", lambda: _assert(model["items"], "no items"))
    guids = [text(it, "guid") for it in model["items"]]
    c.check(g, "item GUIDs are unique", lambda: _assert(len(set(guids)) == len(guids), f"duplicates in {guids}"))
    urls = [one(it, "enclosure")["attrs"].get("url") for it in model["items"] if has(it, "enclosure")]
    c.check(g, "enclosure URLs are unique", lambda: _assert(len(set(urls)) == len(urls), f"duplicates in {urls}"))


def _assert(cond, why):
    assert cond, why


def check_source(c: Checks, model: dict, show: Path, now: dt.datetime) -> None:
    g = "source"
    ch = model["channel"]
    chan = tomllib.loads((show / "feed" / "channel.toml").read_text(encoding="utf-8"))
    base = chan["base_url"].rstrip("/")

    simple = {"title": "title", "description": "description", "language": "language", "copyright": "copyright",
              "author": "itunes:author", "type": "itunes:type", "podcast_guid": "podcast:guid", "medium": "podcast:medium"}
    for key, tag in simple.items():
        if key in chan:
            c.eq(g, f"channel <{tag}> = channel.toml {key}", lambda t=tag: text(ch, t), chan[key])
    c.eq(g, "channel <link> = base_url + '/'", lambda: text(ch, "link"), base + "/")
    c.eq(g, "channel <atom:link rel=self> = base_url/feed.xml",
         lambda: [r["attrs"]["href"] for r in all_of(ch, "atom:link") if r["attrs"].get("rel") == "self"], [base + "/feed.xml"])
    if "explicit" in chan:
        c.eq(g, "channel <itunes:explicit> = channel.toml explicit", lambda: text(ch, "itunes:explicit"), "true" if chan["explicit"] else "false")
    if "owner" in chan:
        c.eq(g, "channel <itunes:owner> = channel.toml owner",
             lambda: {r["tag"]: r["text"] for r in one(ch, "itunes:owner")["children"]},
             {"itunes:name": chan["owner"]["name"], "itunes:email": chan["owner"]["email"]})
    if "category" in chan:
        want = [chan["category"]] + ([chan["subcategory"]] if chan.get("subcategory") else [])
        c.eq(g, "channel <itunes:category> = channel.toml category/subcategory",
             lambda: [r["attrs"]["text"] for r in walk(all_of(ch, "itunes:category"))], want)
    if "locked" in chan:
        c.eq(g, "channel <podcast:locked> = channel.toml locked, owner = owner email",
             lambda: (one(ch, "podcast:locked")["text"], one(ch, "podcast:locked")["attrs"].get("owner")),
             ("yes" if chan["locked"] else "no", chan.get("owner", {}).get("email")))
    if "license" in chan:
        c.eq(g, "channel <podcast:license> = channel.toml license",
             lambda: (one(ch, "podcast:license")["text"], one(ch, "podcast:license")["attrs"].get("url")),
             (chan["license"]["id"].lower(), chan["license"].get("url")))  # the spec wants it lower-cased
    if "funding" in chan:
        c.eq(g, "channel <podcast:funding> = channel.toml funding",
             lambda: [(r["attrs"]["url"], r["text"]) for r in all_of(ch, "podcast:funding")],
             [(f["url"], f["text"]) for f in chan["funding"]])
    if "hosts" in chan:
        c.eq(g, "channel <podcast:person> = channel.toml hosts",
             lambda: [(r["text"], r["attrs"].get("role", "host"), r["attrs"].get("href")) for r in all_of(ch, "podcast:person")],
             [(h["name"], h.get("role", "host"), h.get("href")) for h in chan["hosts"]])
    if "location" in chan:
        loc = chan["location"]
        c.eq(g, "channel <podcast:location> = channel.toml location",
             lambda: [(r["text"], r["attrs"].get("geo"), r["attrs"].get("country")) for r in all_of(ch, "podcast:location")],
             [(loc["name"], f"geo:{loc['lat']},{loc['lon']}", loc.get("country"))])
    if "update_frequency" in chan:
        uf = chan["update_frequency"]
        c.eq(g, "channel <podcast:updateFrequency> = channel.toml update_frequency",
             lambda: (one(ch, "podcast:updateFrequency")["text"], one(ch, "podcast:updateFrequency")["attrs"].get("rrule")),
             (uf["text"], uf.get("rrule")))
    if "podroll" in chan:
        c.eq(g, "channel <podcast:podroll> = channel.toml podroll",
             lambda: [(r["attrs"]["feedGuid"], r["attrs"].get("feedUrl"), r["attrs"].get("title"))
                      for r in one(ch, "podcast:podroll")["children"] if r["tag"] == "podcast:remoteItem"],
             [(p["feed_guid"], p.get("feed_url"), p.get("title")) for p in chan["podroll"]])
    if "txt" in chan:
        c.eq(g, "channel <podcast:txt> = channel.toml txt",
             lambda: [(r["attrs"].get("purpose"), r["text"]) for r in all_of(ch, "podcast:txt")],
             [(t.get("purpose"), t["value"]) for t in chan["txt"]])

    eps = published_episodes(show, now)
    items = {text(it, "guid"): it for it in model["items"]}
    c.eq(g, "the items are the episodes the ledger publishes by SOURCE_DATE_EPOCH (no draft, no scheduled)",
         lambda: sorted(items), sorted(fm["guid"] for _, fm in eps))
    dates = [rfc2822_utc(text(it, "pubDate")) for it in model["items"]]
    c.check(g, "items are ordered newest first", lambda: _assert(dates == sorted(dates, reverse=True), f"pubDates {dates}"))
    territory = {}
    for md in (show / "site" / "territories").glob("*.md"):
        territory[md.stem] = front_matter(md)
    partner_names = {md.stem: front_matter(md)["name"] for md in (show / "site" / "partners").glob("*.md")}

    for slug, fm in eps:
        with c.guard("source", slug):
            it = items.get(fm["guid"])
            if it is None:
                continue  # reported above
            g = f"source {slug}"
            c.eq(g, "<title> and <itunes:title> = front matter title", lambda it=it: (text(it, "title"), text(it, "itunes:title")), (fm["title"], fm["title"]))
            c.eq(g, "<guid isPermaLink=\"false\">", lambda it=it: one(it, "guid")["attrs"].get("isPermaLink"), "false")
            c.eq(g, "<itunes:author> = the names of its partners, else the show's author", lambda it=it: text(it, "itunes:author"),
                 ", ".join(partner_names[p] for p in fm.get("partners", [])) or chan["author"])
            c.eq(g, "<dc:creator> = <itunes:author> (general readers show it)", lambda it=it: text(it, "dc:creator"), text(it, "itunes:author"))
            c.eq(g, "<pubDate> = first publication date of the ledger, RFC 2822 in GMT with the right weekday", lambda it=it: text(it, "pubDate"),
                 email.utils.format_datetime(fm["date"].astimezone(dt.timezone.utc), usegmt=True))
            c.eq(g, "<link> = base_url/episodes/<slug>/", lambda it=it: text(it, "link"), f"{base}/episodes/{slug}/")
            c.check(g, "<enclosure url> = base_url/media/<slug>.<hash>.<ext>",
                    lambda it=it, slug=slug: _assert(re.fullmatch(re.escape(f"{base}/media/{slug}.") + r"[0-9a-f]+\.[a-z0-9]+",
                                                                  one(it, "enclosure")["attrs"]["url"]), one(it, "enclosure")["attrs"]["url"]))
            c.eq(g, "<itunes:episodeType> = front matter type (default full)", lambda it=it: text(it, "itunes:episodeType"), fm.get("type", "full"))
            c.eq(g, "<itunes:season> and <podcast:season> = front matter season",
                 lambda it=it: (text(it, "itunes:season"), text(it, "podcast:season")), (str(fm["season"]),) * 2 if "season" in fm else (None, None))
            c.eq(g, "<itunes:episode> and <podcast:episode> = front matter number",
                 lambda it=it: (text(it, "itunes:episode"), text(it, "podcast:episode")), (str(fm["number"]),) * 2 if "number" in fm else (None, None))
            explicit = fm.get("explicit", chan.get("explicit", False))
            c.eq(g, "<itunes:explicit> = front matter explicit", lambda it=it: text(it, "itunes:explicit"), "true" if explicit else "false")
            if "summary" in fm:
                c.eq(g, "<itunes:summary> = front matter summary", lambda it=it: text(it, "itunes:summary"), fm["summary"])
            c.check(g, "<itunes:duration> is whole seconds", lambda it=it: _assert(re.fullmatch(r"\d+", text(it, "itunes:duration") or ""), text(it, "itunes:duration")))
            c.check(g, "<description> and <content:encoded> hold the show notes (no <script>)",
                    lambda it=it: _assert(text(it, "description") and text(it, "content:encoded") and "<script" not in text(it, "description") + text(it, "content:encoded"),
                                          "empty, or a <script> got through"))
            c.check(g, "<description> holds only the tags Apple allows (p, ol, ul, li, a), as html5lib parses it",
                    lambda it=it: _assert(not (bad := html_tags(text(it, "description")) - {"p", "ol", "ul", "li", "a"}), f"also {sorted(bad)}"))
            persons = fm.get("persons", chan.get("hosts", []))
            c.eq(g, "<podcast:person> = front matter persons (item persons restate the host)",
                 lambda it=it: [(r["text"], r["attrs"].get("role", "host")) for r in all_of(it, "podcast:person")],
                 [(p["name"], p.get("role", "host")) for p in persons])
            for p in persons:
                if "href" in p:
                    c.eq(g, f"<podcast:person> {p['name']} href", lambda it=it, p=p: [r["attrs"].get("href") for r in all_of(it, "podcast:person") if r["text"] == p["name"]], [p["href"]])
            if "soundbites" in fm:
                c.eq(g, "<podcast:soundbite> = front matter soundbites",
                     lambda it=it: [(num(r["attrs"]["startTime"]), num(r["attrs"]["duration"]), r["text"]) for r in all_of(it, "podcast:soundbite")],
                     [(seconds(s["start"]), seconds(s["duration"]), s.get("title", "")) for s in fm["soundbites"]])
            if fm.get("territories"):
                c.eq(g, "<podcast:location> = front matter territories, in order",
                     lambda it=it, fm=fm: [(r["text"], r["attrs"].get("geo")) for r in all_of(it, "podcast:location")],
                     [(territory[t]["name"], f"geo:{territory[t]['lat']},{territory[t]['lon']}") for t in fm["territories"]])
            c.eq(g, "<podcast:chapters> present iff the front matter has chapters",
                 lambda it=it: has(it, "podcast:chapters"), bool(fm.get("chapters")))
            has_vtt = (show / "transcripts" / f"{slug}.vtt").exists()
            c.eq(g, "<podcast:transcript type=\"text/vtt\"> present iff transcripts/<slug>.vtt exists",
                 lambda it=it: [r["attrs"].get("type") for r in all_of(it, "podcast:transcript") if r["attrs"].get("type") == "text/vtt"],
                 ["text/vtt"] if has_vtt else [])

    trailers = [(fm, slug) for slug, fm in eps if fm.get("type") == "trailer"]
    if trailers or has(ch, "podcast:trailer"):
        c.eq("source", "channel <podcast:trailer> = the published trailer episodes (title, pubdate, url, length, type)",
             lambda: sorted((r["text"], r["attrs"].get("pubdate"), r["attrs"].get("url"), r["attrs"].get("length"), r["attrs"].get("type"))
                            for r in all_of(ch, "podcast:trailer")),
             sorted((fm["title"], text(items[fm["guid"]], "pubDate"), *(one(items[fm["guid"]], "enclosure")["attrs"].get(k) for k in ("url", "length", "type")))
                    for fm, _ in trailers if fm["guid"] in items))


# ---------------------------------------------------------------- [www]


def site_urls(model: dict) -> list[tuple[str, str, str | None]]:
    """(where, url, stated type) for every URL the feed states about the site itself."""
    out = []
    for r in walk(model["channel"]):
        if r["tag"] in USER_URL_TAGS:
            continue
        for attr in ("href", "url"):
            if attr in r["attrs"]:
                out.append((f"channel <{r['tag']} {attr}>", r["attrs"][attr], r["attrs"].get("type")))
        if r["tag"] in ("link", "url"):
            out.append((f"channel <{r['tag']}>", r["text"], None))
    for i, it in enumerate(model["items"]):
        for r in walk(it):
            if r["tag"] in USER_URL_TAGS:
                continue
            for attr in ("href", "url", "uri"):
                if attr in r["attrs"]:
                    out.append((f"item {i + 1} <{r['tag']} {attr}>", r["attrs"][attr], r["attrs"].get("type")))
            if r["tag"] == "link":
                out.append((f"item {i + 1} <link>", r["text"], None))
    return out


def check_www(c: Checks, model: dict, www: Path, base: str) -> None:
    g = "www"
    seen = set()
    for where, url, _type in site_urls(model):
        path = local_path(url, base, www)
        if path is None or url in seen:
            continue  # off-site (a CDN, say), or already checked
        seen.add(url)
        c.check(g, f"{where} {url} is a built file", lambda p=path: _assert(p.is_file(), f"{p} does not exist"))
    enclosures = [one(it, "enclosure")["attrs"] for it in model["items"] if has(it, "enclosure")]
    # The light versions: the alternateEnclosures that are not the enclosure itself.
    lights = [
        (alt, one(alt["children"], "podcast:source")["attrs"]["uri"])
        for it in model["items"]
        for alt in all_of(it, "podcast:alternateEnclosure")
        if one(alt["children"], "podcast:source")["attrs"]["uri"] != one(it, "enclosure")["attrs"]["url"]
    ]
    media = sorted(p.name for p in (www / "media").iterdir()) if (www / "media").is_dir() else []
    c.eq(g, "every file in www/media is the enclosure or the light version of exactly one item",
         sorted(urllib.parse.unquote(u.rsplit("/", 1)[-1]) for u in [e["url"] for e in enclosures] + [u for _, u in lights]), media)
    for alt, uri in lights:
        path = local_path(uri, base, www)
        if path is None or not path.is_file():
            continue
        data = path.read_bytes()
        sri = "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
        integrity = [r["attrs"] for r in alt["children"] if r["tag"] == "podcast:integrity"]
        c.eq(g, f"light version {path.name}: length = the file's size, podcast:integrity = its SHA-256",
             (int(alt["attrs"]["length"]), integrity), (len(data), [{"type": "sri", "value": sri}]))
    for e in enclosures:
        name = e["url"].rsplit("/", 1)[-1]
        ext = os.path.splitext(name)[1].lower()
        c.check(g, f"enclosure {name} type {e.get('type')} fits its extension",
                lambda e=e, ext=ext: _assert(e.get("type") in MEDIA_TYPES.get(ext, set()), f"{ext} wants one of {sorted(MEDIA_TYPES.get(ext, []))}"))
        c.check(g, f"enclosure {name} URL is ASCII", lambda e=e: _assert(e["url"].isascii(), e["url"]))
    for r in all_of(model["channel"], "podcast:image") + all_of(model["channel"], "itunes:image"):
        href = r["attrs"]["href"]
        path = local_path(href, base, www)
        if path is None or not path.is_file():
            continue
        data = path.read_bytes()
        if r["tag"] == "podcast:image" and ("width" in r["attrs"] or "height" in r["attrs"]):
            c.eq(g, f"<podcast:image> width/height = the real size of {path.name}",
                 lambda r=r, data=data: image_size(data), (int(r["attrs"].get("width", 0)), int(r["attrs"].get("height", 0))))
        if r["tag"] == "itunes:image":
            c.check(g, f"<itunes:image> {path.name} is a square JPEG/PNG of 1400-3000 px",
                    lambda data=data: _assert((lambda w, h: w == h and 1400 <= w <= 3000)(*image_size(data)), f"size {image_size(data)}"))
    for it in model["items"]:
        for r in all_of(it, "podcast:chapters"):
            path = local_path(r["attrs"]["url"], base, www)
            if path is None or not path.is_file():
                continue

            def chapters_ok(path=path):
                doc = json.loads(path.read_text(encoding="utf-8"))
                assert isinstance(doc.get("version"), str) and doc["version"].startswith("1.2"), f"version {doc.get('version')!r}"
                starts = [ch["startTime"] for ch in doc["chapters"]]
                assert starts == sorted(starts), f"startTime not ascending: {starts}"

            c.check(g, f"{path.name} is JSON Chapters 1.2 in ascending startTime", chapters_ok)


# ---------------------------------------------------------------- [feedparser]

def html_tags(fragment: str) -> set[str]:
    """The elements of an HTML fragment, as html5lib (the parser browsers agree with) reads it."""
    import html5lib

    root = html5lib.parseFragment(fragment or "", namespaceHTMLElements=False)
    return {e.tag for e in root.iter() if isinstance(e.tag, str) and e.tag != "DOCUMENT_FRAGMENT"}


FEEDPARSER_CHANNEL_TAGS = {"title", "link", "atom:link", "description", "language", "copyright", "generator", "lastBuildDate",
                           "pubDate", "image", "itunes:author", "itunes:owner", "itunes:image", "itunes:category",
                           "itunes:explicit", "itunes:type"}
FEEDPARSER_ITEM_TAGS = {"title", "link", "guid", "pubDate", "description", "content:encoded", "enclosure", "itunes:title", "itunes:author", "dc:creator",
                        "itunes:summary", "itunes:duration", "itunes:episodeType", "itunes:season", "itunes:episode",
                        "itunes:explicit", "itunes:image"}


def feedparser_podcast_tags(c: Checks, g: str, where: str, parsed: dict, recs: list) -> None:
    """feedparser exposes a podcast:X tag as the key podcast_x. It keeps only the LAST of repeated tags,
    lowercases attribute names, and drops the text of a tag that has attributes: so a tag with
    attributes is checked on its attributes, a tag without on its text."""
    last = {}
    for r in walk(recs):
        if r["tag"].startswith("podcast:"):
            last[r["tag"]] = r
    for tag, r in last.items():
        key = "podcast_" + tag.split(":", 1)[1].lower()
        if r["attrs"]:
            expected = {k.lower(): v for k, v in r["attrs"].items()}
            c.eq(g, f"{where} <{tag}> attributes (last one)", lambda key=key: dict(parsed[key]), expected)
        else:
            c.eq(g, f"{where} <{tag}> text", lambda key=key: parsed[key], r["text"])


def feedparser_explicit(value: str):
    # feedparser maps only 'yes' -> True and 'clean' -> False; Apple's 'true'/'false' become None.
    return {"yes": True, "clean": False}.get(value)


def check_feedparser(c: Checks, model: dict, feed_path: Path, www: Path, base: str) -> None:
    import feedparser

    g = "feedparser"
    d = feedparser.parse(str(feed_path))
    c.check(g, "not bozo (well-formed, no encoding trouble)", lambda: _assert(not d.bozo, repr(d.get("bozo_exception"))))
    c.eq(g, "version rss20", lambda: d.version, "rss20")
    c.eq(g, "podcast namespace is the canonical URI", lambda: d.namespaces.get("podcast"), NAMESPACES["podcast"])
    for prefix in ("itunes", "content", "atom"):
        c.check(g, f"{prefix} namespace seen", lambda p=prefix: _assert(NAMESPACES[p] in d.namespaces.values(), f"{d.namespaces}"))

    ch, f = model["channel"], d.feed
    c.eq(g, "channel title", lambda: f.title, text(ch, "title"))
    c.eq(g, "channel link", lambda: f.link, text(ch, "link"))
    c.eq(g, "channel description", lambda: f.subtitle, text(ch, "description"))
    c.eq(g, "channel language", lambda: f.language, text(ch, "language"))
    c.eq(g, "channel copyright", lambda: f.rights, text(ch, "copyright"))
    c.eq(g, "channel generator", lambda: f.generator, text(ch, "generator"))
    c.eq(g, "channel pubDate", lambda: f.published, text(ch, "pubDate"))
    c.eq(g, "channel lastBuildDate", lambda: f.updated, text(ch, "lastBuildDate"))
    c.eq(g, "channel atom:link rel=self", lambda: [l.href for l in f.links if l.rel == "self"],
         [r["attrs"]["href"] for r in all_of(ch, "atom:link") if r["attrs"].get("rel") == "self"])
    c.eq(g, "channel image (itunes:image href)", lambda: f.image.href, lambda: one(ch, "itunes:image")["attrs"]["href"])
    if has(ch, "image"):
        c.eq(g, "channel <image><url> is the itunes:image too", lambda: text(one(ch, "image")["children"], "url"), lambda: one(ch, "itunes:image")["attrs"]["href"])
    c.eq(g, "channel itunes:author", lambda: f.author, text(ch, "itunes:author"))
    owner = lambda: {r["tag"]: r["text"] for r in one(ch, "itunes:owner")["children"]}
    c.eq(g, "channel itunes:owner email", lambda: f.publisher_detail.email, lambda: owner().get("itunes:email"))
    c.eq(g, "channel itunes:owner name", lambda: f.publisher_detail.name, lambda: owner().get("itunes:name"))
    c.eq(g, "channel itunes:category (with subcategory)", lambda: [t.term for t in f.tags if t.scheme == "http://www.itunes.com/"],
         [r["attrs"]["text"] for r in walk(all_of(ch, "itunes:category"))])
    c.eq(g, f"channel itunes:explicit ({text(ch, 'itunes:explicit')!r}; feedparser maps only yes/clean)",
         lambda: f.itunes_explicit, feedparser_explicit(text(ch, "itunes:explicit")))
    c.eq(g, "channel itunes:type", lambda: f.itunes_type, text(ch, "itunes:type"))
    feedparser_podcast_tags(c, g, "channel", f, ch)
    for r in ch:
        if r["tag"] not in FEEDPARSER_CHANNEL_TAGS and not r["tag"].startswith("podcast:"):
            c.fail(g, f"channel <{r['tag']}> is checked", "we emit it but no feedparser check covers it: add one")

    c.eq(g, "item count", lambda: len(d.entries), len(model["items"]))
    c.eq(g, "items in feed order (by guid)", lambda: [e.get("id") for e in d.entries], [text(it, "guid") for it in model["items"]])
    by_id = {e.get("id"): e for e in d.entries}
    for i, it in enumerate(model["items"]):
        with c.guard(g, f"item {i + 1}"):
            w = f"item {i + 1}"
            e = by_id.get(text(it, "guid"))
            if e is None:
                c.fail(g, f"{w} found", f"no entry with id {text(it, 'guid')!r}")
                continue
            guid = one(it, "guid")
            c.eq(g, f"{w} guid", lambda e=e: e.id, guid["text"])
            c.eq(g, f"{w} guid isPermaLink", lambda e=e: e.guidislink, guid["attrs"].get("isPermaLink", "true") == "true")
            c.eq(g, f"{w} title", lambda e=e: e.title, text(it, "title"))
            c.eq(g, f"{w} link", lambda e=e: e.link, text(it, "link"))
            c.eq(g, f"{w} pubDate", lambda e=e: e.published, text(it, "pubDate"))
            c.eq(g, f"{w} pubDate parsed", lambda e=e: tuple(e.published_parsed)[:6], rfc2822_utc(text(it, "pubDate")).timetuple()[:6])
            enc = one(it, "enclosure")["attrs"]
            path = local_path(enc["url"], base, www)
            real_size = str(path.stat().st_size) if path and path.is_file() else f"<no file for {enc['url']}>"
            encs = lambda e=e: [l for l in e.links if l.rel == "enclosure"]
            c.eq(g, f"{w} one enclosure", lambda encs=encs: len(encs()), 1)
            c.eq(g, f"{w} enclosure url", lambda encs=encs: encs()[0].href, enc["url"])
            c.eq(g, f"{w} enclosure length = size of the file in www/media", lambda encs=encs: encs()[0].length, real_size)
            c.eq(g, f"{w} enclosure type", lambda encs=encs: encs()[0].type, enc["type"])
            c.eq(g, f"{w} content:encoded", lambda e=e: (e.content[0].type, e.content[0].value), ("text/html", text(it, "content:encoded")))
            # feedparser keeps one summary: itunes:summary (later in the item) overrides the description.
            c.eq(g, f"{w} summary", lambda e=e: e.summary, text(it, "itunes:summary") or text(it, "description"))
            c.eq(g, f"{w} itunes:title", lambda e=e: e.itunes_title, text(it, "itunes:title"))
            c.eq(g, f"{w} author (itunes:author)", lambda e=e: e.author, text(it, "itunes:author"))
            # feedparser lists both tags as authors: each must be the one name.
            c.eq(g, f"{w} authors (itunes:author and dc:creator, the same name)", lambda e=e: {a.get("name") for a in e.authors}, {text(it, "dc:creator")})
            c.eq(g, f"{w} itunes:duration", lambda e=e: e.itunes_duration, text(it, "itunes:duration"))
            c.eq(g, f"{w} itunes:episodeType", lambda e=e: e.itunes_episodetype, text(it, "itunes:episodeType"))
            for tag, key in (("itunes:season", "itunes_season"), ("itunes:episode", "itunes_episode")):
                c.eq(g, f"{w} {tag}" + ("" if has(it, tag) else " (not emitted: absent)"), lambda e=e, key=key: e.get(key), text(it, tag))
            c.eq(g, f"{w} itunes:explicit ({text(it, 'itunes:explicit')!r})", lambda e=e: e.itunes_explicit, feedparser_explicit(text(it, "itunes:explicit")))
            if has(it, "itunes:image"):
                c.eq(g, f"{w} itunes:image href", lambda e=e: e.image.href, one(it, "itunes:image")["attrs"]["href"])
            feedparser_podcast_tags(c, g, w, e, it)
            for r in it:
                if r["tag"] not in FEEDPARSER_ITEM_TAGS and not r["tag"].startswith("podcast:"):
                    c.fail(g, f"{w} <{r['tag']}> is checked", "we emit it but no feedparser check covers it: add one")


# ---------------------------------------------------------------- [podcastparser] and [http], over loopback


def loopback_opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str, headers: dict | None = None):
    host = urllib.parse.urlsplit(url).hostname
    assert host in ("127.0.0.1", "localhost", "::1"), f"refusing to fetch non-loopback {url}"
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with loopback_opener().open(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def media_type(header: str | None) -> str | None:
    return header.split(";", 1)[0].strip().lower() if header else None


def check_podcastparser(c: Checks, served_url: str, served_www: Path, built_feed: bytes, built_base: str) -> None:
    import podcastparser

    g = "podcastparser"
    origin = served_url.rstrip("/")
    feed_url = origin + "/feed.xml"
    status, headers, body = fetch(feed_url)
    c.eq("http", "GET /feed.xml status", status, 200)
    c.check("http", "GET /feed.xml Content-Type is application/rss+xml or application/xml",
            lambda: _assert(media_type(headers.get("content-type")) in ("application/rss+xml", "application/xml"), headers.get("content-type")))
    c.check("http", "GET /feed.xml body = www/feed.xml of the served build",
            lambda: _assert(body == (served_www / "feed.xml").read_bytes(), f"{len(body)} bytes served"))
    c.check("http", "the served feed = the built feed, but for the base URL",
            lambda: _assert(body.replace(origin.encode(), built_base.encode()) == built_feed,
                            _first_diff(body.replace(origin.encode(), built_base.encode()), built_feed)))
    model = xml_model(body)
    items = {text(it, "guid"): it for it in model["items"]}
    ch = model["channel"]

    p = podcastparser.parse(feed_url, io.BytesIO(body))
    c.eq(g, "channel title", lambda: p["title"], text(ch, "title"))
    c.eq(g, "channel link", lambda: p["link"], text(ch, "link"))
    c.eq(g, "channel description", lambda: p["description"], text(ch, "description"))
    c.eq(g, "channel language", lambda: p["language"], text(ch, "language"))
    c.eq(g, "channel generator", lambda: p["generator"], text(ch, "generator"))
    c.eq(g, "channel itunes:author", lambda: p["itunes_author"], text(ch, "itunes:author"))
    c.eq(g, "channel itunes:owner", lambda: p["itunes_owner"],
         lambda: {r["tag"].split(":")[1]: r["text"] for r in one(ch, "itunes:owner")["children"]})
    c.eq(g, "channel itunes:category", lambda: p["itunes_categories"],
         [[r["attrs"]["text"]] + [s["attrs"]["text"] for s in r["children"]] for r in all_of(ch, "itunes:category")])
    c.eq(g, "channel cover (itunes:image)", lambda: p["cover_url"], lambda: one(ch, "itunes:image")["attrs"]["href"])
    c.eq(g, "channel explicit", lambda: p["explicit"], text(ch, "itunes:explicit") in ("true", "yes"))
    c.eq(g, "channel itunes:type", lambda: p["type"], text(ch, "itunes:type"))
    eps = p.get("episodes", [])
    c.eq(g, "episode count", len(eps), len(model["items"]))
    c.eq(g, "episode GUIDs", sorted(e.get("guid") for e in eps), sorted(items))
    for e in eps:
        with c.guard(g, f"episode {e.get('guid')}"):
            it = items.get(e.get("guid"))
            if it is None:
                continue
            w = f"episode {e['guid']}"
            enc = one(it, "enclosure")["attrs"]
            path = local_path(enc["url"], origin, served_www)
            real_size = path.stat().st_size if path and path.is_file() else f"<no file for {enc['url']}>"
            c.eq(g, f"{w} title", lambda e=e: e["title"], text(it, "title"))
            c.eq(g, f"{w} link", lambda e=e: e["link"], text(it, "link"))
            c.eq(g, f"{w} published", lambda e=e: e["published"], int(rfc2822_utc(text(it, "pubDate")).timestamp()))
            c.eq(g, f"{w} total_time = itunes:duration", lambda e=e: e["total_time"], int(text(it, "itunes:duration")))
            c.eq(g, f"{w} explicit", lambda e=e: e["explicit"], text(it, "itunes:explicit") in ("true", "yes"))
            c.eq(g, f"{w} episodeType", lambda e=e: e["type"], text(it, "itunes:episodeType"))
            absent = lambda tag, it=it: "" if has(it, tag) else " (not emitted: absent)"
            c.eq(g, f"{w} season{absent('itunes:season')}", lambda e=e: e.get("season"), int(text(it, "itunes:season")) if has(it, "itunes:season") else None)
            c.eq(g, f"{w} number{absent('itunes:episode')}", lambda e=e: e.get("number"), int(text(it, "itunes:episode")) if has(it, "itunes:episode") else None)
            c.eq(g, f"{w} episode art", lambda e=e: e.get("episode_art_url"), one(it, "itunes:image")["attrs"]["href"] if has(it, "itunes:image") else None)
            c.eq(g, f"{w} description_html = content:encoded", lambda e=e: e["description_html"], text(it, "content:encoded"))
            c.eq(g, f"{w} one enclosure", lambda e=e: len(e["enclosures"]), 1)
            c.eq(g, f"{w} enclosure url", lambda e=e: e["enclosures"][0]["url"], enc["url"])
            c.eq(g, f"{w} enclosure file_size = size of the served file", lambda e=e: e["enclosures"][0]["file_size"], real_size)
            c.eq(g, f"{w} enclosure mime_type", lambda e=e: e["enclosures"][0]["mime_type"], enc["type"])
            if path and path.is_file():
                check_download(c, enc["url"], enc["type"], path)
    note("podcastparser (gPodder) maps only the legacy podcast namespace URI, so it ignores every podcast:* tag "
         "under the canonical https://podcastindex.org/namespace/1.0 (known client limitation; not checked here)")

    # Everything else the served feed points at on the same server: pages, transcripts, chapters, images.
    seen = {one(it, "enclosure")["attrs"]["url"] for it in model["items"]}
    for where, url, stated in site_urls(model):
        path = local_path(url, origin, served_www)
        if path is None or url in seen:
            continue
        seen.add(url)
        status, headers, body = fetch(url)
        c.check("http", f"GET {url[len(origin):]} ({where})", lambda status=status, headers=headers, body=body, path=path, stated=stated:
                _check_response(status, headers, body, path, stated))
        if "/transcripts/" in url or "/chapters/" in url:
            c.eq("http", f"GET {url[len(origin):]} has Access-Control-Allow-Origin: *", headers.get("access-control-allow-origin"), "*")


def _check_response(status, headers, body, path, stated):
    assert status == 200, f"status {status}"
    assert body == path.read_bytes(), f"body ({len(body)} bytes) differs from {path}"
    if stated:
        got = media_type(headers.get("content-type"))
        assert got == stated.lower(), f"Content-Type {headers.get('content-type')!r}, the feed says {stated!r}"


def check_download(c: Checks, url: str, stated_type: str, path: Path) -> None:
    g = "http"
    name = url.rsplit("/", 1)[-1]
    data = path.read_bytes()
    status, headers, body = fetch(url)
    c.eq(g, f"GET {name} status", status, 200)
    c.eq(g, f"GET {name} Content-Type = the enclosure type", media_type(headers.get("content-type")), stated_type)
    c.check(g, f"GET {name} is byte-identical to the file ({len(data)} bytes)", lambda: _assert(body == data, f"got {len(body)} bytes"))
    status, headers, body = fetch(url, {"Range": "bytes=0-99"})
    c.eq(g, f"GET {name} Range: bytes=0-99 -> 206 with Content-Range",
         (status, headers.get("content-range"), body), (206, f"bytes 0-99/{len(data)}", data[:100]))


def _first_diff(a: bytes, b: bytes) -> str:
    al, bl = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
    for n, (x, y) in enumerate(zip(al, bl), 1):
        if x != y:
            return f"line {n}: served {x.strip()!r} vs built {y.strip()!r}"
    return f"served has {len(al)} lines, built {len(bl)}"


# ---------------------------------------------------------------- main


def pinned_versions(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip()] = version.strip()
    return pins


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", type=Path, required=True, help="the show built by `veillee build` (the fixture copy)")
    ap.add_argument("--www", type=Path, required=True, help="its build/current/www")
    ap.add_argument("--served-url", help="http://127.0.0.1:PORT/ of `veillee serve` (another copy of the show)")
    ap.add_argument("--served-www", type=Path, help="the www directory that server serves")
    ap.add_argument("--write-model", type=Path, help="write the [xml] model of www/feed.xml here, for check_feed.mjs")
    args = ap.parse_args()

    c = Checks()
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))
    now = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    for name, version in pinned_versions(Path(__file__).with_name("requirements.txt")).items():
        c.eq("env", f"{name} is the pinned {version}", lambda n=name: importlib.metadata.version(n), version)

    feed_path = args.www / "feed.xml"
    feed = feed_path.read_bytes()
    try:
        model = xml_model(feed)
    except Exception as e:
        c.fail("xml", "www/feed.xml parses as XML", f"{type(e).__name__}: {e}")
        print(f"python: {c.passed} passed, {c.failed} failed")
        return 1
    c.eq("xml", "www/feed.xml parses as XML", True, True)
    self_links = [r["attrs"]["href"] for r in all_of(model["channel"], "atom:link") if r["attrs"].get("rel") == "self"]
    base = (self_links[0].rsplit("/", 1)[0] if self_links else (text(model["channel"], "link") or "").rstrip("/"))
    if args.write_model:
        sizes = {}
        for p in sorted(args.www.rglob("*")):
            if p.is_file():
                sizes[base + "/" + urllib.parse.quote(p.relative_to(args.www).as_posix())] = p.stat().st_size
        args.write_model.write_text(json.dumps({**model, "base": base, "files": sizes}, ensure_ascii=False, indent=1), encoding="utf-8")

    with c.guard("xml", "[xml]"):
        check_xml(c, model)
    with c.guard("source", "[source]"):
        check_source(c, model, args.show, now)
    with c.guard("www", "[www]"):
        check_www(c, model, args.www, base)
    with c.guard("feedparser", "[feedparser]"):
        check_feedparser(c, model, feed_path, args.www, base)
    if args.served_url:
        with c.guard("podcastparser", "[podcastparser] and [http]"):
            check_podcastparser(c, args.served_url, args.served_www, feed, base)
    else:
        c.fail("podcastparser", "served feed", "no --served-url given: the HTTP checks did not run")

    print(f"python: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed or not c.passed else 0


if __name__ == "__main__":
    sys.exit(main())
