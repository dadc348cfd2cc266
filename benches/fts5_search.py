#!/usr/bin/env python3
"""The SQLite FTS5 baseline of the search benchmark (benches/search.sh), Python standard library only.

    python3 benches/fts5_search.py index TRANSCRIPTS_DIR EPISODES.json DB
    python3 benches/fts5_search.py query DB QUERIES.json [--runs 200] [--warmup 5] [--grouped] [--show]

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

with every row fetched. `--grouped` answers like Veillée instead (src/search/query.rs: the best
1,000 passages, grouped by episode, the top `limit` episodes with up to 3 moments each): the best
1,000 cues (`SELECT rowid, episode … ORDER BY rank LIMIT 1000`, no snippet), grouped by episode in
Python, then one statement for the snippets of the moments shown
(`… WHERE cues MATCH ? AND rowid IN (…)`) and one for their episodes' titles.

It prints the JSON shape `veillee bench-query` prints: runs, per query
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


SNIPPET = "snippet(cues, 0, '<mark>', '</mark>', '…', 32)"
CANDIDATES = 1000  # as Veillée's
MOMENTS = 3


def statement(query, columns, limit):
    """The SQL and its parameters for one query of QUERIES.json, and its MATCH expression."""
    match = fts5_match(query.get("q", ""))
    if match is None:
        raise SystemExit(f"query without words: {query}")
    sql = [f"SELECT {columns}", "FROM cues JOIN episodes ON episodes.id = cues.episode", "WHERE cues MATCH ?"]
    params = [match]
    for kind in ["partner", "method", "territory", "year"]:
        if query.get(kind) is not None:
            sql.append("  AND cues.episode IN (SELECT episode FROM facets WHERE kind = ? AND value = ?)")
            params += [kind, str(query[kind])]
    sql.append("ORDER BY rank LIMIT ?")
    params.append(limit)
    return "\n".join(sql), params, match


def top_cues(con, query):
    """The best `limit` cues with their snippets: (slug, title, start, end, speaker, snippet)."""
    sql, params, _ = statement(query, f"episodes.slug, episodes.title, start, end, speaker, {SNIPPET}",
                               int(query.get("limit") or 10))
    return con.execute(sql, params).fetchall()


def top_episodes(con, query):
    """Like Veillée: the best 1,000 cues grouped by episode, the best `limit` episodes with up to
    3 moments each; rows (slug, title, start, end, speaker, snippet), episode by episode."""
    sql, params, match = statement(query, "cues.rowid, cues.episode", CANDIDATES)
    groups = {}
    for rowid, episode in con.execute(sql, params):
        moments = groups.setdefault(episode, [])
        if len(moments) < MOMENTS:
            moments.append(rowid)
    shown = list(groups)[: int(query.get("limit") or 10)]
    ids = [r for e in shown for r in groups[e]]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = {
        r[0]: r[1:]
        for r in con.execute(
            f"SELECT cues.rowid, episodes.slug, episodes.title, start, end, speaker, {SNIPPET} "
            f"FROM cues JOIN episodes ON episodes.id = cues.episode WHERE cues MATCH ? AND cues.rowid IN ({marks})",
            [match] + ids,
        )
    }
    return [found[r] for r in ids]


def percentile(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    rank = -(-p * len(sorted_ms) // 100)  # ceil
    return sorted_ms[min(max(int(rank), 1), len(sorted_ms)) - 1]


def query(db, queries_json, runs, warmup, grouped, show):
    queries = json.loads(queries_json.read_text(encoding="utf-8"))
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    answer = top_episodes if grouped else top_cues
    out, everything = [], []
    for q in queries:
        match = fts5_match(q.get("q", ""))
        for _ in range(warmup):
            answer(con, q)
        times, rows = [], []
        for _ in range(runs):
            t = time.perf_counter()
            rows = answer(con, q)
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
        "mode": "grouped" if grouped else "top cues",
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
    q.add_argument("--grouped", action="store_true", help="answer like Veillée: top episodes, 3 moments each")
    q.add_argument("--show", action="store_true", help="print the first rows of each query on stderr")
    a = ap.parse_args()
    if a.command == "index":
        index(a.transcripts, a.episodes, a.db)
    else:
        query(a.db, a.queries, a.runs, a.warmup, a.grouped, a.show)


if __name__ == "__main__":
    main()
