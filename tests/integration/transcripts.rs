//! Transcripts: every format read, written and read back; the Podcast Index examples; the
//! import command; the checks; bad input named with its file and line, nothing half-written.

use std::path::{Path, PathBuf};

use veillee::problem::Diagnostic as _;
use veillee::transcript::{Format, ReadOptions, Transcript, check_round_trip, load, parse, write_vtt};

use crate::util::{Project, fixtures};

fn shared(name: &str) -> PathBuf {
    fixtures().join("podcast-namespace").join(name)
}

fn read(path: &Path) -> Transcript {
    load(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{}: {e:?}", path.display())).parsed.transcript
}

/// Every transcript we have, in every input format.
fn inputs() -> Vec<PathBuf> {
    let mut out =
        vec![shared("transcripts-example.vtt"), shared("transcripts-example.srt"), shared("transcripts-example.json")];
    for dir in [fixtures().join("search/transcripts"), Path::new(env!("CARGO_MANIFEST_DIR")).join("transcripts")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        out.extend(files);
    }
    out
}

#[test]
fn every_format_round_trips() {
    let mut formats = std::collections::BTreeSet::new();
    for path in inputs() {
        let loaded = load(&path, &ReadOptions::default()).unwrap();
        formats.insert(format!("{:?}", loaded.parsed.format));
        assert!(!loaded.parsed.transcript.cues.is_empty(), "{}", path.display());
        check_round_trip(&loaded.parsed.transcript).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    assert_eq!(formats.len(), 5, "every input format is covered: {formats:?}");
}

/// Inputs the fuzz targets found crashing (tests/fixtures/fuzz/<target>/), fixed since.
#[test]
fn fuzzed_inputs_stay_fixed() {
    let mut n = 0;
    for (dir, format) in [("vtt", Some(Format::Vtt)), ("srt", Some(Format::Srt)), ("json", None)] {
        let Ok(entries) = std::fs::read_dir(fixtures().join("fuzz").join(dir)) else { continue };
        for path in entries.map(|e| e.unwrap().path()) {
            let bytes = std::fs::read(&path).unwrap();
            if let Ok(parsed) = parse(&bytes, &ReadOptions { format, ..ReadOptions::default() }, None) {
                check_round_trip(&parsed.transcript).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
            n += 1;
        }
    }
    assert!(n > 0);
}

#[test]
fn podcast_index_examples() {
    let vtt = read(&shared("transcripts-example.vtt"));
    assert_eq!(vtt.cues[0].voice.as_deref(), Some("Sarah"));
    assert_eq!(vtt.cues[2].text, "include in one? Welcome to Podcasting Q&A, where you learn");
    assert!(vtt.cues.iter().any(|c| c.voice.as_deref() == Some("Gillian")));

    // SRT names the speaker when it changes: the next cues keep it.
    let srt = read(&shared("transcripts-example.srt"));
    assert_eq!((srt.cues[0].start_ms, srt.cues[0].end_ms), (179, 2399));
    assert_eq!(srt.cues[0].voice.as_deref(), Some("Travis"));
    assert_eq!(srt.cues[1].voice.as_deref(), Some("Travis"));
    assert_eq!(srt.cues[0].text, "When you first get\nstarted in podcasting, it's");

    // Word-level JSON: kept as it is by the reader, merged into cues by the import.
    let mut json = read(&shared("transcripts-example.json"));
    assert_eq!(json.cues[0].text, "I");
    assert_eq!((json.cues[0].start_ms, json.cues[0].end_ms), (500, 750));
    json.merge_words();
    let summary: Vec<String> = json
        .cues
        .iter()
        .map(|c| format!("{}–{} {}: {}", c.start_ms, c.end_ms, c.voice.as_deref().unwrap_or("?"), c.text))
        .collect();
    assert_eq!(summary, ["500–2500 Darth Vader: I am your father.", "2750–3000 Luke: Nooooo"]);
}

#[test]
fn tool_quirks() {
    let opts = ReadOptions::default();
    // openai/whisper: hours left out, text not escaped.
    let t = parse(b"WEBVTT\n\n00:05.000 --> 00:07.500\nR&D <3 Jazeneuil\n", &opts, None).unwrap().transcript;
    assert_eq!(t.cues[0].text, "R&D <3 Jazeneuil");
    // whisperX: `[SPEAKER_00]: ` prefixes.
    let t = parse(b"WEBVTT\n\n00:00.000 --> 00:02.000\n[SPEAKER_00]: Bonjour\n", &opts, None).unwrap().transcript;
    assert_eq!((t.cues[0].voice.as_deref(), t.cues[0].text.as_str()), (Some("SPEAKER_00"), "Bonjour"));
    // whisper.cpp --diarize: an unclosed voice span.
    let t = parse(b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Speaker0>Salut\n", &opts, None).unwrap().transcript;
    assert_eq!(t.cues[0].voice.as_deref(), Some("Speaker0"));
    // whisper JSON: the leading space of segments is trimmed.
    let json = br#"{"text":" a","segments":[{"id":0,"seek":0,"start":0.0,"end":1.5,"text":" Bonjour.","tokens":[1],"temperature":0.0}],"language":"fr"}"#;
    let t = parse(json, &opts, None).unwrap();
    assert_eq!(
        (t.format, t.transcript.cues[0].text.as_str(), t.transcript.cues[0].end_ms),
        (Format::Whisper, "Bonjour.", 1500)
    );
    // whisper.cpp JSON: millisecond offsets, SRT-style timestamps ignored.
    let json = br#"{"systeminfo":"","model":{},"params":{},"result":{"language":"fr"},"transcription":[{"timestamps":{"from":"00:00:00,240","to":"00:00:05,880"},"offsets":{"from":240,"to":5880},"text":" Oui [SPEAKER_TURN]"}]}"#;
    let t = parse(json, &opts, None).unwrap();
    assert_eq!(
        (t.format, t.transcript.cues[0].text.as_str(), t.transcript.cues[0].start_ms),
        (Format::WhisperCpp, "Oui", 240)
    );
    // A zero-length word is kept, one millisecond long: WebVTT wants an end after the start.
    let json = br#"{"version":"1.0.0","segments":[{"startTime":1,"endTime":1,"body":"Oui"}]}"#;
    let t = parse(json, &opts, None).unwrap().transcript;
    assert_eq!((t.cues[0].start_ms, t.cues[0].end_ms), (1000, 1001));
    let vtt = write_vtt(&t, &Default::default());
    assert_eq!(parse(vtt.as_bytes(), &opts, None).unwrap().transcript.cues[0].end_ms, 1001);
}

/// A `Read` that never ends and never gives a newline: only a bounded reader returns.
#[test]
fn a_runaway_file_fails_fast() {
    let p = Project::fixture("show");
    // 64 MiB without a newline.
    let big = p.file("big.srt");
    let f = std::fs::File::create(&big).unwrap();
    let mut w = std::io::BufWriter::new(f);
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..64 {
        std::io::Write::write_all(&mut w, &chunk).unwrap();
    }
    drop(w);
    let err = load(&big, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        format!("{:?} {}", err.0, err.1),
        "Line(1) a line longer than 65536 bytes: this is not a text transcript"
    );
    // Over the limit: refused from its size alone.
    std::fs::File::options().write(true).open(&big).unwrap().set_len(64 * 1024 * 1024 + 1).unwrap();
    let err = load(&big, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.1.code(), "transcript.too-large");
}

#[test]
fn bad_input_is_named_with_file_and_line_and_nothing_is_half_written() {
    let p = Project::fixture("show");
    let slug = "enquete-de-besoins-a-leaz";
    let before = p.read(&format!("transcripts/{slug}.vtt"));
    let cases: &[(&str, &[u8])] = &[
        ("not UTF-8", b"WEBVTT\n\n00:01.000 --> 00:02.000\nL\xe9az\n"),
        ("missing header", b"00:01.000 --> 00:02.000\nBonjour\n"),
        ("malformed timestamp", b"WEBVTT\n\n00:01.000 --> 00:02\nBonjour\n"),
        ("comma in WebVTT", b"WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nBonjour\n"),
        ("end before start", b"WEBVTT\n\n00:01.000 --> 00:02.000\nun\n\n00:05.000 --> 00:04.000\ndeux\n"),
        ("SRT end before start", b"1\n00:00:05,000 --> 00:00:04,000\nun\n"),
        ("SRT without time line", b"1\n00:00:01,000 --> 00:00:02,000\nun\n\n2\nBonjour\n"),
        ("unknown format", b"Bonjour, ceci est un texte.\n"),
        ("empty file", b""),
        ("header only", b"WEBVTT\n"),
        ("JSON syntax", b"{\"segments\": [{\"start\": 1.0, \"end\": 2.0, \"text\": \"a\"},\n]}"),
        ("JSON negative time", b"{\"segments\": [{\"start\": -1.0, \"end\": 2.0, \"text\": \"a\"}]}"),
        ("JSON end before start", b"{\"version\": \"1.0.0\", \"segments\": [{\"startTime\": 1, \"endTime\": 2, \"body\": \"a\"}, {\"startTime\": 3, \"endTime\": 2.5, \"body\": \"b\"}]}"),
        ("JSON missing field", b"{\"transcription\": [{\"offsets\": {\"from\": 0}, \"text\": \"a\"}]}"),
    ];
    let mut out = String::new();
    for (name, bytes) in cases {
        let ext = match name.split(' ').next() {
            Some("SRT") => "srt",
            Some("JSON") => "json",
            Some("unknown") => "txt",
            _ => "vtt",
        };
        let file = format!("import.{ext}");
        p.write(&file, bytes);
        let err = p.fails(&["transcript", "import", slug, &p.file(&file).to_string_lossy()]);
        out.push_str(&format!("## {name}\n{}\n", err.replace(&p.path().to_string_lossy().into_owned(), "<project>")));
        assert_eq!(p.read(&format!("transcripts/{slug}.vtt")), before, "{name}: the transcript is untouched");
    }
    let leftovers: Vec<String> = std::fs::read_dir(p.file("transcripts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, [format!("{slug}.vtt")], "no temporary file left");
    out.push_str("## no such episode\n");
    out.push_str(&p.fails(&["transcript", "import", "enquete-de-besoins-a-lea", "import.vtt"]));
    insta::assert_snapshot!(out);
}

#[test]
fn import_names_speakers_and_writes_normalized_webvtt() {
    let p = Project::fixture("show");
    let slug = "enquete-de-besoins-a-leaz";
    // whisperX JSON with diarization; SPEAKER_00 and SPEAKER_01 are named in the episode.
    p.write(
        "whisperx.json",
        r#"{"segments":[{"start":0.0,"end":0.9,"text":" Bonjour & bienvenue <à> Léaz.","speaker":"SPEAKER_00"},{"start":0.9,"end":1.8,"text":" On frappe --> aux portes.","speaker":"SPEAKER_01"},{"start":1.8,"end":1.9,"text":"  ","speaker":"SPEAKER_01"}],"word_segments":[],"language":"fr"}"#,
    );
    let report = p.ok(&["transcript", "import", slug, &p.file("whisperx.json").to_string_lossy()]);
    let vtt = p.read(&format!("transcripts/{slug}.vtt"));
    let report = report.replace(&p.path().to_string_lossy().into_owned(), "<project>");
    insta::assert_snapshot!(format!("{report}\n---\n{vtt}"));
    // Windows-1252 only on request.
    p.write("latin.srt", b"1\n00:00:00,000 --> 00:00:01,500\nCamille Martin: L\xe9az, c\x92est ici.\n");
    let err = p.fails(&["transcript", "import", slug, &p.file("latin.srt").to_string_lossy()]);
    insta::assert_snapshot!(err.replace(&p.path().display().to_string(), "<project>"), @"
    <project>/latin.srt:3: not UTF-8 at byte 49 — save the file as UTF-8 (a Windows-1252 file can be imported with `--encoding windows-1252`)
    1 error, 0 warnings
    ");
    p.ok(&["transcript", "import", slug, &p.file("latin.srt").to_string_lossy(), "--encoding", "windows-1252"]);
    assert!(p.read(&format!("transcripts/{slug}.vtt")).contains("<v Camille Martin>Léaz, c’est ici."));
    p.ok(&["check"]);
}

#[test]
fn check_reports_transcript_problems() {
    let p = Project::fixture("show");
    let t = "transcripts/enquete-de-besoins-a-leaz.vtt";
    p.write(
        t,
        "WEBVTT\n\n00:00.000 --> 00:01.000\n<v SPEAKER_00>Bonjour\n\n00:00.500 --> 00:01.500\n<v SPEAKER_07>Chevauche\n\n00:00.200 --> 00:00.400\n<v SPEAKER_01>Avant\n\n00:01.600 --> 00:01.700\n<i></i>\n\n00:01.800 --> 00:09.000\nAprès la fin\n",
    );
    p.write("transcripts/sans-episode.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nSeul\n");
    p.write("transcripts/brouillon.srt", "1\n00:00:00,000 --> 00:00:01,000\nSeul\n");
    let err = p.fails(&["check"]);
    insta::assert_snapshot!(err);
}

/// What a build publishes of a transcript, in its four formats.
#[test]
fn published_formats() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let mut out = String::new();
    for ext in ["vtt", "srt", "json", "html"] {
        let rel = format!("build/current/www/transcripts/enquete-de-besoins-a-leaz.{ext}");
        out.push_str(&format!("## {ext}\n{}\n", p.read(&rel)));
    }
    insta::assert_snapshot!(out);
}
