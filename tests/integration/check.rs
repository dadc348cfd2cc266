use crate::util::{Project, fixtures, tree};

const LEAZ: &str = "episodes/enquete-de-besoins-a-leaz.md";
const JAZ: &str = "episodes/cartographie-sensible-a-jazeneuil.md";
const LEAZ_AUDIO: &str = "episodes/Léaz — porte à porte 🎙.mp3";

#[test]
fn the_fixture_show_is_valid() {
    let p = Project::fixture("show");
    let out = p.ok(&["check"]);
    assert!(out.starts_with("ok: 5 episodes, 2 methods, 2 partners, 2 territories\n"), "{out}");
}

/// One bad input per case; each gets `path:line: message — hint` and exit 1.
#[test]
fn every_kind_of_bad_input_is_named_with_file_and_line() {
    type Mutation = fn(&Project);
    let cases: &[(&str, Mutation)] = &[
        ("empty episode file", |p| p.write(JAZ, "")),
        ("text renamed .mp3", |p| p.write(LEAZ_AUDIO, "Ceci n'est pas du son.\n")),
        ("truncated mp3", |p| p.write(LEAZ_AUDIO, std::fs::read(fixtures().join("audio/truncated.mp3")).unwrap())),
        ("ID3 size larger than the file", |p| {
            p.write(LEAZ_AUDIO, std::fs::read(fixtures().join("audio/id3-oversize.mp3")).unwrap());
        }),
        ("ID3 tag and no audio", |p| {
            p.write(LEAZ_AUDIO, std::fs::read(fixtures().join("audio/id3-only.mp3")).unwrap());
        }),
        ("front-matter typo", |p| p.edit(JAZ, "summary =", "sumary =")),
        ("unknown method slug", |p| {
            p.edit(LEAZ, "methods = [\"recensement-des-problemes\"]", "methods = [\"recensement-des-problemez\"]");
        }),
        ("unknown method in a chapter", |p| p.edit(JAZ, "[cartographie-sensible]", "[cartographie-sensibles]")),
        ("unknown partner in a method page", |p| {
            p.edit("site/methods/cartographie-sensible.md", "[\"la-traverse\"]", "[\"traverse\"]");
        }),
        ("missing GUID", |p| p.edit(JAZ, "guid = \"urn:veillee:test:cartographie\"\n", "")),
        ("empty GUID", |p| p.edit(JAZ, "urn:veillee:test:cartographie", " ")),
        ("duplicate GUID", |p| p.edit(JAZ, "urn:veillee:test:cartographie", "0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90")),
        ("missing audio file", |p| std::fs::remove_file(p.file(LEAZ_AUDIO)).unwrap()),
        ("malformed date", |p| p.edit(JAZ, "2024-09-03T18:30:00Z", "2024-09-03")),
        ("date that is not a date", |p| p.edit(JAZ, "2024-09-03T18:30:00Z", "\"mardi\"")),
        ("non-UTF-8 source", |p| p.write("site/territories/leaz.md", b"+++\nname = \"L\xe9az\"\n+++\n")),
        ("parent path in audio", |p| {
            p.edit(LEAZ, "audio = \"Léaz — porte à porte 🎙.mp3\"", "audio = \"../../etc/passwd\"");
        }),
        ("absolute path in audio", |p| {
            p.edit(LEAZ, "audio = \"Léaz — porte à porte 🎙.mp3\"", "audio = \"/etc/passwd\"");
        }),
        ("audio linking outside the project", |p| {
            std::os::unix::fs::symlink("/etc/hostname", p.file("episodes/lien.mp3")).unwrap();
            p.edit(LEAZ, "audio = \"Léaz — porte à porte 🎙.mp3\"", "audio = \"lien.mp3\"");
        }),
        ("unknown person role", |p| p.edit(LEAZ, "role = \"guest\"", "role = \"gest\"")),
        ("chapter out of order", |p| p.edit(JAZ, "00:01.500 Lire", "00:00 Lire")),
        ("chapter after the end", |p| p.edit(JAZ, "00:01.500 Lire", "10:00 Lire")),
        ("no front matter", |p| p.write(JAZ, "title = \"x\"\n")),
        ("unclosed front matter", |p| p.write(JAZ, "+++\ntitle = \"x\"\n")),
        ("file name that is not a slug", |p| {
            std::fs::rename(p.file(JAZ), p.file("episodes/Jazeneuil Été.md")).unwrap();
        }),
        ("transcript without an episode", |p| {
            p.write("transcripts/orphelin.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nx\n");
        }),
        ("transcript with a comma timestamp", |p| {
            p.write("transcripts/enquete-de-besoins-a-leaz.vtt", "WEBVTT\n\n00:00:00,000 --> 00:00:01.000\nx\n");
        }),
        ("transcript without header", |p| {
            p.write("transcripts/enquete-de-besoins-a-leaz.vtt", "00:00.000 --> 00:01.000\nx\n");
        }),
        ("category not Apple's", |p| p.edit("feed/channel.toml", "\"Society & Culture\"", "\"Society and Culture\"")),
        ("http base_url", |p| {
            p.edit("feed/channel.toml", "https://veillee.example.org\"", "http://veillee.example.org\"");
        }),
        ("cover too small", |p| p.write("feed/cover.jpg", std::fs::read(fixtures().join("images/small.jpg")).unwrap())),
        ("cover not square", |p| {
            p.write("feed/cover.png", std::fs::read(fixtures().join("images/wide.png")).unwrap());
            p.edit("feed/channel.toml", "image = \"cover.jpg\"", "image = \"cover.png\"");
        }),
        ("cover in grayscale", |p| {
            p.write("feed/cover.png", std::fs::read(fixtures().join("images/gray.png")).unwrap());
            p.edit("feed/channel.toml", "image = \"cover.jpg\"", "image = \"cover.png\"");
        }),
        ("cover named like another type", |p| {
            p.write("feed/cover.jpg", std::fs::read(fixtures().join("images/wide.png")).unwrap());
        }),
        ("cover missing", |p| std::fs::remove_file(p.file("feed/cover.jpg")).unwrap()),
        ("WAV audio", |p| {
            std::fs::copy(fixtures().join("audio/tone.wav"), p.file("episodes/cartographie-sensible-a-jazeneuil.wav"))
                .unwrap();
            std::fs::remove_file(p.file("episodes/cartographie-sensible-a-jazeneuil.m4a")).unwrap();
        }),
    ];
    let mut out = String::new();
    for (name, mutate) in cases {
        let p = Project::fixture("show");
        mutate(&p);
        let stderr = p.fails(&["check"]);
        out += &format!("## {name}\n{stderr}\n");
    }
    insta::assert_snapshot!(out);
}

/// Several problems in several files are all reported in one run, sorted by file.
#[test]
fn every_problem_at_once() {
    let p = Project::fixture("show");
    p.edit(JAZ, "summary =", "sumary =");
    p.edit(LEAZ, "territories = [\"leaz\"]", "territories = [\"lea\"]");
    p.edit(LEAZ, "2024-06-12T09:00:00+02:00", "2024-06-12T09:00:00");
    p.write("transcripts/orphelin.vtt", "WEBVTT\n");
    let stderr = p.fails(&["check"]);
    insta::assert_snapshot!(stderr);
}

/// A failed build leaves the outputs as they were.
#[test]
fn a_failed_build_touches_no_output() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let before = tree(&p.www());
    let current = std::fs::read_link(p.file("build/current")).unwrap();
    p.edit(LEAZ, "methods = [\"recensement-des-problemes\"]", "methods = [\"inconnue\"]");
    let stderr = p.fails(&["build"]);
    insta::assert_snapshot!(stderr, @r#"
    episodes/enquete-de-besoins-a-leaz.md:9: unknown method `inconnue` — create it with `veillee new method "…"` or fix the slug (see site/methods)
    1 error, 0 warnings
    "#);
    assert_eq!(std::fs::read_link(p.file("build/current")).unwrap(), current);
    assert_eq!(tree(&p.www()), before);
}

/// Control characters (C1, usually Windows-1252 text read as Latin-1; C0) are reported by
/// `check` with file and line, and stripped from every output: the feed, the pages, the chapters.
#[test]
fn control_characters_are_reported_and_stripped() {
    let p = Project::fixture("show");
    p.edit(LEAZ, "title = \"Frapper aux portes", "title = \"Frapper\u{85}aux portes");
    p.edit(LEAZ, "00:00 Ouverture", "00:00 Ouver\u{7}ture");
    p.edit(LEAZ, "Contenu de démonstration", "Contenu\u{92} de démonstration");
    let out = p.run(&["check"]);
    assert!(out.status.success(), "a warning, not an error");
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap(), @"
    episodes/enquete-de-besoins-a-leaz.md:2: warning: a control character U+0085 (and 2 more) — it is invisible: the text was probably written in Windows-1252 and read as Latin-1, where it was `…`; retype it (it is left out of every output)
    0 errors, 1 warning
    ");
    p.ok(&["build"]);
    let text_files = [".html", ".xml", ".json", ".vtt", ".srt"];
    for (path, bytes) in tree(&p.www()).into_iter().filter(|(path, _)| text_files.iter().any(|e| path.ends_with(e))) {
        let text = String::from_utf8_lossy(&bytes);
        let bad = text.chars().find(|c| matches!(*c as u32, 0x80..=0x9f | 0x7 | 0x1..=0x8));
        assert!(bad.is_none(), "{path} holds {bad:?}");
        assert!(!text.contains("\\u0007") && !text.contains("\\u0085"), "{path} holds an escaped control character");
    }
    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains("Frapperaux portes") || feed.contains("Frapper aux portes"), "the title stays");
}

/// A title over 255 characters is a warning (the feed cuts it).
#[test]
fn long_titles_are_reported() {
    let p = Project::fixture("show");
    p.edit(JAZ, "title = \"", &format!("title = \"{}", "Un titre ".repeat(40)));
    let out = p.run(&["check"]);
    assert!(out.status.success(), "a warning, not an error");
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap(), @"
    episodes/cartographie-sensible-a-jazeneuil.md:2: warning: the title has 399 characters: podcast apps show at most 255 — shorten it: the feed cuts it at a word before 255 characters, the website shows it whole
    0 errors, 1 warning
    ");
}

/// Drafts are explained: `check` and `build` say how many are not published and how to
/// publish them.
#[test]
fn drafts_are_explained() {
    let p = Project::fixture("show");
    insta::assert_snapshot!(p.ok(&["check"]), @"
    ok: 5 episodes, 2 methods, 2 partners, 2 territories
    1 draft is not published: `veillee publish brouillon` publishes it
    ");
    // The first build names no output: everything is new.
    insta::assert_snapshot!(p.ok(&["build"]) + &p.ok(&["build"]), @"
    built build/gen-1: 3 episodes; 0 re-probed, 3 re-indexed, 36 re-rendered, 38 re-written, 0 unchanged, 0 removed
    1 draft is not published: `veillee publish brouillon` publishes it
    nothing changed: build/current is still gen-1 (3 episodes)
    1 draft is not published: `veillee publish brouillon` publishes it
    ");
}

/// One bad episode gives the same problem (code and arguments) under `check`, `build` and
/// `serve`, in English on the command line, and in French on the web: the pages and the API of
/// a preview of those sources.
#[test]
fn one_bad_episode_is_the_same_problem_everywhere() {
    use veillee::problem::Lang;
    let p = Project::fixture("show");
    p.project().preview(&veillee::project::BuildOptions::default()).unwrap();
    p.edit(JAZ, "summary =", "sumary =");
    let check = p.fails(&["check"]);
    assert_eq!(p.fails(&["build"]), check);
    assert_eq!(p.fails(&["serve", "--addr", "127.0.0.1:0"]), check, "no earlier build to serve: serve stops");
    insta::assert_snapshot!(check, @"
    episodes/cartographie-sensible-a-jazeneuil.md:7: unknown field `sumary` — did you mean `summary`?
    1 error, 0 warnings
    ");
    let problems = p.project().check().unwrap_err();
    let json = problems.to_json(Lang::Fr);
    assert_eq!(json[0]["code"], "source.unknown-field");
    assert_eq!(json[0]["args"], serde_json::json!({"field": "sumary", "suggestion": "summary", "expected": null}));
    insta::assert_snapshot!(problems.render(Lang::Fr), @"
    episodes/cartographie-sensible-a-jazeneuil.md:7 : champ inconnu `sumary` — vouliez-vous dire `summary` ?
    1 erreur, 0 avertissement
    ");

    // A preview of the same sources serves the problems, in French, as pages and as JSON.
    let mut child = p
        .command()
        .args(["serve", "--preview", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::{BufRead, Read, Write};
    let line = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("serving "))
        .expect("serving line");
    let addr = line.strip_prefix("serving http://").unwrap().split('/').next().unwrap().to_owned();
    let get = |path: &str| {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let page = get("/");
    let api = get("/api/search?q=porte");
    child.kill().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    child.wait().unwrap();
    // Its log of requests (one `time=…` line each) aside.
    let problems: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("time=")).collect();
    assert_eq!(problems.join("\n"), check.trim_end(), "the preview prints the same problems");
    // The older preview was of other sources: it is not shown in the failed one's place.
    assert!(!p.file("build/preview").exists(), "{:?}", std::fs::read_link(p.file("build/preview")));
    assert!(page.starts_with("HTTP/1.1 503"), "{page}");
    assert!(
        page.contains("<html lang=\"fr\">")
            && page.contains("champ inconnu <code>sumary</code>")
            && page.contains("source.unknown-field"),
        "{page}"
    );
    let body: serde_json::Value = serde_json::from_str(api.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "build.problems");
    assert_eq!(body["error"]["problems"], json, "the API gives the problems as data, in French");
}

/// `check` measures every episode's audio against channel.toml's `[loudness]`: Apple's −16 LUFS,
/// which the fixtures' −22 LUFS tones miss, gives one warning per file with its advice (and the
/// exit stays 0); the fixture's own targets give none; a target out of range is an error at its
/// line; measures are kept by content.
#[test]
fn check_warns_about_audio_against_the_loudness_targets() {
    let p = Project::fixture("show");
    let quiet = String::from_utf8(p.run(&["check"]).stderr).unwrap();
    assert!(!quiet.contains("integrated loudness"), "{quiet}");

    p.edit("feed/channel.toml", "integrated_lufs = -22.0", "integrated_lufs = -16.0");
    let out = p.run(&["check"]);
    assert!(out.status.success());
    let warned = String::from_utf8(out.stderr).unwrap();
    insta::assert_snapshot!(warned);
    // Kept by content: one measure per distinct audio file, and the next check reads them.
    let kept = std::fs::read_dir(p.file(".veillee/cache/loudness")).unwrap().count();
    assert!(kept >= 2, "{kept} measures kept");
    assert_eq!(String::from_utf8(p.run(&["check"]).stderr).unwrap(), warned, "the same from the cache");

    p.edit("feed/channel.toml", "tolerance_lu = 1.0", "tolerance_lu = 50.0");
    let err = p.fails(&["check"]);
    assert!(
        err.contains("feed/channel.toml:")
            && err.contains("loudness.tolerance_lu")
            && err.contains("a number from 0.1 to 5 LU"),
        "{err}"
    );
}
