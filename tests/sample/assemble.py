#!/usr/bin/env python3
"""Helper of synthesize.sh (standard library only).

    assemble.py plan SCRIPT LEXICON WORKDIR   writes WORKDIR/NNN.txt (the text espeak-ng says) and
                                              prints one line per utterance: NNN, voice, speed, pitch
    assemble.py format SCRIPT                 prints mp3 or m4a
    assemble.py join SCRIPT WORKDIR WAV VTT EPISODE_MD
                                              trims every WORKDIR/NNN.wav, joins them with fixed pauses,
                                              writes the episode WAV and its WebVTT transcript, and
                                              rewrites the `chapters` and `soundbites` of EPISODE_MD
    assemble.py verify VTT DECODED_RAW        checks the decoded audio (s16le mono 22050 Hz): every
                                              pause ends where a cue starts, within 100 ms

The script format is described in tests/sample/README.md.
"""

import math
import re
import struct
import sys
import wave

RATE = 22050
LEAD_IN = 0.60  # silence before the first utterance
SAME_SPEAKER = 0.45  # pause between two utterances of one speaker
NEW_SPEAKER = 0.80  # pause when the speaker changes
TAIL = 1.00  # silence after the last utterance
# A sample louder than this (about -60 dBFS) is speech: leading and trailing samples at or under it
# are cut, so an utterance's speech starts at its first sample.
EDGE_THRESHOLD = 32
# Inside an utterance, espeak-ng pauses at commas and full stops. Stretches quieter than -30 dBFS
# (RMS over 5 ms) longer than INNER_PAUSE_MAX are shortened to it (their middle is cut), so that
# every pause inside an utterance is clearly shorter than the pauses between utterances.
INNER_LEVEL_DBFS = -30.0
INNER_PAUSE_MAX = 0.20
VTT_LINE_MAX = 65
SOUNDBITE_TAIL_MS = 250
SOUNDBITE_MIN_MS, SOUNDBITE_MAX_MS = 15_000, 30_000


def fail(message):
    sys.exit(f"assemble.py: {message}")


# ---------------------------------------------------------------- script


def parse_script(path):
    """Returns voices, format and utterances of a script."""
    voices, fmt, utterances = {}, "mp3", []
    pending_chapter = pending_soundbite = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        where = f"{path}:{number}"
        if not line:
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            key, _, value = body.partition(":")
            key, value = key.strip(), value.strip()
            if key == "voice":
                m = re.fullmatch(r"(\S+)\s*=\s*(\S+)\s+(\d+)\s+(\d+)", value)
                if not m:
                    fail(f"{where}: expected `# voice: Name = espeak-voice speed pitch`")
                voices[m.group(1)] = (m.group(2), m.group(3), m.group(4))
            elif key == "format":
                if value not in ("mp3", "m4a"):
                    fail(f"{where}: format must be mp3 or m4a")
                fmt = value
            elif key == "chapter":
                m = re.fullmatch(r"(.+?)(?:\s*\[([a-z0-9-]+)\])?", value)
                if not m or not m.group(1).strip():
                    fail(f"{where}: expected `# chapter: Title [method-slug]`")
                if pending_chapter:
                    fail(f"{where}: two chapters start at the same utterance")
                pending_chapter = (m.group(1).strip(), m.group(2))
            elif key == "soundbite":
                if not value:
                    fail(f"{where}: a soundbite needs a title")
                pending_soundbite = value
            elif body == "soundbite-end":
                if not utterances:
                    fail(f"{where}: soundbite-end before any utterance")
                utterances[-1]["soundbite_end"] = True
            continue  # any other `#` line is a comment
        speaker, sep, text = line.partition("|")
        speaker, text = speaker.strip(), text.strip()
        if not sep or not speaker or not text:
            fail(f"{where}: expected `Speaker|text`")
        if speaker not in voices:
            fail(f"{where}: no `# voice:` line for {speaker}")
        utterances.append(
            {
                "speaker": speaker,
                "text": text,
                "chapter": pending_chapter,
                "soundbite": pending_soundbite,
                "soundbite_end": False,
                "line": number,
            }
        )
        pending_chapter = pending_soundbite = None
    if not utterances:
        fail(f"{path}: no utterance")
    if not utterances[0]["chapter"]:
        fail(f"{path}: the first utterance must start a chapter (it is placed at 00:00)")
    if pending_chapter or pending_soundbite:
        fail(f"{path}: a marker at the end of the script starts nothing")
    return voices, fmt, utterances


def read_lexicon(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            written, sep, spoken = line.partition("=")
            if not sep:
                fail(f"{path}: expected `written = spoken`: {line}")
            entries.append((written.strip(), spoken.strip()))
    # Longest first, so that "Les Greniers d'Abondance" wins over a shorter entry inside it.
    entries.sort(key=lambda e: -len(e[0]))
    return entries


def spoken(text, lexicon):
    for written, say in lexicon:
        text = re.sub(r"(?<!\w)" + re.escape(written) + r"(?!\w)", say, text)
    return text


# ---------------------------------------------------------------- audio


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != RATE:
            fail(f"{path}: expected 16-bit mono {RATE} Hz")
        data = w.readframes(w.getnframes())
    return list(struct.unpack(f"<{len(data) // 2}h", data))


def trim(samples, path):
    loud = [i for i, x in enumerate(samples) if abs(x) > EDGE_THRESHOLD]
    if not loud:
        fail(f"{path}: no speech")
    return samples[loud[0] : loud[-1] + 1]


def shorten_inner_pauses(samples):
    """Cuts the middle of every stretch quieter than INNER_LEVEL_DBFS (in 5 ms windows) that is
    longer than INNER_PAUSE_MAX, keeping its first and last INNER_PAUSE_MAX / 2."""
    win = RATE // 200
    floor = 32768 * 10 ** (INNER_LEVEL_DBFS / 20)
    count = len(samples) // win
    quiet = [math.sqrt(sum(x * x for x in samples[k * win : (k + 1) * win]) / win) < floor for k in range(count)]
    limit = int(INNER_PAUSE_MAX * RATE)
    keep = limit // 2
    out, done, k = [], 0, 0
    while k < count:
        if not quiet[k]:
            k += 1
            continue
        j = k
        while j < count and quiet[j]:
            j += 1
        a, b = k * win, j * win
        # The trimmed edges are speech, so a quiet stretch touching them is left alone.
        if b - a > limit and k > 0 and j < count:
            out.extend(samples[done : a + keep])
            done = b - (limit - keep)
        k = j
    out.extend(samples[done:])
    return out


def write_wav(path, samples):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))


# ---------------------------------------------------------------- text outputs


def ms_floor(sample):
    return sample * 1000 // RATE


def ms_ceil(sample):
    return -(-sample * 1000 // RATE)


def vtt_time(ms):
    return f"{ms // 3_600_000:02}:{ms // 60_000 % 60:02}:{ms // 1000 % 60:02}.{ms % 1000:03}"


def chapter_time(ms):
    if ms == 0:
        return "00:00"
    return f"{ms // 60_000:02}:{ms // 1000 % 60:02}.{ms % 1000:03}"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wrap(prefix, text, where):
    """Lines of at most VTT_LINE_MAX characters; the first one starts with the voice span."""
    lines, current = [], prefix
    for word in escape(text).split():
        sep = "" if current in ("", prefix) else " "
        if len(current) + len(sep) + len(word) <= VTT_LINE_MAX:
            current += sep + word
        else:
            if current in ("", prefix):
                fail(f"{where}: a word is too long for a {VTT_LINE_MAX}-character line")
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > 3:
        fail(f"{where}: the utterance takes {len(lines)} transcript lines; split it (3 at most)")
    return lines


def toml_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rewrite_episode(path, chapters_block, soundbites_line):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.match(r"\+\+\+\n(.*?\n)\+\+\+\n", text, re.S)
    if not m:
        fail(f"{path}: no +++ front matter")
    front = m.group(1)
    front, n = re.subn(r"^chapters = '''\n.*?^'''\n", lambda _: chapters_block, front, flags=re.S | re.M)
    if n != 1:
        fail(f"{path}: expected one `chapters = '''` block to rewrite")
    front, n = re.subn(r"^soundbites = .*\n", lambda _: soundbites_line, front, flags=re.M)
    if n != 1:
        fail(f"{path}: expected one `soundbites = ` line to rewrite")
    with open(path, "w", encoding="utf-8") as f:
        f.write("+++\n" + front + "+++\n" + text[m.end() :])


# ---------------------------------------------------------------- commands


def cmd_plan(script, lexicon_path, workdir):
    voices, _, utterances = parse_script(script)
    lexicon = read_lexicon(lexicon_path)
    for n, u in enumerate(utterances):
        with open(f"{workdir}/{n:03}.txt", "w", encoding="utf-8") as f:
            f.write(spoken(u["text"], lexicon) + "\n")
        voice, speed, pitch = voices[u["speaker"]]
        print(f"{n:03}\t{voice}\t{speed}\t{pitch}")


def cmd_format(script):
    print(parse_script(script)[1])


def cmd_join(script, workdir, wav_out, vtt_out, episode_md):
    _, _, utterances = parse_script(script)
    audio = [0] * round(LEAD_IN * RATE)
    for n, u in enumerate(utterances):
        path = f"{workdir}/{n:03}.wav"
        samples = shorten_inner_pauses(trim(read_wav(path), path))
        if n > 0:
            pause = SAME_SPEAKER if u["speaker"] == utterances[n - 1]["speaker"] else NEW_SPEAKER
            audio.extend([0] * round(pause * RATE))
        u["start"] = len(audio)
        audio.extend(samples)
        u["end"] = len(audio)
    audio.extend([0] * round(TAIL * RATE))
    write_wav(wav_out, audio)
    total_ms = ms_floor(len(audio))

    cues = ["WEBVTT", "", "NOTE Démonstration : voix de synthèse, personnages fictifs.", ""]
    for u in utterances:
        where = f"{script}:{u['line']}"
        text_lines = wrap(f"<v {u['speaker']}>", u["text"], where)
        cues.append(f"{vtt_time(ms_floor(u['start']))} --> {vtt_time(ms_ceil(u['end']))}")
        cues.extend(text_lines)
        cues.append("")
    with open(vtt_out, "w", encoding="utf-8") as f:
        f.write("\n".join(cues))

    chapters = []
    for i, u in enumerate(utterances):
        if u["chapter"]:
            title, method = u["chapter"]
            start = 0 if i == 0 else ms_floor(u["start"])
            chapters.append(f"{chapter_time(start)} {title}" + (f" [{method}]" if method else ""))
    if len(chapters) < 3:
        fail(f"{script}: {len(chapters)} chapters; at least 3 are expected")
    chapters_block = "chapters = '''\n" + "\n".join(chapters) + "\n'''\n"

    bites = []
    for i, u in enumerate(utterances):
        if u["soundbite"]:
            last = next((v for v in utterances[i:] if v["soundbite_end"]), None)
            if last is None:
                fail(f"{script}:{u['line']}: the soundbite has no `# soundbite-end`")
            start = ms_floor(u["start"])
            duration = min(ms_ceil(last["end"]) + SOUNDBITE_TAIL_MS, total_ms) - start
            if not SOUNDBITE_MIN_MS <= duration <= SOUNDBITE_MAX_MS:
                fail(f"{script}:{u['line']}: the soundbite lasts {duration / 1000:.3f} s, not 15 to 30 s")
            bites.append(
                f"{{ start = {toml_string(chapter_time(start))}, duration = {duration / 1000:.3f}, "
                f"title = {toml_string(u['soundbite'])} }}"
            )
    if len(bites) != 1:
        fail(f"{script}: {len(bites)} soundbites; exactly one is expected")
    soundbites_line = "soundbites = [" + ", ".join(bites) + "]\n"
    rewrite_episode(episode_md, chapters_block, soundbites_line)
    print(f"{len(utterances)} utterances, {len(chapters)} chapters, {total_ms / 1000:.3f} s")


def parse_vtt_starts(path):
    starts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> ", line)
            if m:
                h, mi, s, ms = map(int, m.groups())
                starts.append(((h * 60 + mi) * 60 + s) * 1000 + ms)
    return starts


def cmd_verify(vtt, raw):
    with open(raw, "rb") as f:
        data = f.read()
    samples = struct.unpack(f"<{len(data) // 2}h", data)
    frame = RATE // 100  # 220 samples, about 10 ms
    levels = []
    for i in range(0, len(samples) - frame + 1, frame):
        chunk = samples[i : i + frame]
        rms = math.sqrt(sum(x * x for x in chunk) / frame)
        levels.append(20 * math.log10(max(rms, 1e-9) / 32768))
    starts = parse_vtt_starts(vtt)
    for threshold in (-30.0, -40.0, -50.0, -60.0):
        # Speech onsets: the first loud frame after at least 300 ms of frames under the threshold.
        onsets, quiet = [], 0
        for k, level in enumerate(levels):
            if level < threshold:
                quiet += 1
            else:
                if quiet * frame >= 0.3 * RATE:
                    onsets.append(k * frame * 1000 // RATE)
                quiet = 0
        if len(onsets) != len(starts):
            fail(f"{vtt}: at {threshold:.0f} dBFS, {len(onsets)} speech onsets after a pause but {len(starts)} cues")
        worst = max(abs(a - b) for a, b in zip(onsets, starts))
        if worst > 100:
            fail(f"{vtt}: at {threshold:.0f} dBFS a cue starts {worst} ms away from its speech")
        print(f"  {threshold:.0f} dBFS: {len(onsets)} onsets, each within {worst} ms of its cue")


def main(argv):
    commands = {"plan": (cmd_plan, 3), "format": (cmd_format, 1), "join": (cmd_join, 5), "verify": (cmd_verify, 2)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        sys.exit(__doc__)
    command, _ = commands[argv[1]]
    command(*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
