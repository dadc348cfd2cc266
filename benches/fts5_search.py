#!/usr/bin/env python3
"""The SQLite FTS5 baseline of the search benchmark (benches/search.sh), Python standard library only.

    python3 benches/fts5_search.py index TRANSCRIPTS_DIR EPISODES.json DB
    python3 benches/fts5_search.py query DB QUERIES.json [--runs 200] [--warmup 5] [--show]

`index` reads the same files as `veillee bench-index`: EPISODES.json (the list that
benches/gen_transcripts.py writes) and TRANSCRIPTS_DIR/<slug>.vtt for each episode, parsed here
with a simple WebVTT reader (cue times, `<v Label>` voice, tags removed, lines joined), and writes
DB (which must not exist) with:

- `cues`: an FTS5 table, tokenize = "unicode61 remove_diacritics 2", ONE ROW PER CUE: `text`
  indexed; `episode` (episodes.id), `start`, `end` (seconds) and `speaker` (the voice label mapped
  through the episode's `speakers`) UNINDEXED;
- `episodes` (id, slug, title, date, year) and `facets` (kind, value, episode; a WITHOUT ROWID
  primary key) for the partner, method, territory and year filters.

Rows go in one transaction (journal_mode OFF, synchronous OFF), then FTS5's 'optimize' merges
the index into one b-tree, as one would for a read-only index.

`query` runs each query of QUERIES.json (the list `veillee bench-query` reads: q, partner,
method, territory, year, limit) `warmup` times untimed, then `runs` times timed, in this
process, on one connection. The words become FTS5 syntax: `"phrase"` stays a phrase, a word
becomes a one-word phrase (so apostrophes and hyphens are safe), words are ANDed, `-word` or
`-"phrase"` becomes NOT. Filters are SQL conditions on the facets side table. Each run is

    SELECT episodes.slug, title, start, end, speaker, snippet(cues, 0, '<mark>', '</mark>', '…', 32)
    FROM cues JOIN episodes ON episodes.id = cues.episode
    WHERE cues MATCH ? [AND episode IN (SELECT episode FROM facets WHERE kind = ? AND value = ?)]…
    ORDER BY rank LIMIT ?          -- rank is bm25(cues)

with every row fetched. It prints the JSON shape `veillee bench-query` prints: runs, per query
the query, `episodes` (distinct episodes among the rows), `moments` (rows), p50_ms and p99_ms,
and p50_ms and p99_ms over every run of every query (nearest-rank percentiles, as Veillée's).

FTS5 has no stemming (`unicode61` only folds case and diacritics): "cartographies" does not
find "cartographie", unlike Veillée's French analyzer. And the unit is one cue (3 to 8 s), not
Veillée's passage of up to 30 s with the previous turn's end as context, so every word of a
query must be said within one cue here.
"""

import argparse
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

TIME = re.compile(r"(?:(\d+):)?(\d+):(\d+)[.,](\d+)")


def seconds(stamp):
    h, m, s, frac = TIME.match(stamp.strip()).groups()
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac) / 10 ** len(frac)


def parse_vtt(text):
    """Cues of a WebVTT file: (start, end, voice or None, text)."""
    cues = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        for i, line in enumerate(lines):
            if "-->" in line:
                start, end = line.split("-->")
                body = "\n".join(lines[i + 1:])
                voice = re.match(r"\s*<v(?:\.[^ >]*)?\s+([^>]*)>", body)
                words = " ".join(re.sub(r"<[^>]*>", "", body).split())
                if words:
                    cues.append((seconds(start), seconds(end.split()[0]), voice and voice.group(1).strip(), words))
                break
    return cues


def index(transcripts, episodes_json, db):
    started = time.perf_counter()
    if db.exists():
        sys.exit(f"{db} exists")
    episodes = json.loads(episodes_json.read_text(encoding="utf-8"))
    con = sqlite3.connect(db, isolation_level=None)
    con.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE episodes(id INTEGER PRIMARY KEY, slug TEXT UNIQUE, title TEXT, date TEXT, year INTEGER);
        CREATE TABLE facets(kind TEXT, value TEXT, episode INTEGER, PRIMARY KEY (kind, value, episode)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE cues USING fts5(
            text, episode UNINDEXED, start UNINDEXED, end UNINDEXED, speaker UNINDEXED,
            tokenize = "unicode61 remove_diacritics 2"
        );
        """
    )
    con.execute("BEGIN")
    n = 0
    for i, e in enumerate(episodes, 1):
        year = int(e["date"][:4])
        con.execute("INSERT INTO episodes VALUES (?, ?, ?, ?, ?)", (i, e["slug"], e["title"], e["date"], year))
        facets = [(k, v, i) for k, key in [("partner", "partners"), ("method", "methods"), ("territory", "territories")]
                  for v in e.get(key, [])]
        con.executemany("INSERT OR IGNORE INTO facets VALUES (?, ?, ?)", facets + [("year", str(year), i)])
        speakers = e.get("speakers", {})
        cues = parse_vtt((transcripts / f"{e['slug']}.vtt").read_text(encoding="utf-8"))
        con.executemany(
            "INSERT INTO cues(text, episode, start, end, speaker) VALUES (?, ?, ?, ?, ?)",
            ((t, i, s, end, speakers.get(v, v)) for s, end, v, t in cues),
        )
        n += len(cues)
    con.execute("INSERT INTO cues(cues) VALUES ('optimize')")
    con.execute("COMMIT")
    con.close()
    print(f"indexed {len(episodes)} episodes, {n} cues in {time.perf_counter() - started:.3f} s")


def fts5_match(q):
    """The query words in FTS5 syntax, or None when nothing is required."""
    must, must_not = [], []
    for m in re.finditer(r'(-?)"([^"]*)"?|(-?)(\S+)', q):
        neg = m.group(1) or m.group(3)
        words = m.group(2) if m.group(2) is not None else m.group(4)
        if not re.search(r"\w", words):
            continue
        phrase = '"' + words.replace('"', '""') + '"'
        (must_not if neg else must).append(phrase)
    if not must:
        return None
    out = " AND ".join(must)
    if must_not:
        out = f"({out}) NOT " + " NOT ".join(must_not)
    return out


def statement(query):
    """The SQL and its parameters for one query of QUERIES.json."""
    match = fts5_match(query.get("q", ""))
    if match is None:
        raise SystemExit(f"query without words: {query}")
    sql = [
        "SELECT episodes.slug, episodes.title, start, end, speaker,",
        "       snippet(cues, 0, '<mark>', '</mark>', '…', 32)",
        "FROM cues JOIN episodes ON episodes.id = cues.episode",
        "WHERE cues MATCH ?",
    ]
    params = [match]
    for kind in ["partner", "method", "territory", "year"]:
        if query.get(kind) is not None:
            sql.append("  AND cues.episode IN (SELECT episode FROM facets WHERE kind = ? AND value = ?)")
            params += [kind, str(query[kind])]
    sql.append("ORDER BY rank LIMIT ?")
    params.append(int(query.get("limit") or 10))
    return "\n".join(sql), params, match


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    rank = -(-p * len(sorted_ms) // 100)  # ceil
    return sorted_ms[min(max(int(rank), 1), len(sorted_ms)) - 1]


def query(db, queries_json, runs, warmup, show):
    queries = json.loads(queries_json.read_text(encoding="utf-8"))
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out, everything = [], []
    for q in queries:
        sql, params, match = statement(q)
        for _ in range(warmup):
            con.execute(sql, params).fetchall()
        times, rows = [], []
        for _ in range(runs):
            t = time.perf_counter()
            rows = con.execute(sql, params).fetchall()
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        everything += times
        out.append({
            "query": q,
            "match": match,
            "episodes": len({r[0] for r in rows}),
            "moments": len(rows),
            "p50_ms": percentile(times, 50),
            "p99_ms": percentile(times, 99),
        })
        if show:
            print(f"== {q} -> {match}", file=sys.stderr)
            for r in rows[:5]:
                print(f"  {r[0]} {r[2]:.1f}s {r[4]}: {r[5]}", file=sys.stderr)
    everything.sort()
    print(json.dumps({
        "runs": runs,
        "sqlite": sqlite3.sqlite_version,
        "queries": out,
        "p50_ms": percentile(everything, 50),
        "p99_ms": percentile(everything, 99),
    }, ensure_ascii=False, indent=2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    i = sub.add_parser("index")
    i.add_argument("transcripts", type=Path)
    i.add_argument("episodes", type=Path)
    i.add_argument("db", type=Path)
    q = sub.add_parser("query")
    q.add_argument("db", type=Path)
    q.add_argument("queries", type=Path)
    q.add_argument("--runs", type=int, default=200)
    q.add_argument("--warmup", type=int, default=5)
    q.add_argument("--show", action="store_true", help="print the first rows of each query on stderr")
    a = ap.parse_args()
    if a.command == "index":
        index(a.transcripts, a.episodes, a.db)
    else:
        query(a.db, a.queries, a.runs, a.warmup, a.show)


if __name__ == "__main__":
    main()
