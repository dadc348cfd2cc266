#!/usr/bin/env python3
"""Writes N synthetic French podcast transcripts (WebVTT) and the list of their episodes.

    python3 benches/gen_transcripts.py OUT_DIR [--episodes 1000] [--words 8000] [--seed 1]

Python 3 standard library only; deterministic for a given seed. What it writes:

- OUT_DIR/transcripts/<slug>.vtt x N: about `--words` words each (8,000 by default, about
  50 minutes at 2.6 words/s), 2 or 3 speakers as `<v Name>` voices, cues of 3 to 8 s with short
  gaps, text wrapped on two lines when long;
- OUT_DIR/episodes.json: the list `veillee bench-index` and `benches/fts5_search.py index` read:
  slug, title, date (2020-01-01 to 2026-12-31), notes, partners (0-2 of site/partners/*.md's
  stems), methods (1-2 of site/methods/*.md), territories (1 of site/territories/*.md),
  method_words (the methods' titles, " ; "-joined), speakers (voice label -> full name).

The text comes from an order-2 word Markov chain trained on the repository's real French: the
search fixtures' transcripts (tests/fixtures/search/transcripts/*.{vtt,srt,json}, tags, speaker
prefixes and timestamps stripped; greetings and the fixtures' show name left out) and the method,
partner and territory pages (site/*/*.md, front matter and Markdown marks stripped), so it reads
like the fixtures' conversations about citizen participation in rural ecological transition.
Accents are kept as written (é, è, à, ç…), so unaccented queries test accent folding. Each
episode opens with the host naming its method, territory and guests, and the host comes back to
them now and then.
"""

import argparse
import json
import random
import re
import sys
import tomllib
import unicodedata
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHOW = "Veillées rurales"
HOSTS = ["Camille", "Mathis", "Élise", "Noémie"]
GUESTS = [
    "Hélène", "Gérard", "Martine", "Yannick", "Paulette", "Mathieu", "Romain", "Zoé", "François",
    "Cécile", "Jérôme", "Anaïs", "Loïc", "Françoise", "Benoît", "Agnès", "Thérèse", "Rémi", "Inès",
    "Joël", "Sébastien", "Léa", "Maëlle", "André", "Chloé", "Hervé", "Aurélie", "Stéphane", "Nadège",
]
SURNAMES = [
    "Rousseau", "Lefèvre", "Garnier", "Chevalier", "Mercier", "Bérard", "Faure", "Gauthier",
    "Pérez", "Lemaître", "Boucher", "Renaud", "Dupré", "Marchand", "Théry", "Collin", "Brémond",
]
THEMES = [
    "les habitants prennent la parole", "quand l'école s'en mêle", "le village face à la sécheresse",
    "une cantine avec les producteurs locaux", "l'énergie qui appartient aux habitants",
    "des élus et des citoyens autour de la table", "ce que les enfants voient du village",
    "réparer, partager, transmettre", "un plan climat qui parle aux gens",
    "le commerce de proximité à l'épreuve", "la mobilité sans voiture", "l'eau, un bien commun",
    "refaire du lien entre les hameaux", "la salle des fêtes comme laboratoire",
    "du diagnostic à l'action", "ce qui a marché, ce qui a coincé", "les jeunes et la transition",
    "la forêt, le bois et le chauffage", "faire ensemble quand on n'est pas d'accord",
]
HOST_RETURNS = [
    "Et du côté de {territory}, comment ça s'est passé concrètement ?",
    "On revient à la méthode : {method}, qu'est-ce que ça a changé pour vous ?",
    "{guest}, vous vouliez ajouter quelque chose ?",
    "Pour celles et ceux qui nous écoutent depuis {territory}, qu'est-ce qu'ils peuvent faire dès demain ?",
    "Vous êtes sur {show}, et on parle aujourd'hui de {method_lower}.",
]


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    _, meta, body = text.split("+++", 2)
    return tomllib.loads(meta), body


def strip_markdown(body):
    out = []
    for para in re.split(r"\n\s*\n", body):
        lines = []
        for line in para.splitlines():
            line = re.sub(r"^\s*(#+|\d+\.|[-*+>])\s+", "", line)
            line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
            line = re.sub(r"\[([^\]]*)\]", r"\1", line)
            line = line.replace("**", "").replace("`", "").replace("_", " ").strip()
            if line and not line.startswith("|"):
                lines.append(line)
        if lines:
            text = " ".join(lines)
            out.append(text if text[-1] in ".!?:;…" else text + ".")
    return " ".join(out)


def transcript_text(path):
    """The spoken words of a fixture transcript, one string."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return " ".join(s["text"].strip() for s in json.loads(raw)["transcription" if "transcription" in raw[:200] else "segments"])
    texts = []
    for block in re.split(r"\n\s*\n", raw):
        lines = [l for l in block.splitlines() if l.strip()]
        lines = [l for l in lines if "-->" not in l and l.strip() != "WEBVTT" and not l.strip().isdigit()]
        for l in lines:
            l = re.sub(r"<[^>]*>", "", l)  # <v Name>, <i>, </v>
            l = re.sub(r"^\s*(\[[A-Z_0-9]+\]|[A-ZÀ-Ý][\wÀ-ÿ-]*)\s*:\s+", "", l)  # "Name: " / "[SPEAKER_00]: "
            texts.append(l.strip())
    return " ".join(texts)


def sentences(text):
    text = re.sub(r"\s+", " ", text)
    return [s for s in re.split(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÝÉ«\"0-9])", text) if len(s.split()) >= 3]


class Markov:
    """Order-2 chain over whitespace tokens (punctuation stays on its word), sentence by sentence."""

    END = None

    def __init__(self, corpus):
        self.next = {}
        for s in corpus:
            words = s.split()
            state = ("", "")
            for w in words + [self.END]:
                self.next.setdefault(state, []).append(w)
                state = (state[1], w)

    def sentence(self, rng, max_words=45):
        state, out = ("", ""), []
        while True:
            w = rng.choice(self.next[state])
            if w is self.END:
                return out
            out.append(w)
            if len(out) >= max_words and w[-1] in ",;:":
                out[-1] = w[:-1] + "."
                return out
            state = (state[1], w)


def slugify(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def clock(ms):
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def wrap(words):
    text = " ".join(words)
    if len(text) <= 48:
        return text
    half = len(text) // 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - half))
    return text[:cut] + "\n" + text[cut + 1:]


def transcript(rng, chain, words_goal, host, guests, ctx):
    """WebVTT text and its word count."""
    speakers = [host] + guests
    out = ["WEBVTT", ""]
    t = rng.randint(300, 900)
    total = 0
    intro = (
        f"Bonjour à toutes et à tous, et bienvenue dans {SHOW}. Aujourd'hui, on parle de "
        f"{ctx['method_lower']}, du côté de {ctx['territory']}, avec "
        + (" et ".join([", ".join(guests[:-1]), guests[-1]]) if len(guests) > 1 else guests[0])
        + "."
    )
    turn_speaker = host
    first = True
    while total < words_goal:
        if first:
            turn = [s.split() for s in sentences(intro)]
            first = False
        else:
            # The host asks short questions, the guests answer at length.
            n = rng.randint(1, 2) if turn_speaker == host else rng.randint(2, 7)
            turn = [chain.sentence(rng) for _ in range(n)]
            if turn_speaker == host and rng.random() < 0.12:
                line = rng.choice(HOST_RETURNS).format(guest=rng.choice(guests), show=SHOW, **ctx)
                turn.append(line.split())
        # Cues: a sentence of up to 20 words is one cue, short ones are joined to the next,
        # longer ones are cut into pieces of 8 to 20 words (no piece under 5).
        cues, pending = [], []
        for s in turn:
            words = pending + s
            pending = []
            if len(words) < 8:
                pending = words
                continue
            while len(words) > 20:
                n = rng.randint(8, 20)
                if len(words) - n < 5:
                    n = len(words) - 5
                cues.append(words[:n])
                words = words[n:]
            cues.append(words)
        if pending:
            if cues and len(cues[-1]) + len(pending) <= 24:
                cues[-1] += pending
            else:
                cues.append(pending)
        for chunk in cues:
            ms = int(min(8000, max(3000, len(chunk) / 2.6 * 1000 + rng.randint(-400, 400))))
            out += [f"{clock(t)} --> {clock(t + ms)}", f"<v {turn_speaker}>{wrap(chunk)}", ""]
            t += ms + rng.randint(100, 600)
            total += len(chunk)
        t += rng.randint(200, 1200)
        # Next speaker: the host between guests most of the time.
        if turn_speaker == host:
            turn_speaker = rng.choice(guests)
        else:
            turn_speaker = host if rng.random() < 0.6 else rng.choice(speakers)
    return "\n".join(out), total


def training():
    """The Markov chain of the repository's French, and the titles of its methods and the names
    of its partners and territories, by slug."""
    corpus = []
    for p in sorted((REPO / "tests/fixtures/search/transcripts").iterdir()):
        corpus += sentences(transcript_text(p))
    methods, partners, territories = {}, {}, {}
    for p in sorted((REPO / "site/methods").glob("*.md")):
        meta, body = front_matter(p)
        methods[p.stem] = meta["title"]
        corpus += sentences(strip_markdown(body))
    for p in sorted((REPO / "site/partners").glob("*.md")):
        meta, body = front_matter(p)
        partners[p.stem] = meta["name"]
        corpus += sentences(strip_markdown(body))
    for p in sorted((REPO / "site/territories").glob("*.md")):
        meta, body = front_matter(p)
        territories[p.stem] = meta["name"]
        corpus += sentences(strip_markdown(body))
    # The fixtures' own show and greetings would repeat in every episode.
    corpus = [s for s in corpus if not re.search(r"Dynamiques collectives|bienvenue|Bonjour|Avec moi,", s)]
    chain = Markov(corpus)
    print(f"training text: {len(corpus)} sentences, {sum(len(s.split()) for s in corpus)} words, "
          f"{len(chain.next)} states", file=sys.stderr)

    return chain, methods, partners, territories


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--episodes", type=int, default=1000)
    ap.add_argument("--words", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    chain, methods, partners, territories = training()
    rng = random.Random(args.seed)
    tdir = args.out / "transcripts"
    tdir.mkdir(parents=True, exist_ok=True)
    start, days = date(2020, 1, 1), (date(2026, 12, 31) - date(2020, 1, 1)).days
    episodes, words_total = [], 0
    for i in range(args.episodes):
        ms = rng.sample(sorted(methods), rng.choice([1, 1, 2]))
        ps = rng.sample(sorted(partners), rng.choice([0, 1, 1, 2]))
        ts = [rng.choice(sorted(territories))]
        host = rng.choice(HOSTS)
        guests = rng.sample(GUESTS, rng.choice([1, 2]))
        method_title = methods[ms[0]]
        ctx = {
            "method": method_title,
            "method_lower": method_title[0].lower() + method_title[1:],
            "territory": territories[ts[0]],
        }
        theme = rng.choice(THEMES)
        title = rng.choice([
            f"{method_title} à {ctx['territory']}",
            f"{method_title} : {theme}",
            f"{ctx['territory']} : {theme}",
        ])
        slug = f"e{i + 1:04d}-{slugify(title)[:60].strip('-')}"
        d = start + timedelta(days=rng.randrange(days + 1))
        vtt, n = transcript(rng, chain, args.words, host, guests, ctx)
        (tdir / f"{slug}.vtt").write_text(vtt, encoding="utf-8")
        words_total += n
        notes = " ".join(" ".join(chain.sentence(rng)) for _ in range(3))
        if ps:
            notes += " Avec " + " et ".join(partners[p] for p in ps) + "."
        episodes.append({
            "slug": slug,
            "title": title,
            "date": d.isoformat(),
            "notes": notes,
            "partners": ps,
            "methods": ms,
            "territories": ts,
            "method_words": " ; ".join(methods[m] for m in ms),
            "speakers": {v: f"{v} {rng.choice(SURNAMES)}" for v in [host] + guests},
        })
    (args.out / "episodes.json").write_text(json.dumps(episodes, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(episodes)} episodes, {words_total} words of transcript", file=sys.stderr)


if __name__ == "__main__":
    main()
