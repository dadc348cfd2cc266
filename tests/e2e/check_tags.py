#!/usr/bin/env python3
"""End-to-end checks of the ID3 tags Veillée writes on published MP3s, read by code that is not
ours: Python `mutagen` (PyPI) and `ffprobe -show_chapters -show_format` (Debian ffmpeg).

Run by tests/e2e/run over the fixture show it built (`--show DIR` the show, `--www DIR` its
build/current/www). For every MP3 enclosure of the feed (its source: the `audio` of the episode
file with the item's GUID, else the audio file named like it):

- [tags] mutagen reads an ID3v2.3 tag: TIT2 = the item's <title> (whole: the feed may cut it), TPE1 =
         <itunes:author>, TALB = the channel's <title>, TCON "Podcast", COMM in French, one APIC
         (JPEG, front cover), TLEN, a WXXX to the item's <link>; CTOC and one CHAP per chapter of
         the item's podcast:chapters JSON, with the same titles and start times, and a WXXX to
         the method page where the JSON has a url.
- [ffprobe] ffprobe lists the same chapters (start, end, title) and the title and album.
- [m4a] for an M4A enclosure: mutagen reads ©nam, ©ART, ©alb, ©gen and one JPEG covr; ffprobe lists
        the JSON's chapters (titles, starts); the AAC packets (ffmpeg -c copy) are the source's.
- [audio] the MPEG frames are the source's byte for byte (from the first frame after each tag to
          the end), and mutagen's length of the audio agrees with <itunes:duration> within a second.

Every check prints one line, `ok   [group] name` or `FAIL [group] name: why`; the last line is
`tags: N passed, M failed`. The exit code is 1 if any check failed or none ran.
"""
import argparse
import json
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import mutagen.id3
import mutagen.mp3
import mutagen.mp4

passed = failed = 0
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def check(group, name, ok, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   [{group}] {name}")
    else:
        failed += 1
        print(f"FAIL [{group}] {name}: {why}")


def frames(data: bytes) -> bytes:
    """The MPEG frames: after every leading ID3v2 tag, before an ID3v1 tag."""
    start = 0
    while data[start:start + 3] == b"ID3":
        size = 0
        for b in data[start + 6:start + 10]:
            size = (size << 7) | (b & 0x7F)
        start += 10 + size + (10 if data[start + 5] & 0x10 else 0)
    end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)
    return data[start:end]


def json_chapters(www: Path, item) -> list:
    el = item.find(f"{PODCAST}chapters")
    if el is None:
        return []
    return json.loads((www / el.get("url").split("/", 3)[3]).read_text())["chapters"]


def packets(path: Path) -> bytes:
    """The audio stream's packets, as ffmpeg demuxes them (no decoding)."""
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy", "-f", "data", "-"],
                          check=True, capture_output=True).stdout


def check_m4a(a, item, enc, show_title, sources) -> int:
    rel = enc.get("url").split("/media/", 1)[1]
    path = a.www / "media" / rel
    t = rel
    tags = mutagen.mp4.MP4(path).tags or {}
    first = lambda k: str(tags[k][0]) if k in tags else None  # noqa: E731
    check("m4a", f"{t}: ©nam is the episode's title", first("\xa9nam") is not None
          and first("\xa9nam").startswith(item.findtext("title").rstrip("…")), first("\xa9nam"))
    check("m4a", f"{t}: ©ART is itunes:author", first("\xa9ART") == item.findtext(f"{ITUNES}author"), first("\xa9ART"))
    check("m4a", f"{t}: ©alb is the show", first("\xa9alb") == show_title, first("\xa9alb"))
    check("m4a", f"{t}: ©gen Podcast", first("\xa9gen") == "Podcast", first("\xa9gen"))
    check("m4a", f"{t}: one JPEG cover", "covr" in tags and len(tags["covr"]) == 1
          and tags["covr"][0].imageformat == mutagen.mp4.MP4Cover.FORMAT_JPEG, str(tags.get("covr")))
    want = json_chapters(a.www, item)
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                                      check=True, capture_output=True, text=True).stdout)
    ff = probe.get("chapters", [])
    check("m4a", f"{t}: ffprobe lists the {len(want)} chapters, titles and starts", len(ff) == len(want) and all(
        c.get("tags", {}).get("title") == w["title"] and abs(float(c["start_time"]) - w["startTime"]) < 0.01
        for c, w in zip(ff, want)), str(ff))
    source = sources.get(item.findtext("guid"))
    check("m4a", f"{t}: the source's AAC packets byte for byte", source is not None and packets(path) == packets(source),
          str(source))
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=Path, required=True)
    ap.add_argument("--www", type=Path, required=True)
    a = ap.parse_args()
    feed = ET.parse(a.www / "feed.xml").getroot().find("channel")
    show_title = feed.findtext("title")
    sources = {}
    for md in (a.show / "episodes").glob("*.md"):
        front = md.read_text().split("+++")[1]
        fm = tomllib.loads(front)
        if "audio" in fm:
            sources[fm["guid"]] = a.show / "episodes" / fm["audio"]
        else:  # `<slug>.<ext>` next to `<slug>.md`
            sources[fm["guid"]] = next(p for p in md.parent.glob(md.stem + ".*") if p.suffix != ".md")
    seen = 0
    for item in feed.findall("item"):
        enc = item.find("enclosure")
        if enc.get("type") == "audio/x-m4a":
            seen += check_m4a(a, item, enc, show_title, sources)
            continue
        if enc.get("type") != "audio/mpeg":
            continue
        seen += 1
        rel = enc.get("url").split("/media/", 1)[1]
        path = a.www / "media" / rel
        data = path.read_bytes()
        guid = item.findtext("guid")
        t = f"{rel}"
        try:
            tag = mutagen.id3.ID3(path)
        except Exception as e:  # noqa: BLE001 - any failure to read is the finding
            check("tags", f"{t}: mutagen reads its ID3 tag", False, repr(e))
            continue
        check("tags", f"{t}: ID3v2.3", tag.version[:2] == (2, 3), str(tag.version))
        text = lambda fid: str(tag[fid].text[0]) if fid in tag else None  # noqa: E731
        check("tags", f"{t}: TIT2 is the episode's title", text("TIT2") is not None
              and text("TIT2").startswith(item.findtext("title").rstrip("…")), text("TIT2"))
        check("tags", f"{t}: TPE1 is itunes:author", text("TPE1") == item.findtext(f"{ITUNES}author"), text("TPE1"))
        check("tags", f"{t}: TALB is the show", text("TALB") == show_title, text("TALB"))
        check("tags", f"{t}: TCON Podcast", text("TCON") == "Podcast", text("TCON"))
        comm = tag.getall("COMM")
        check("tags", f"{t}: a French COMM", len(comm) == 1 and comm[0].lang == "fra", str(comm))
        apic = tag.getall("APIC")
        check("tags", f"{t}: one JPEG front cover", len(apic) == 1 and apic[0].mime == "image/jpeg"
              and apic[0].type == 3 and apic[0].data[:2] == b"\xff\xd8", str([(p.mime, p.type) for p in apic]))
        check("tags", f"{t}: TLEN", text("TLEN") is not None and text("TLEN").isdigit(), text("TLEN"))
        wxxx = [w.url for w in tag.getall("WXXX")]
        check("tags", f"{t}: WXXX is the page", wxxx == [item.findtext("link")], str(wxxx))

        chap_el = item.find(f"{PODCAST}chapters")
        want = []
        if chap_el is not None:
            chap_json = json.loads((a.www / chap_el.get("url").split("/", 3)[3]).read_text())
            want = chap_json["chapters"]
        chaps = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
        toc = tag.getall("CTOC")
        check("tags", f"{t}: one CHAP per chapter of the JSON ({len(want)})", len(chaps) == len(want), str(len(chaps)))
        if want:
            check("tags", f"{t}: a CTOC listing them", len(toc) == 1 and list(toc[0].child_element_ids)
                  == [c.element_id for c in sorted(tag.getall("CHAP"), key=lambda c: c.element_id)], str(toc))
        for c, w in zip(chaps, want):
            title = str(c.sub_frames["TIT2"].text[0]) if "TIT2" in c.sub_frames else None
            check("tags", f"{t}: chapter {w['title']!r} title and start", title == w["title"]
                  and abs(c.start_time - round(w["startTime"] * 1000)) <= 1, f"{title} {c.start_time}")
            urls = [s.url for s in c.sub_frames.getall("WXXX")]
            check("tags", f"{t}: chapter {w['title']!r} link", urls == ([w["url"]] if "url" in w else []), str(urls))

        probe = json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(path)],
            check=True, capture_output=True, text=True).stdout)
        ff = probe.get("chapters", [])
        check("ffprobe", f"{t}: ffprobe lists {len(want)} chapters", len(ff) == len(want), str(len(ff)))
        for c, w in zip(ff, want):
            check("ffprobe", f"{t}: chapter {w['title']!r}", c.get("tags", {}).get("title") == w["title"]
                  and abs(float(c["start_time"]) - w["startTime"]) < 0.01, str(c))
        ftags = probe["format"].get("tags", {})
        check("ffprobe", f"{t}: title and album", ftags.get("title", "").startswith(item.findtext("title").rstrip("…"))
              and ftags.get("album") == show_title, str(ftags))

        source = sources.get(guid)
        check("audio", f"{t}: the source's frames byte for byte", source is not None
              and frames(data) == frames(source.read_bytes()), str(source))
        duration = int(item.findtext(f"{ITUNES}duration"))
        length = mutagen.mp3.MP3(path).info.length
        check("audio", f"{t}: mutagen's length {length:.2f} s is itunes:duration", abs(length - duration) <= 1,
              f"{length} vs {duration}")
    check("tags", f"{seen} MP3 and M4A enclosures found", seen > 0, "none")
    print(f"tags: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()
