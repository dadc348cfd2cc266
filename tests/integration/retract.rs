//! Retraction: an episode out of every output and of build/, its sources deleted or kept, the
//! ledger keeping its record; `archive log`; no operation rewrites a past ledger entry; a
//! retraction killed at every step, and run again.

use crate::util::{Project, tree};

const LEAZ: &str = "enquete-de-besoins-a-leaz";
const LEAZ_GUID: &str = "0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90";
const LEAZ_SOURCES: [&str; 3] = [
    "episodes/enquete-de-besoins-a-leaz.md",
    "episodes/Léaz — porte à porte 🎙.mp3",
    "transcripts/enquete-de-besoins-a-leaz.vtt",
];

fn ledger(p: &Project) -> String {
    p.read("feed/archive.toml")
}

/// Every file under `build/` (all generations, previews included) whose path or bytes name the
/// Léaz episode.
fn leaz_under_build(p: &Project) -> Vec<String> {
    tree(&p.file("build"))
        .into_iter()
        .filter(|(path, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            path.contains(LEAZ) || text.contains(LEAZ_GUID) || text.contains("enquête de besoins à Léaz")
        })
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn a_retracted_episode_leaves_every_output_and_its_record_stays() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    // A second generation (the first is kept for servers that have not switched) and a preview.
    p.ok(&["build", "--base-url", "https://ailleurs.example.org"]);
    p.project().preview(&veillee::project::BuildOptions { base_url: None, drafts: true }).unwrap();
    assert!(!leaz_under_build(&p).is_empty());
    assert!(p.ok(&["search", "portes"]).contains(LEAZ));

    let before = ledger(&p);
    let out = p.ok(&["retract", LEAZ, "--reason", "Dominique retire son accord (courriel du 3 janvier)"]);
    insta::assert_snapshot!(out.lines().take(5).collect::<Vec<_>>().join("\n"), @"
    retracted enquete-de-besoins-a-leaz (0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90): out of the feed, the site, the search and www
    deleted transcripts/enquete-de-besoins-a-leaz.vtt
    deleted episodes/enquete-de-besoins-a-leaz.md
    deleted episodes/Léaz — porte à porte 🎙.mp3
    built build/gen-3: 2 episodes; 0 re-probed, 2 re-indexed, 24 re-rendered, 24 re-written, 7 unchanged, 7 removed
    ");
    let after = ledger(&p);
    assert!(after.starts_with(&before), "entries are only appended");
    insta::assert_snapshot!(&after[before.len()..]);

    // Out of every output, and of every generation and preview under build/.
    assert_eq!(leaz_under_build(&p), Vec::<String>::new());
    assert!(!p.file("build/gen-1").exists() && !p.file("build/gen-2").exists());
    let feed = p.read("build/current/www/feed.xml");
    assert_eq!(feed.matches("<item>").count(), 2);
    assert!(!p.ok(&["search", "portes"]).contains(LEAZ));
    for source in LEAZ_SOURCES {
        assert!(!p.file(source).exists(), "{source} deleted");
    }
    p.ok(&["check"]);

    // Its GUID and slug are never used again.
    insta::assert_snapshot!(p.fails(&["publish", LEAZ]), @"error: `enquete-de-besoins-a-leaz` was retracted: it stays out of every output, and its GUID and slug are never used again (its history: `veillee archive log enquete-de-besoins-a-leaz`)");
    insta::assert_snapshot!(p.fails(&["retract", LEAZ, "--reason", "encore"]), @"error: `enquete-de-besoins-a-leaz` was retracted: it stays out of every output, and its GUID and slug are never used again (its history: `veillee archive log enquete-de-besoins-a-leaz`)");
    p.fails(&["new", "episode", "Enquête de besoins à Léaz"]);
    assert_eq!(ledger(&p), after);

    insta::assert_snapshot!(p.ok(&["archive", "log", LEAZ]), @"
    2024-06-12 07:00 UTC  publish     enquete-de-besoins-a-leaz  0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90
        media enquete-de-besoins-a-leaz.f5e72987.mp3 (8377 bytes, sha256 073ca9fa654e1d8cb1168c21c78aeb1399f0fe48aca9937359c613d2f9a28258)
        reason: first publication
    2026-01-01 00:00 UTC  retract     enquete-de-besoins-a-leaz  0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90  « Frapper aux portes : l'enquête de besoins à Léaz & <ailleurs> \"]]>\" »
        media enquete-de-besoins-a-leaz.f5e72987.mp3 (8377 bytes, sha256 073ca9fa654e1d8cb1168c21c78aeb1399f0fe48aca9937359c613d2f9a28258)
        reason: Dominique retire son accord (courriel du 3 janvier)
    ");
    assert_eq!(p.ok(&["archive", "log"]).matches("\n20").count() + 1, 5, "every entry");
    insta::assert_snapshot!(p.ok(&["archive", "log", "brouillon"]), @"nothing in feed/archive.toml for `brouillon`: it was never published");
}

#[test]
fn kept_sources_stay_out_of_every_output() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let out = p.ok(&["retract", "bande-annonce", "--reason", "Remplacée par la saison 2", "--keep-sources"]);
    assert!(out.contains("its sources are kept"), "{out}");
    assert!(p.file("episodes/bande-annonce.md").is_file() && p.file("episodes/bande-annonce.mp3").is_file());
    p.ok(&["check"]);
    p.ok(&["build"]);
    let www = tree(&p.www());
    assert!(!www.keys().any(|k| k.contains("bande-annonce")), "{:?}", www.keys().collect::<Vec<_>>());
    assert!(!String::from_utf8_lossy(&www["feed.xml"]).contains("c6a1f0d2-3b5e-4f7a-9c8d-2e1b0a9f8e7d"));
    // A new version of everything passes it by; alone, it is refused.
    p.edit("episodes/bande-annonce.md", "village par village", "village après village");
    let all = p.ok(&["publish", "--all", "--new-version", "--reason", "relu"]);
    assert!(!all.contains("bande-annonce ("), "{all}");
    p.fails(&["publish", "bande-annonce", "--new-version", "--reason", "x"]);
}

#[test]
fn what_cannot_be_retracted_is_refused_and_nothing_written() {
    let p = Project::fixture("show");
    let before = ledger(&p);
    let refusals = [
        p.fails(&["retract", "brouillon", "--reason", "x"]),
        p.fails(&["retract", "bande-anonce", "--reason", "x"]),
        p.fails(&["retract", "bande-annonce", "--reason", "  "]),
    ];
    insta::assert_snapshot!(refusals.join(""), @"
    error: `brouillon` is not published yet — run `veillee publish brouillon` first
    error: no episode `bande-anonce` in episodes/ — did you mean `bande-annonce`?
    error: a retraction needs a reason, kept in the ledger: add --reason \"why it is withdrawn\"
    ");
    let usage = p.run(&["retract", "bande-annonce"]);
    assert_eq!(usage.status.code(), Some(2), "no reason is a usage error");
    assert_eq!(ledger(&p), before);
    assert!(p.file("episodes/brouillon.md").is_file() && p.file("episodes/bande-annonce.mp3").is_file());
    // A scheduled episode can be withdrawn before it comes out.
    p.ok(&["retract", "episode-a-venir", "--reason", "Annulé"]);
    assert!(ledger(&p).ends_with("title = \"Un épisode à venir\"\n"), "{}", ledger(&p));
}

/// The ledger is append-only whatever writes it: each operation's ledger starts with the one
/// before, byte for byte, and its entries parse to the same records plus new ones.
#[test]
fn no_operation_rewrites_past_ledger_entries() {
    let p = Project::fixture("show");
    let mut before = ledger(&p);
    let mut step = |what: &str, args: &[&str]| {
        p.ok(args);
        let after = ledger(&p);
        assert!(after.starts_with(&before) && after.len() > before.len(), "{what} rewrote the ledger");
        before = after;
    };
    step("publish", &["publish", "brouillon"]);
    std::fs::copy(p.file("episodes/bande-annonce.mp3"), p.file("episodes/brouillon.mp3")).unwrap();
    step("a new version", &["publish", "brouillon", "--new-version", "--reason", "Autre montage"]);
    std::fs::copy(p.file("episodes/bande-annonce.mp3"), p.file("episodes/Léaz — porte à porte 🎙.mp3")).unwrap();
    std::fs::rename(p.file("episodes/enquete-de-besoins-a-leaz.md"), p.file("episodes/frapper-aux-portes.md")).unwrap();
    std::fs::rename(p.file("transcripts/enquete-de-besoins-a-leaz.vtt"), p.file("transcripts/frapper-aux-portes.vtt"))
        .unwrap();
    step("a renamed episode's new version", &["publish", "--all", "--new-version", "--reason", "Nouveau nom"]);
    step("retract", &["retract", "frapper-aux-portes", "--reason", "Demande légale"]);
    step("retract", &["retract", "brouillon", "--reason", "Doublon", "--keep-sources"]);
    // Every entry written is one a reader accepts, and the log tells all of them.
    let log = p.ok(&["archive", "log", LEAZ]);
    assert!(
        log.contains("retract     frapper-aux-portes") && log.contains("publish     enquete-de-besoins-a-leaz"),
        "{log}"
    );
}

/// SIGKILL at every step of a retraction (the generation's files and renames, then the named
/// points: staged, ledger written): before the ledger entry, the project is as it was and the
/// retraction can be run again; after, `check` passes, the next build leaves the episode out,
/// and its sources are either all there (then kept out of every output) or deleted.
#[test]
fn a_killed_retraction_leaves_a_consistent_project() {
    let setup = Project::fixture("show");
    setup.ok(&["build"]);
    let (current, ledger_before) = (tree(&setup.file("build/current")), ledger(&setup));
    let mut points: Vec<String> = (0..).map(|n: usize| n.to_string()).take(200).collect();
    points.splice(0..0, ["retract:staged", "retract:ledger", "retract:deleting"].map(String::from));
    let mut killed = 0;
    for point in points {
        let p = Project::fixture("show");
        std::fs::remove_dir_all(p.path()).unwrap();
        crate::util::copy_dir(setup.path(), p.path());
        let out = p
            .command()
            .args(["retract", LEAZ, "--reason", "Retrait"])
            .env("VEILLEE_TEST_CRASH_AT", &point)
            .output()
            .unwrap();
        if out.status.success() {
            assert!(point.parse::<usize>().is_ok(), "the named point {point} was never reached");
            break;
        }
        killed += 1;
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(9), "{point}: {out:?}");
        if ledger(&p) == ledger_before {
            assert!(tree(&p.file("build/current")) == current, "{point}: current changed, no ledger entry");
            assert!(LEAZ_SOURCES.iter().all(|s| p.file(s).is_file()), "{point}: a source went");
            p.ok(&["check"]);
            p.ok(&["retract", LEAZ, "--reason", "Retrait"]);
        } else {
            assert!(ledger(&p).contains("action = \"retract\""), "{point}");
            p.ok(&["check"]);
            p.ok(&["build"]);
            // Killed before or while it deleted the sources: run again, it deletes what is left.
            if LEAZ_SOURCES.iter().any(|s| p.file(s).exists()) {
                let again = p.ok(&["retract", LEAZ, "--reason", "Retrait"]);
                assert!(again.contains("its sources are deleted now"), "{point}: {again}");
            }
            assert!(LEAZ_SOURCES.iter().all(|s| !p.file(s).exists()), "{point}");
        }
        assert!(!p.read("build/current/www/feed.xml").contains(LEAZ_GUID), "{point}");
        assert!(!tree(&p.www()).keys().any(|k| k.contains(LEAZ)), "{point}");
    }
    assert!(killed > 10, "a retraction was killed at {killed} points only");
}
