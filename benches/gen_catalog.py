#!/usr/bin/env python3
"""Writes a synthetic Veillée project: N published episodes sharing one small MP3.

    python3 benches/gen_catalog.py OUT_DIR --episodes 10000 [--seed N]
        [--audio FILE] [--veillee BIN | --blake3 HEX --duration SECONDS]

Python 3 standard library only. What it writes, all deterministic for a given seed and audio:

- feed/channel.toml (every channel field), feed/cover.jpg (the test fixture's cover);
- site/methods, site/partners, site/territories: copies of the bundled sample show's pages
  (realistic French, cross-references already consistent);
- episodes/<slug>.md x N: every front-matter field the schema has (title, guid = uuid4 from the
  seeded RNG, date over 15 years with the +01:00/+02:00 offset of Paris time, summary for most,
  season, number, type, sometimes explicit, partners, methods, territories, persons, speakers when
  there is a transcript, soundbites, a chapters block of 3 to 6 lines, some `[method-slug]`), and
  show notes of a few French paragraphs with a list and links;
- episodes/shared.mp3: ONE audio file that every episode names with `audio = "shared.mp3"`. By
  default it is made with ffmpeg (10 s of pink noise and a tone, mono 16 kHz, 8 kbit/s CBR LAME:
  about 10.3 KB); `--audio FILE` copies a given file instead (tests/fixtures/audio/cbr.mp3,
  8.4 KB and 2 s, if there is no ffmpeg). Chapter and soundbite times fit its duration;
- transcripts/<slug>.vtt for about one episode in eight (a few cues, speaker labels that the
  front matter's `speakers` maps to names);
- feed/archive.toml: the ledger, one `publish` entry per episode in date order, in the exact
  format `veillee publish` appends (src/catalog/ledger.rs, Ledger::entry_text). pub_date and
  recorded_at are the episode's date in UTC. Every hash is computed: source_sha256 of the .md
  bytes, media_sha256 of the audio, media_name = <slug>.<first 8 hex of the audio's BLAKE3>.mp3,
  transcript_sha256 of the normalized WebVTT that the build publishes
  (build::transcript_bytes), chapters_sha256 of the JSON Chapters 1.2 document as serde_json
  pretty-prints it plus "\n" (build::chapters_bytes).

BLAKE3 is not in the standard library: the audio's BLAKE3 and duration come from
`veillee probe --json` (the release binary by default), or from --blake3 and --duration.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tomllib
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE_URL = "https://veillees-rurales.example.org"
MEDIA_BASE_URL = "https://media.veillees-rurales.example.org"
SHOW_TITLE = "Veillées rurales"
PODCAST_GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
LEDGER_HEADER = (
    "# The ledger of what was published: GUIDs, dates and the hashes of the published bytes.\n"
    "# Written only by `veillee publish` (and later `retract` and `import`). Never edit or remove an\n"
    "# entry: podcast apps and the archive rely on it.\n"
)

FIRST_NAMES = [
    "Camille", "Dominique", "Claude", "Sacha", "Yann", "Maëlle", "Léa", "Hugo", "Inès", "Lucas", "Chloé",
    "Mathis", "Zoé", "Nathan", "Manon", "Théo", "Jeanne", "Louis", "Anaïs", "Gaëlle", "Hervé", "Solène",
    "Bastien", "Océane", "Rémi", "Brigitte", "Josiane", "Gérard", "Aurélien", "Mélanie", "Loïc", "Noémie",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Le Goff", "Guérin", "Chevalier", "Gauthier", "Perrin", "Clément",
]
ROLES_OF_GUESTS = ["guest", "guest", "guest", "guest", "co-host", "reporter", "producer"]

TITLE_PATTERNS = [
    "{method} à {territory}",
    "{method} : ce qu'on a appris à {territory}",
    "À {territory}, {method_lc} pas à pas",
    "{territory} : {method_lc}, un an après",
    "Trois questions sur {method_lc}",
    "{person} raconte {method_lc} à {territory}",
    "Quand {partner} arrive à {territory}",
    "{method} : les erreurs à éviter",
    "Carnet de route : {territory}",
    "Veillée à {territory} avec {partner}",
    "{method}, vu par les habitants de {territory}",
    "Ce que {method_lc} change à {territory}",
]
SUMMARIES = [
    "{person} revient sur {method_lc} à {territory} : les premières réunions, les doutes, et ce que les habitants en ont fait.",
    "Comment {partner} a accompagné {territory} dans {method_lc}, de la première rencontre au bilan partagé.",
    "Un retour d'expérience sur {method_lc} : qui participe, combien de temps cela prend, et ce qui reste une fois l'équipe partie.",
    "À {territory}, des habitants, des élus et {partner} ont essayé {method_lc}. Récit, chiffres et conseils.",
    "Une méthode, un territoire, une question : {method_lc} peut-il vraiment mobiliser un village de {territory} ?",
]
SENTENCES = [
    "À {territory}, tout a commencé par une réunion publique dans la salle des fêtes, un soir de {month}.",
    "{person} se souvient que la première question posée n'avait rien à voir avec le climat : il s'agissait du bus du matin.",
    "{partner} a proposé {method_lc}, une démarche déjà éprouvée ailleurs mais jamais dans une commune aussi petite.",
    "Les habitants ont d'abord été sceptiques, puis une vingtaine d'entre eux ont rejoint l'équipe locale.",
    "Le porte-à-porte a pris plus de temps que prévu : il faut compter au moins deux minutes par foyer, souvent dix.",
    "La mairie a prêté une salle, l'école a fourni les feutres, et la boulangerie a affiché les dates des ateliers.",
    "Le diagnostic partagé a fait ressortir trois fragilités : l'eau l'été, la dépendance à la voiture et l'accès aux soins.",
    "On a appris à écouter avant de proposer, ce qui n'est pas si simple quand on arrive avec une méthode en tête.",
    "Les propositions retenues tiennent sur une page : un jardin partagé, un covoiturage organisé et une épicerie solidaire.",
    "Deux ans plus tard, l'épicerie tourne avec des bénévoles et le covoiturage a trouvé son rythme le mardi et le jeudi.",
    "{person} insiste sur un point : documenter chaque étape, pour que les suivants profitent de ce que les premiers ont appris.",
    "La méthode n'est pas une recette : à {territory}, il a fallu adapter le calendrier aux vendanges et aux foins.",
    "Les élus ont joué le jeu, à condition que les décisions restent entre les mains du conseil municipal.",
    "Le budget reste modeste, quelques milliers d'euros, financés pour moitié par une fondation et pour moitié par la commune.",
    "Ce qui a le mieux marché, ce sont les rencontres informelles, au marché du samedi ou à la sortie de l'école.",
    "Une carte des lieux aimés et évités a circulé pendant un mois ; elle est maintenant affichée à la mairie.",
    "On entend aussi les voix de celles et ceux qui ne viennent jamais aux réunions, et qu'il a fallu aller chercher.",
    "Le projet alimentaire territorial s'est nourri de ce travail : les chiffres du diagnostic ont servi de point de départ.",
    "La coopérative compte aujourd'hui une centaine d'associés : habitants, agriculteurs, collectivités et salariés.",
    "{partner} publie ses outils sous licence libre : les questionnaires, les affiches et le déroulé des ateliers.",
]
LIST_ITEMS = [
    "les **quatre questions** du porte-à-porte",
    "le calendrier, de la première réunion au bilan",
    "ce que coûte la démarche, et qui la finance",
    "comment recruter une équipe locale de bénévoles",
    "la place des élus et celle des habitants",
    "les outils : questionnaires, cartes, affiches",
    "ce qui a échoué, et pourquoi",
    "la suite : un deuxième cycle l'an prochain",
]
CHAPTER_TITLES = [
    "Le contexte", "La première réunion", "Frapper aux portes", "Ce que disent les habitants",
    "Le rôle des élus", "Les ateliers", "Le bilan", "Et maintenant ?", "Les outils de la méthode",
    "Un an après", "Les chiffres", "Ce qu'on referait autrement", "La parole aux bénévoles",
]
SOUNDBITES = [
    "Il faut aller chercher les gens chez eux", "Deux minutes par porte, au moins", "Le village a changé d'avis",
    "On ne vient pas avec des solutions", "Ce que la carte a montré",
]
CUE_TEXTS = [
    "Bonjour, et bienvenue dans Veillées rurales.",
    "Aujourd'hui, on part à la rencontre d'une équipe de bénévoles.",
    "Au début, personne ne croyait que les gens ouvriraient leur porte.",
    "Et finalement, presque tout le monde a répondu aux quatre questions.",
    "Ce qui compte, c'est ce qu'on fait ensuite des réponses.",
    "On en reparle dans un an, promis.",
]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def slugify(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    out, dash = [], False
    for c in text:
        if c.isascii() and c.isalnum():
            out.append(c)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def toml_str(s):
    """A TOML basic string."""
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\u%04X" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def last_sunday(year, month):
    # Day after the month's last day, minus one, back to Sunday (weekday 6).
    first_next = datetime(year + (month == 12), month % 12 + 1, 1)
    d = first_next - timedelta(days=1)
    return d - timedelta(days=(d.weekday() - 6) % 7)


def paris_offset_hours(local):
    """+2 during European summer time (last Sunday of March to last Sunday of October), else +1."""
    start = last_sunday(local.year, 3).replace(hour=2)
    end = last_sunday(local.year, 10).replace(hour=3)
    return 2 if start <= local < end else 1


def timecode(ms):
    s, frac = divmod(ms, 1000)
    code = "%02d:%02d" % (s // 60, s % 60)
    return code + (".%03d" % frac if frac else "")


def seconds_json(ms):
    return ms / 1000.0


def probe(veillee, audio):
    out = subprocess.run([veillee, "probe", "--json", str(audio)], check=True, capture_output=True, text=True)
    facts = json.loads(out.stdout)[0]
    return facts["blake3"], float(facts["duration"])


def make_audio(dest, seconds=10):
    ff = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    noise = f"anoisesrc=color=pink:duration={seconds}:amplitude=0.1:seed=7:sample_rate=16000"
    tone = f"sine=frequency=220:duration={seconds}:sample_rate=16000"
    subprocess.run(
        ff + ["-f", "lavfi", "-i", noise, "-f", "lavfi", "-i", tone, "-filter_complex", "[0][1]amix=inputs=2",
              "-ac", "1", "-c:a", "libmp3lame", "-b:a", "8k", "-map_metadata", "-1", "-fflags", "+bitexact",
              "-flags:a", "+bitexact", str(dest)],
        check=True,
    )


def read_pages(kind_dir):
    pages = {}
    for p in sorted(kind_dir.glob("*.md")):
        text = p.read_text(encoding="utf-8")
        head = text.split("+++\n", 2)[1]
        pages[p.stem] = tomllib.loads(head)
    return pages


def channel_toml(podcast_guid):
    return f'''# A synthetic show for benchmarks, written by benches/gen_catalog.py: every channel field.
title = "{SHOW_TITLE}"
description = "Le podcast des méthodes de participation citoyenne pour la transition écologique des territoires ruraux : porte-à-porte, cartographie sensible, budgets participatifs, coopératives de territoire… Catalogue de synthèse pour les mesures de performance de Veillée."
language = "fr"
base_url = "{BASE_URL}"
media_base_url = "{MEDIA_BASE_URL}"
author = "Collectif Veillées rurales"
owner = {{ name = "Collectif Veillées rurales", email = "podcast@veillees-rurales.example.org" }}
category = "Society & Culture"
subcategory = "Documentary"
explicit = false
type = "episodic"
copyright = "CC BY-SA 4.0 — Collectif Veillées rurales"
license = {{ id = "CC-BY-SA-4.0", url = "https://creativecommons.org/licenses/by-sa/4.0/" }}
funding = [{{ url = "{BASE_URL}/soutenir/", text = "Soutenir à prix libre" }}]
podcast_guid = "{podcast_guid}"
locked = true
locked_owner = "podcast@veillees-rurales.example.org"
medium = "podcast"
image = "cover.jpg"
hosts = [
  {{ name = "Camille Martin", role = "host", href = "{BASE_URL}/equipe/" }},
  {{ name = "Yann Le Goff", role = "co-host", group = "cast" }},
]
location = {{ name = "Nouvelle-Aquitaine", lat = 46.5802, lon = 0.3404, country = "FR" }}
update_frequency = {{ text = "Deux fois par semaine", rrule = "FREQ=WEEKLY;BYDAY=TU,FR" }}
podroll = [{{ feed_guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810", feed_url = "https://example.org/soeur.xml", title = "Une émission sœur" }}]
txt = [{{ purpose = "ai-content", value = "false" }}]
directories = [
  {{ name = "AntennaPod", url = "https://antennapod.org/" }},
  {{ name = "Apple Podcasts", url = "https://podcasts.apple.com/" }},
]
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--episodes", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--audio", type=Path, help="the shared audio file to copy (default: made with ffmpeg)")
    default_bin = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/veillee-target")) / "release/veillee"
    ap.add_argument("--veillee", default=str(default_bin), help="veillee binary used to probe the audio")
    ap.add_argument("--blake3", help="BLAKE3 (hex) of the audio, instead of running veillee probe")
    ap.add_argument("--duration", type=float, help="duration of the audio in seconds, with --blake3")
    ap.add_argument("--no-ledger", action="store_true", help="write drafts only (no feed/archive.toml)")
    ap.add_argument("--transcripts", type=int,
                    help="how many episodes have a transcript, spread evenly (default: about one in eight)")
    ap.add_argument("--words", type=int,
                    help="words per transcript, as benches/gen_transcripts.py writes them (default: a few cues)")
    ap.add_argument("--audio-seconds", type=int, default=10,
                    help="length of the shared audio made with ffmpeg (long transcripts need long audio)")
    args = ap.parse_args()
    chain = None
    if args.words:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import gen_transcripts
        chain = gen_transcripts.training()[0]

    out = args.out
    if out.exists() and any(out.iterdir()):
        sys.exit(f"{out} exists and is not empty")
    rng = random.Random(args.seed)
    for d in ["feed", "episodes", "transcripts", "site"]:
        (out / d).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "tests/fixtures/projects/show/feed/cover.jpg", out / "feed/cover.jpg")
    for kind in ["methods", "partners", "territories"]:
        shutil.copytree(REPO / "site" / kind, out / "site" / kind)
    methods = read_pages(out / "site/methods")
    partners = read_pages(out / "site/partners")
    territories = read_pages(out / "site/territories")
    method_slugs, partner_slugs, territory_slugs = sorted(methods), sorted(partners), sorted(territories)

    podcast_guid = uuid.uuid5(PODCAST_GUID_NS, BASE_URL.split("://", 1)[1] + "/feed.xml")
    (out / "feed/channel.toml").write_text(channel_toml(podcast_guid), encoding="utf-8")

    audio = out / "episodes/shared.mp3"
    if args.audio:
        shutil.copyfile(args.audio, audio)
    else:
        make_audio(audio, args.audio_seconds)
    if args.blake3:
        if args.duration is None:
            sys.exit("--blake3 needs --duration")
        blake3, duration = args.blake3.lower(), args.duration
    else:
        blake3, duration = probe(args.veillee, audio)
    audio_bytes = audio.read_bytes()
    audio_sha256 = hashlib.sha256(audio_bytes).hexdigest()
    duration_ms = int(round(duration * 1000))
    # Chapters and soundbites stay inside the audio, with some margin.
    span_ms = max(duration_ms - 300, 1000)

    # Dates: N points over 15 years (2011–2025), local Paris time, sorted.
    start = datetime(2011, 1, 1)
    total_minutes = (datetime(2026, 1, 1) - start).days * 24 * 60
    locals_ = []
    for _ in range(args.episodes):
        day = start + timedelta(days=rng.randrange(total_minutes // (24 * 60)))
        hour, minute = rng.choice([7, 8, 9, 10, 12, 14, 17, 18, 19]), rng.choice([0, 0, 15, 30, 45])
        locals_.append(day.replace(hour=hour, minute=minute))
    locals_.sort()
    used_slugs = set()
    entries = []
    season_counts = {}
    anchor = []
    for index, local in enumerate(locals_):
        off = paris_offset_hours(local)
        aware = local.replace(tzinfo=timezone(timedelta(hours=off)))
        utc = aware.astimezone(timezone.utc)
        season = local.year - 2010
        first_of_season = season not in season_counts
        season_counts.setdefault(season, 0)

        ep_methods = rng.sample(method_slugs, rng.choice([1, 1, 2, 2, 3]))
        ep_territories = rng.sample(territory_slugs, rng.choice([1, 1, 1, 2]))
        ep_partners = rng.sample(partner_slugs, rng.choice([0, 1, 1, 2]))
        host = "Camille Martin" if rng.random() < 0.7 else "Yann Le Goff"
        guests = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name != host and name not in [g[0] for g in guests]:
                guests.append((name, rng.choice(ROLES_OF_GUESTS)))
        m0 = methods[ep_methods[0]]
        ctx = {
            "method": m0["title"],
            "method_lc": f"la démarche « {m0['title']} »",
            "territory": territories[ep_territories[0]]["name"],
            "partner": partners[ep_partners[0]]["name"] if ep_partners else "l'association",
            "person": guests[0][0] if guests else host,
            "month": MONTHS[local.month - 1],
        }
        if first_of_season:
            ep_type = "trailer"
            title = f"Bande-annonce de la saison {season} : {ctx['territory']} et d'autres villages"
        elif rng.random() < 0.04:
            ep_type = "bonus"
            title = "Bonus — " + rng.choice(TITLE_PATTERNS).format(**ctx)
        else:
            ep_type = "full"
            title = rng.choice(TITLE_PATTERNS).format(**ctx)
        base = slugify(title)[:70].strip("-")
        slug, k = base, 2
        while slug in used_slugs:
            slug = f"{base}-{k}"
            k += 1
        used_slugs.add(slug)
        guid = str(uuid.UUID(int=rng.getrandbits(128), version=4))

        # Chapters: 3 to 6, the first at 0, increasing, some linked to a method.
        n_chapters = rng.randint(3, 6)
        starts = sorted(rng.sample(range(100, span_ms, 100), n_chapters - 1))
        chapters = [(0, "Ouverture", None)]
        for s in starts:
            linked = rng.choice(ep_methods) if rng.random() < 0.4 else None
            chapters.append((s, rng.choice(CHAPTER_TITLES), linked))
        soundbites = []
        if rng.random() < 0.5:
            sb_start = rng.randrange(0, span_ms // 2, 100)
            sb_dur = rng.randrange(1000, span_ms - sb_start, 100) if span_ms - sb_start > 1000 else 500
            soundbites.append((sb_start, sb_dur, rng.choice(SOUNDBITES)))
        has_transcript = rng.random() < 0.125
        if args.transcripts is not None:
            n, total = args.transcripts, args.episodes
            has_transcript = index * n // total != (index + 1) * n // total

        fm = ["+++", f"title = {toml_str(title)}", f'guid = "{guid}"',
              f"date = {local.strftime('%Y-%m-%dT%H:%M:%S')}+0{off}:00"]
        if rng.random() < 0.7:
            fm.append(f"summary = {toml_str(rng.choice(SUMMARIES).format(**ctx))}")
        fm.append(f"season = {season}")
        if ep_type == "full":
            season_counts[season] += 1
            fm.append(f"number = {season_counts[season]}")
        fm.append(f'type = "{ep_type}"')
        if rng.random() < 0.05:
            fm.append("explicit = false")
        fm.append('audio = "shared.mp3"')
        fm.append("partners = [" + ", ".join(toml_str(s) for s in ep_partners) + "]")
        fm.append("methods = [" + ", ".join(toml_str(s) for s in ep_methods) + "]")
        fm.append("territories = [" + ", ".join(toml_str(s) for s in ep_territories) + "]")
        fm.append("persons = [")
        fm.append(f'  {{ name = {toml_str(host)}, role = "host", group = "cast" }},')
        for name, role in guests:
            href = f', href = "https://example.org/personnes/{slugify(name)}"' if rng.random() < 0.3 else ""
            fm.append(f"  {{ name = {toml_str(name)}, role = {toml_str(role)}{href} }},")
        fm.append("]")
        speakers = {}
        if has_transcript and not chain:
            voices = [host] + [g[0] for g in guests]
            speakers = {f"SPEAKER_{k:02d}": v for k, v in enumerate(voices)}
            fm.append("speakers = { " + ", ".join(f"{k} = {toml_str(v)}" for k, v in speakers.items()) + " }")
        if soundbites:
            fm.append("soundbites = [" + ", ".join(
                f'{{ start = "{timecode(s)}", duration = {d / 1000:g}, title = {toml_str(t)} }}'
                for s, d, t in soundbites) + "]")
        fm.append("chapters = '''")
        for s, t, m in chapters:
            fm.append(f"{timecode(s)} {t}" + (f" [{m}]" if m else ""))
        fm.append("'''")
        fm.append("+++")

        paragraphs = []
        for _ in range(rng.randint(2, 4)):
            paragraphs.append(" ".join(s.format(**ctx) for s in rng.sample(SENTENCES, rng.randint(2, 4))))
        body = "\n\n".join(paragraphs)
        body += "\n\n## Dans cet épisode\n\n" + "\n".join(
            f"- {item} ;" for item in rng.sample(LIST_ITEMS, rng.randint(2, 4)))
        links = [f"- [{methods[m]['title']}]({BASE_URL}/methodes/{m}/)" for m in ep_methods]
        if ep_partners and partners[ep_partners[0]].get("website"):
            links.append(f"- <{partners[ep_partners[0]]['website']}>")
        body += "\n\n## Pour aller plus loin\n\n" + "\n".join(links) + "\n"
        source = ("\n".join(fm) + "\n" + body).encode("utf-8")
        (out / "episodes" / f"{slug}.md").write_bytes(source)

        transcript_sha256 = ""
        if has_transcript and chain:
            # Long speech in the voices of the host and guests, named as written.
            trng = random.Random(args.seed * 1_000_003 + index)
            ctx_t = {"method_lower": ctx["method"][0].lower() + ctx["method"][1:], "territory": ctx["territory"],
                     "method": ctx["method"]}
            text, _ = gen_transcripts.transcript(trng, chain, args.words, host, [g[0] for g in guests] or [host], ctx_t)
            (out / "transcripts" / f"{slug}.vtt").write_text(text, encoding="utf-8")
            transcript_sha256 = hashlib.sha256(normalized_vtt(text).encode("utf-8")).hexdigest()
        elif has_transcript:
            labels = list(speakers)
            n_cues = rng.randint(3, 6)
            bounds = sorted(rng.sample(range(200, duration_ms - 100, 100), n_cues * 2))
            src, norm = ["WEBVTT", ""], ["WEBVTT"]
            for c in range(n_cues):
                a, b = bounds[2 * c], bounds[2 * c + 1]
                label = rng.choice(labels)
                text = rng.choice(CUE_TEXTS)
                src += [f"{c + 1}", f"{vtt_ts(a)} --> {vtt_ts(b)}", f"<v {label}>{text}", ""]
                norm += ["", f"{vtt_ts(a)} --> {vtt_ts(b)}", f"<v {escape_vtt(speakers[label])}>{escape_vtt(text)}"]
            (out / "transcripts" / f"{slug}.vtt").write_text("\n".join(src), encoding="utf-8")
            transcript_sha256 = hashlib.sha256(("\n".join(norm) + "\n").encode("utf-8")).hexdigest()

        chapters_doc = {
            "version": "1.2.0",
            "title": title,
            "podcastName": SHOW_TITLE,
            "chapters": [
                dict({"startTime": seconds_json(s), "title": t}, **({"url": f"{BASE_URL}/methodes/{m}/"} if m else {}))
                for s, t, m in chapters
            ],
        }
        chapters_json = json.dumps(chapters_doc, ensure_ascii=False, indent=2) + "\n"
        anchor.append({
            "id": index + 1, "guid": guid, "slug": slug, "title": title,
            "description": paragraphs[0], "date": aware.isoformat(),
            "duration": int(duration), "size": len(audio_bytes), "audio": f"media/{slug}.{blake3[:8]}.mp3",
            "mime": "audio/mpeg", "partner": partners[ep_partners[0]]["name"] if ep_partners else "",
            "methods": ep_methods, "territory": ep_territories[0], "season": season,
            "episode": season_counts[season] if ep_type == "full" else 0, "explicit": False,
            "transcript": f"transcripts/{slug}.vtt" if has_transcript else None,
        })
        entries.append({
            "guid": guid,
            "slug": slug,
            "date": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source_sha256": hashlib.sha256(source).hexdigest(),
            "media_name": f"{slug}.{blake3[:8]}.mp3",
            "media_length": len(audio_bytes),
            "media_sha256": audio_sha256,
            "transcript_sha256": transcript_sha256,
            "chapters_sha256": hashlib.sha256(chapters_json.encode("utf-8")).hexdigest(),
        })

    if not args.no_ledger:
        ledger = [LEDGER_HEADER]
        for e in entries:
            ledger.append(
                "\n[[entry]]\n"
                'action = "publish"\n'
                f'guid = "{e["guid"]}"\n'
                f'slug = "{e["slug"]}"\n'
                f"recorded_at = {e['date']}\n"
                f"pub_date = {e['date']}\n"
                'reason = "first publication"\n'
                f'source_sha256 = "{e["source_sha256"]}"\n'
                f'media_name = "{e["media_name"]}"\n'
                f"media_length = {e['media_length']}\n"
                f'media_sha256 = "{e["media_sha256"]}"\n'
                f'transcript_sha256 = "{e["transcript_sha256"]}"\n'
                f'chapters_sha256 = "{e["chapters_sha256"]}"\n'
            )
        (out / "feed/archive.toml").write_text("".join(ledger), encoding="utf-8")
    # The same catalog in the shared anchors' input format (../shared/bench-anchors/README.md).
    with open(out / "episodes.jsonl", "w", encoding="utf-8") as f:
        for record in anchor:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    n_tr = sum(1 for e in entries if e["transcript_sha256"])
    print(f"{out}: {len(entries)} episodes ({n_tr} with a transcript), shared audio {len(audio_bytes)} bytes, "
          f"{duration:g} s, blake3 {blake3[:8]}")


def vtt_ts(ms):
    return "%02d:%02d:%02d.%03d" % (ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60, ms % 1000)


def wrap_vtt(line, width=65):
    """A cue line cut at spaces to at most `width` characters, as Veillée's WebVTT writer does."""
    out, current = [], ""
    for word in line.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = ""
        current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out


def normalized_vtt(text):
    """The WebVTT that `veillee build` publishes for a generated transcript (voices named as
    written, lines rewrapped, text escaped)."""
    out = ["WEBVTT"]
    for block in text.split("\n\n")[1:]:
        lines = block.strip("\n").split("\n")
        if not lines or "-->" not in lines[0]:
            continue
        voice, first = lines[1][3:].split(">", 1)
        body = [first] + lines[2:]
        wrapped = [w for line in body for w in wrap_vtt(line)]
        out += ["", lines[0], f"<v {escape_vtt(voice)}>" + escape_vtt(wrapped[0])] + [escape_vtt(w) for w in wrapped[1:]]
    return "\n".join(out) + "\n"


def escape_vtt(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


if __name__ == "__main__":
    main()
