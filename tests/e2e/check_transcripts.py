#!/usr/bin/env python3
"""End-to-end checks of the transcripts Veillée publishes, against parsers that are not ours.

Run by tests/e2e/run (which installs the pinned parsers in tests/e2e/.venv) over built sites
(`--www LABEL=DIR`, DIR a build/current/www): the fixture show's, and the sample show's that
check_gpodder.sh built. For every episode with a transcript, `veillee build` writes four files under
www/transcripts/ and lists them in the feed. Groups:

- [transcripts] the feed lists, per item, exactly <slug>.vtt (text/vtt, rel="captions"), <slug>.srt
                (application/x-subrip, rel="captions"), <slug>.json (application/json) and
                <slug>.html (text/html), all with a language, all built files; and every file of
                www/transcripts is one of them.
- [json]        <slug>.json is a Podcast Index JSON transcript 1.0.0 (strict JSON: no NaN, no
                duplicate key): version "1.0.0", segments with numeric 0 <= startTime <= endTime in
                ascending order, non-empty body, optional non-empty speaker, no other key. It is the
                reference for the times of the other formats.
- [srt]         <slug>.srt as the `srt` package reads it (srt.parse(text, ignore_errors=False), which
                raises on anything it cannot match): UTF-8, indices 1..N, start <= end; cue count, first
                and last cue and every cue's times = the JSON segments (to the millisecond). The cues it
                read go into --write-model for check_transcripts.mjs, which compares the VTT with them.
- [html]        <slug>.html as html5lib reads it with strict=True (any HTML5 parse error fails):
                <html lang> = the feed's transcript language, links (resolved against the item's
                <link>: the pages link each other root-relative) to the episode page (the item's
                <link>) with #t=SECONDS, each at the start of a segment, in order; every segment's body
                is in the page's text.

Every check prints one line, `ok   [group] name` or `FAIL [group] name: why`; the last line is
`transcripts: N passed, M failed`. The exit code is 1 if any check failed or none ran.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import srt

sys.dont_write_bytecode = True  # importing check_feed must not leave a __pycache__ in tests/e2e
from check_feed import Checks, _assert  # noqa: E402 (the reporting of check_feed.py, shared)

PODCAST = "{https://podcastindex.org/namespace/1.0}"
ATOM = "{http://www.w3.org/2005/Atom}"
# What the feed states for each of the four files: (type, rel).
FORMATS = {
    "vtt": ("text/vtt", "captions"),
    "srt": ("application/x-subrip", "captions"),
    "json": ("application/json", None),
    "html": ("text/html", None),
}


def ms(seconds: float) -> int:
    return round(seconds * 1000)


def td_ms(td: dt.timedelta) -> int:
    return round(td / dt.timedelta(milliseconds=1))


def squash(s: str) -> str:
    return " ".join(s.split())


# ---------------------------------------------------------------- the feed's transcripts


def feed_transcripts(www: Path) -> tuple[str, dict[str, dict]]:
    """(feed language, {slug: {"link": item link, "tags": [attrs of each podcast:transcript]}}); the slug
    is the name of the files the tags point to."""
    root = ET.parse(www / "feed.xml").getroot()
    channel = root.find("channel")
    assert channel is not None, "no <channel>"
    self_links = [a.get("href") for a in channel.findall(f"{ATOM}link") if a.get("rel") == "self"]
    base = self_links[0].rsplit("/", 1)[0] if self_links else (channel.findtext("link") or "").rstrip("/")
    out: dict[str, dict] = {}
    for item in channel.findall("item"):
        tags = [dict(t.attrib) for t in item.findall(f"{PODCAST}transcript")]
        if not tags:
            continue
        for t in tags:
            url = t.get("url", "")
            assert url.startswith(base + "/transcripts/"), f"transcript URL {url} is not under {base}/transcripts/"
            t["file"] = urllib.parse.unquote(url[len(base) + len("/transcripts/") :])
        stems = {t["file"].rsplit(".", 1)[0] for t in tags}
        assert len(stems) == 1, f"item {item.findtext('guid')}: transcripts of several names {sorted(stems)}"
        slug = stems.pop()
        assert slug not in out, f"two items list transcripts/{slug}.*"
        out[slug] = {"link": (item.findtext("link") or "").strip(), "tags": tags}
    return (channel.findtext("language") or "").strip(), out


# ---------------------------------------------------------------- [json]


def strict_json(data: bytes):
    def no_constant(name):
        raise ValueError(f"{name} is not JSON")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"duplicate keys {dup}")
        return dict(pairs)

    return json.loads(data.decode("utf-8"), parse_constant=no_constant, object_pairs_hook=no_duplicates)


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_json(c: Checks, name: str, path: Path) -> list[dict] | None:
    """The segments if the file is a valid JSON transcript, else None."""
    g = "json"
    doc = None

    def parse():
        nonlocal doc
        doc = strict_json(path.read_bytes())
        assert isinstance(doc, dict), f"the document is a {type(doc).__name__}, not an object"

    c.check(g, f"{name}.json is strict UTF-8 JSON (no NaN/Infinity, no duplicate key)", parse)
    if doc is None:
        return None
    c.check(g, f"{name}.json: version \"1.0.0\", segments a non-empty list, no other key",
            lambda: _assert(doc.get("version") == "1.0.0" and isinstance(doc.get("segments"), list) and doc["segments"]
                            and set(doc) <= {"version", "segments"},
                            f"version {doc.get('version')!r}, keys {sorted(doc)}, {len(doc.get('segments') or [])} segments"))
    segments = doc.get("segments") if isinstance(doc.get("segments"), list) else []

    def segments_ok():
        bad = []
        for i, s in enumerate(segments):
            if not isinstance(s, dict):
                bad.append(f"#{i}: not an object")
                continue
            why = []
            if not set(s) <= {"speaker", "startTime", "endTime", "body"}:
                why.append(f"keys {sorted(s)}")
            if not (is_number(s.get("startTime")) and is_number(s.get("endTime"))):
                why.append(f"startTime {s.get('startTime')!r} endTime {s.get('endTime')!r} not numbers")
            elif not 0 <= s["startTime"] <= s["endTime"]:
                why.append(f"not 0 <= startTime {s['startTime']} <= endTime {s['endTime']}")
            if not (isinstance(s.get("body"), str) and s["body"].strip()):
                why.append(f"body {s.get('body')!r}")
            if "speaker" in s and not (isinstance(s["speaker"], str) and s["speaker"].strip()):
                why.append(f"speaker {s['speaker']!r}")
            if why:
                bad.append(f"#{i}: " + ", ".join(why))
        assert not bad, "; ".join(bad[:5]) + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else "")

    ok_before = c.failed
    c.check(g, f"{name}.json: every segment has numeric 0 <= startTime <= endTime, a non-empty body, an optional non-empty speaker",
            segments_ok)
    starts = [s.get("startTime") for s in segments if isinstance(s, dict)]
    c.check(g, f"{name}.json: segments in ascending startTime",
            lambda: _assert(all(is_number(a) and is_number(b) and a <= b for a, b in zip(starts, starts[1:])), f"startTime {starts}"))
    return segments if c.failed == ok_before else None


# ---------------------------------------------------------------- [srt]


def check_srt(c: Checks, name: str, path: Path, segments: list[dict] | None) -> list[list[int]] | None:
    """The cues srt read, as [start ms, end ms], or None if it rejected the file."""
    g = "srt"
    subs = None

    def parse():
        nonlocal subs
        text = path.read_bytes().decode("utf-8")  # strict: a byte that is not UTF-8 fails here
        subs = list(srt.parse(text, ignore_errors=False))
        assert subs, "no cue"

    c.check(g, f"{name}.srt is UTF-8 and srt.parse(ignore_errors=False) accepts it", parse)
    if subs is None:
        return None
    c.eq(g, f"{name}.srt: cue indices are 1..N", [s.index for s in subs], list(range(1, len(subs) + 1)))
    c.check(g, f"{name}.srt: every cue has start <= end, cues in ascending start",
            lambda: _assert(all(s.start <= s.end for s in subs) and all(a.start <= b.start for a, b in zip(subs, subs[1:])),
                            [(str(s.start), str(s.end)) for s in subs if s.start > s.end][:3] or "starts not ascending"))
    cues = [[td_ms(s.start), td_ms(s.end)] for s in subs]
    if segments is None:
        c.fail(g, f"{name}.srt: cue count and times = {name}.json", "no valid JSON transcript to compare with (see [json] and [transcripts])")
    else:
        want = [[ms(s["startTime"]), ms(s["endTime"])] for s in segments]
        c.eq(g, f"{name}.srt: cue count = {name}.json segment count", len(cues), len(want))
        c.eq(g, f"{name}.srt: first cue times (ms) = {name}.json first segment", lambda: cues[0], lambda: want[0])
        c.eq(g, f"{name}.srt: last cue times (ms) = {name}.json last segment", lambda: cues[-1], lambda: want[-1])
        c.eq(g, f"{name}.srt: every cue's times (ms) = {name}.json segments", cues, want)
    return cues


# ---------------------------------------------------------------- [html]


def check_html(c: Checks, name: str, path: Path, link: str, language: str | None, segments: list[dict] | None) -> None:
    g = "html"
    doc = None

    def parse():
        nonlocal doc
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            doc = parser.parse(path.read_bytes())
        except html5lib.html5parser.ParseError as e:
            (line, col), code, data = parser.errors[0] if parser.errors else ((0, 0), str(e), {})
            raise AssertionError(f"html5lib (strict) ParseError at line {line} column {col}: {code} {data or ''}".rstrip()) from None

    c.check(g, f"{name}.html parses with html5lib, strict=True (no HTML5 parse error)", parse)
    if doc is None:
        return
    c.eq(g, f"{name}.html: <html lang> = the feed's transcript language", lambda: doc.get("lang"), language)
    # Links between pages are root-relative (the site works on any host): resolved against the
    # item's own page URL, they must give that page.
    hrefs = [urllib.parse.urljoin(link or "", a.get("href") or "") for a in doc.iter("a")]
    deep = [h for h in hrefs if "#t=" in h]
    c.check(g, f"{name}.html links to the episode page {link} with #t=",
            lambda: _assert(link and any(h.startswith(link + "#t=") for h in deep), f"#t= links: {deep[:3]}"))
    c.check(g, f"{name}.html: every #t= link is the episode page at the start of a segment, in order",
            lambda: _check_times(deep, link, segments))

    def texts():
        assert segments is not None, "no valid JSON transcript to compare with (see [json] and [transcripts])"
        body = doc.find("body")
        page = squash("".join(body.itertext())) if body is not None else ""
        missing = [s["body"] for s in segments if squash(s["body"]) not in page]
        assert not missing, f"{len(missing)} segment(s) not in the page, first: {missing[0]!r}"

    c.check(g, f"{name}.html holds the body of every segment of {name}.json", texts)


def _check_times(deep: list[str], link: str, segments: list[dict] | None) -> None:
    assert deep, "no #t= link"
    assert segments is not None, "no valid JSON transcript to compare with (see [json] and [transcripts])"
    times = []
    for h in deep:
        page, _, t = h.partition("#t=")
        assert page == link, f"{h} is not a link to {link}"
        assert re.fullmatch(r"\d+(\.\d+)?", t), f"{h}: #t={t} is not seconds"
        times.append(float(t))
    assert times == sorted(times), f"#t= not in order: {times}"
    starts = [s["startTime"] for s in segments]
    off = [t for t in times if not any(math.floor(s) <= t <= s for s in starts)]
    assert not off, f"#t= {off} is not the (floored) start of any segment"


# ---------------------------------------------------------------- one site


def check_site(c: Checks, label: str, www: Path, model: list[dict]) -> None:
    if not (www / "feed.xml").is_file():
        c.fail("transcripts", f"{label}: a built site at {www}", "no feed.xml (did its build run?)")
        return
    parsed = None

    def parse():
        nonlocal parsed
        parsed = feed_transcripts(www)
        assert parsed[1], "no item lists a <podcast:transcript>"

    c.check("transcripts", f"{label}: the feed's <podcast:transcript> tags point into www/transcripts/, four files per item", parse)
    if parsed is None:
        return
    language, listed = parsed
    tdir = www / "transcripts"
    files = sorted(p.name for p in tdir.iterdir()) if tdir.is_dir() else []
    c.eq("transcripts", f"{label}: the files of www/transcripts are exactly the ones the feed lists", files,
         sorted(t["file"] for v in listed.values() for t in v["tags"]))

    for slug, entry in listed.items():
        name = f"{label}/{slug}"
        tags = entry["tags"]

        def formats(tags=tags, slug=slug):
            got = sorted((t["file"], t.get("type"), t.get("rel")) for t in tags)
            want = sorted((f"{slug}.{ext}", typ, rel) for ext, (typ, rel) in FORMATS.items())
            assert got == want, f"expected {want}, got {got}"
            langs = {t.get("language") for t in tags}
            assert len(langs) == 1 and all(langs), f"languages {langs}"
            missing = [t["file"] for t in tags if not (tdir / t["file"]).is_file()]
            assert not missing, f"not built: {missing}"

        c.check("transcripts", f"{name}: the item lists .vtt and .srt (rel=captions), .json and .html, one language, all built", formats)
        language_of = next((t.get("language") for t in tags), None) or language
        segments = check_json(c, name, tdir / f"{slug}.json") if (tdir / f"{slug}.json").is_file() else None
        cues = check_srt(c, name, tdir / f"{slug}.srt", segments) if (tdir / f"{slug}.srt").is_file() else None
        if (tdir / f"{slug}.html").is_file():
            check_html(c, name, tdir / f"{slug}.html", entry["link"], language_of, segments)
        model.append({"label": label, "slug": slug, "vtt": str(tdir / f"{slug}.vtt"), "json": str(tdir / f"{slug}.json"),
                      "srt": cues})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--www", action="append", required=True, metavar="LABEL=DIR", help="a built site (build/current/www); repeatable")
    ap.add_argument("--write-model", type=Path, help="write the transcripts and the SRT cues srt read here, for check_transcripts.mjs")
    args = ap.parse_args()

    c = Checks()
    model: list[dict] = []
    for spec in args.www:
        label, _, www = spec.partition("=")
        try:
            check_site(c, label, Path(www), model)
        except Exception as e:  # one site's crash is one failure; the others still run
            c.fail("transcripts", f"{label}: the remaining checks of this site", f"stopped by {type(e).__name__}: {e}")
    if args.write_model:
        args.write_model.write_text(json.dumps({"transcripts": model}, ensure_ascii=False, indent=1), encoding="utf-8")

    print(f"transcripts: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed or not c.passed else 0


if __name__ == "__main__":
    sys.exit(main())
