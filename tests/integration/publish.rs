//! The lifecycle: draft, publish, scheduled, new version, rename and redirect, refusal of
//! changed media, and a publish killed midway.

use crate::util::{Project, fixtures, tree};

const LEAZ: &str = "episodes/enquete-de-besoins-a-leaz.md";
const LEAZ_AUDIO: &str = "episodes/Léaz — porte à porte 🎙.mp3";

fn ledger(p: &Project) -> String {
    p.read("feed/archive.toml")
}

#[test]
fn a_draft_is_in_no_output_until_published() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let www = tree(&p.www());
    assert!(!www.keys().any(|k| k.contains("brouillon")), "no page, media or transcript of a draft");
    assert!(!String::from_utf8_lossy(&www["feed.xml"]).contains("Un brouillon"));

    let before = ledger(&p);
    let out = p.ok(&["publish", "brouillon"]);
    assert!(out.starts_with("publish brouillon (9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b): brouillon.f5e72987.mp3, out on 2026-01-01 00:00 UTC\n"), "{out}");
    let after = ledger(&p);
    assert!(after.starts_with(&before), "entries are only appended");
    let entry = &after[before.len()..];
    insta::assert_snapshot!(entry);
    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains("<title>Un brouillon</title>"));
    // Its date was in the past: it comes out now, not back in July 2024.
    assert!(feed.contains("<pubDate>Thu, 01 Jan 2026 00:00:00 GMT</pubDate>"));
    assert!(p.www().join("media/brouillon.f5e72987.mp3").is_file());
    assert!(p.www().join("episodes/brouillon/index.html").is_file());

    let again = p.fails(&["publish", "brouillon"]);
    insta::assert_snapshot!(again);
    assert_eq!(ledger(&p), after, "a refused publish writes nothing");
    let unknown = p.fails(&["publish", "brouillom"]);
    insta::assert_snapshot!(unknown, @"error: no episode `brouillom` in episodes/ — did you mean `brouillon`?");
}

/// `build/preview` was a directory before previews were generations of their own: the next
/// preview replaces it by the link.
#[test]
fn an_old_preview_directory_gives_way() {
    let p = Project::fixture("show");
    std::fs::create_dir_all(p.file("build/preview/www")).unwrap();
    std::fs::write(p.file("build/preview/www/feed.xml"), "old").unwrap();
    p.project().preview(&veillee::project::BuildOptions::default()).unwrap();
    assert_eq!(std::fs::read_link(p.file("build/preview")).unwrap().to_str(), Some("preview-1"));
    assert!(p.read("build/preview/www/feed.xml").starts_with("<?xml"));
}

#[test]
fn drafts_and_scheduled_episodes_show_only_in_the_preview() {
    let p = Project::fixture("show");
    let options = veillee::project::BuildOptions { base_url: None, drafts: true };
    let report = p.project().preview(&options).unwrap();
    assert_eq!(report.to_string(), "built the preview build/preview-1: 5 episodes\n");
    let feed = p.read("build/preview/www/feed.xml");
    assert!(feed.contains("<title>Un brouillon</title>") && feed.contains("<title>Un épisode à venir</title>"));
    assert!(!p.file("build/current").exists(), "a preview is never a generation");
}

/// A published episode whose date is to come is in no output (feed, pages, media) until then.
#[test]
fn a_scheduled_episode_comes_out_at_its_date() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let www = tree(&p.www());
    assert!(!www.keys().any(|k| k.contains("episode-a-venir")), "{:?}", www.keys());
    assert!(!www.values().any(|bytes| String::from_utf8_lossy(bytes).contains("Un épisode à venir")));
    let later = p.command().arg("build").env("SOURCE_DATE_EPOCH", "32503680060").output().unwrap();
    assert!(later.status.success());
    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains("<title>Un épisode à venir</title>"));
    assert!(feed.contains("<pubDate>Tue, 01 Jan 2999 00:00:00 GMT</pubDate>"));
    assert!(p.www().join("media/episode-a-venir.f5e72987.mp3").is_file());
}

/// Changing the audio of a published episode stops the build until the change is recorded as
/// a new version; the GUID and the first date stay, the media URL changes, the old file stays.
#[test]
fn changed_media_is_refused_until_recorded_as_a_new_version() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    p.write(LEAZ_AUDIO, std::fs::read(fixtures().join("audio/vbr.mp3")).unwrap());
    let refused = p.fails(&["build"]);
    insta::assert_snapshot!(refused);
    assert_eq!(p.fails(&["check"]), refused, "check reports it too");

    let before = ledger(&p);
    let no_reason = p.fails(&["publish", "enquete-de-besoins-a-leaz", "--new-version"]);
    assert_eq!(no_reason, "error: a new version needs a reason: add --reason \"what changed and why\"\n");
    let out = p.ok(&["publish", "enquete-de-besoins-a-leaz", "--new-version", "--reason", "son remasterisé"]);
    assert!(out.starts_with("new-version enquete-de-besoins-a-leaz (0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90): enquete-de-besoins-a-leaz.a575d34a.mp3, out on 2024-06-12 07:00 UTC"), "{out}");
    let after = ledger(&p);
    assert!(after.starts_with(&before));
    let entry = &after[before.len()..];
    assert!(entry.contains("action = \"new-version\"") && entry.contains("reason = \"son remasterisé\""));
    assert!(entry.contains("pub_date = 2024-06-12T07:00:00Z"), "the first date stays: {entry}");

    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains("<guid isPermaLink=\"false\">0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90</guid>"));
    // The name is the new source's hash; the length is the tagged copy's.
    let length = std::fs::metadata(p.www().join("media/enquete-de-besoins-a-leaz.a575d34a.mp3")).unwrap().len();
    assert!(feed.contains(&format!("media/enquete-de-besoins-a-leaz.a575d34a.mp3\" length=\"{length}\"")));
    assert!(feed.contains("<pubDate>Wed, 12 Jun 2024 07:00:00 GMT</pubDate>"));
    assert!(
        p.www().join("media/enquete-de-besoins-a-leaz.f5e72987.mp3").is_file(),
        "the superseded media stays for clients mid-download"
    );
    p.ok(&["check"]);
    // The superseded media is kept from generation to generation: nothing else changed, so
    // no generation is made (the current one was made from another: that is no change).
    let again = p.ok(&["build"]);
    assert!(again.starts_with("nothing changed: build/current is still gen-2"), "{again}");
    let unchanged = p.fails(&["publish", "enquete-de-besoins-a-leaz", "--new-version", "--reason", "encore"]);
    insta::assert_snapshot!(unchanged, @"error: nothing changed in `enquete-de-besoins-a-leaz` since its last version");
}

#[test]
fn publish_all_records_every_changed_episode() {
    let p = Project::fixture("show");
    p.write(LEAZ_AUDIO, std::fs::read(fixtures().join("audio/vbr.mp3")).unwrap());
    p.write("episodes/bande-annonce.mp3", std::fs::read(fixtures().join("audio/vbr-noxing.mp3")).unwrap());
    let out = p.ok(&["publish", "--all", "--new-version", "--reason", "nouveau mastering"]);
    let recorded: Vec<&str> = out.lines().filter(|l| l.starts_with("new-version ")).collect();
    assert_eq!(recorded.len(), 2, "the trailer and Léaz, not the unchanged ones nor the draft: {out}");
    let none = p.ok(&["publish", "--all", "--new-version", "--reason", "rien"]);
    assert!(none.starts_with("nothing to record: no published episode changed"), "{none}");
}

/// A back catalog arriving as sources: every draft published at once, in one ledger append and
/// one build, each dated from its front matter with --keep-dates (and said so in its entry).
#[test]
fn publish_all_takes_a_back_catalog_in_one_step() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let draft = p.read("episodes/brouillon.md");
    for (n, date) in
        [(1, "2023-03-14T18:00:00+01:00"), (2, "2023-09-02T09:30:00+02:00"), (3, "2022-12-01T08:00:00+01:00")]
    {
        let text = draft
            .replace("Un brouillon", &format!("Archive {n}"))
            .replace("9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b", &format!("9f1c2b3a-4d5e-4f60-8a7b-00000000000{n}"))
            .replace("2024-07-01T10:00:00+02:00", date);
        p.write(&format!("episodes/archive-{n}.md"), text);
        std::fs::copy(p.file("episodes/brouillon.mp3"), p.file(&format!("episodes/archive-{n}.mp3"))).unwrap();
    }
    // One draft with an error stops them all: nothing recorded.
    p.write(
        "episodes/archive-4.md",
        draft
            .replace("Un brouillon", "Archive 4")
            .replace("9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b", "9f1c2b3a-4d5e-4f60-8a7b-000000000004"),
    );
    let before = ledger(&p);
    let err = p.fails(&["publish", "--all", "--keep-dates"]);
    assert!(err.contains("episodes/archive-4.md"), "{err}");
    assert_eq!(ledger(&p), before);
    std::fs::remove_file(p.file("episodes/archive-4.md")).unwrap();

    let out = p.ok(&["publish", "--all", "--keep-dates"]);
    insta::assert_snapshot!(out.lines().filter(|l| l.starts_with("publish ") || l.starts_with("built ")).collect::<Vec<_>>().join("\n"), @"
    publish archive-3 (9f1c2b3a-4d5e-4f60-8a7b-000000000003): archive-3.f5e72987.mp3, out on 2022-12-01 07:00 UTC
    publish archive-1 (9f1c2b3a-4d5e-4f60-8a7b-000000000001): archive-1.f5e72987.mp3, out on 2023-03-14 17:00 UTC
    publish archive-2 (9f1c2b3a-4d5e-4f60-8a7b-000000000002): archive-2.f5e72987.mp3, out on 2023-09-02 07:30 UTC
    publish brouillon (9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b): brouillon.f5e72987.mp3, out on 2024-07-01 08:00 UTC
    built build/gen-2: 7 episodes; 0 re-probed, 4 re-indexed, 20 re-rendered, 15 re-written, 33 unchanged, 0 removed
    ");
    let after = ledger(&p);
    assert!(after.starts_with(&before), "one append");
    assert_eq!(after[before.len()..].matches("[[entry]]").count(), 4);
    assert_eq!(after.matches("reason = \"first publication, dated from its front matter (back catalog)\"").count(), 4);
    let feed = p.read("build/current/www/feed.xml");
    let order: Vec<usize> = ["Archive 3", "Archive 1", "Archive 2", "Un brouillon"]
        .iter()
        .map(|t| feed.find(&format!("<title>{t}</title>")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] > w[1]), "newest first in the feed, by their own dates");
    assert!(feed.contains("<pubDate>Thu, 01 Dec 2022 07:00:00 GMT</pubDate>"));
    insta::assert_snapshot!(p.fails(&["publish", "--all"]), @r#"error: nothing to publish: no draft in episodes/ (to record the changed published episodes: --all --new-version --reason "…")"#);
    p.ok(&["check"]);

    // Without --keep-dates, a past date means now.
    let q = Project::fixture("show");
    q.ok(&["publish", "--all"]);
    assert!(
        ledger(&q).contains("slug = \"brouillon\"\nrecorded_at = 2026-01-01T00:00:00Z\npub_date = 2026-01-01T00:00:00Z\nreason = \"first publication\"\n"),
        "{}",
        ledger(&q)
    );
}

/// Renamed twice between two publishes (the ledger's old slugs do not change the second time):
/// the feed and pages follow each new name.
#[test]
fn an_episode_renamed_twice_is_found_under_its_last_name() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let mut from = ("enquete-de-besoins-a-leaz", LEAZ.to_owned());
    for to in ["frapper-aux-portes", "porte-a-porte"] {
        std::fs::rename(p.file(&from.1), p.file(&format!("episodes/{to}.md"))).unwrap();
        std::fs::rename(p.file(&format!("transcripts/{}.vtt", from.0)), p.file(&format!("transcripts/{to}.vtt")))
            .unwrap();
        p.ok(&["build"]);
        let feed = p.read("build/current/www/feed.xml");
        assert!(feed.contains(&format!("<link>https://veillee.example.org/episodes/{to}/</link>")), "{to}");
        assert!(feed.contains(&format!("/transcripts/{to}.vtt")), "{to}");
        assert_eq!(p.ok(&["feed"]), feed, "veillee feed after renaming to {to}");
        assert!(p.file(&format!("build/current/www/episodes/{to}/index.html")).is_file());
        from = (to, format!("episodes/{to}.md"));
    }
}

/// Renaming a published episode keeps its GUID, its ledger history and its media URL; its old
/// page redirects; `new` refuses the old slug.
#[test]
fn a_renamed_episode_keeps_its_identity_and_redirects() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let feed_before = p.read("build/current/www/feed.xml");
    std::fs::rename(p.file(LEAZ), p.file("episodes/frapper-aux-portes.md")).unwrap();
    std::fs::rename(p.file("transcripts/enquete-de-besoins-a-leaz.vtt"), p.file("transcripts/frapper-aux-portes.vtt"))
        .unwrap();
    p.ok(&["check"]);
    p.ok(&["build"]);
    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains("<guid isPermaLink=\"false\">0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90</guid>"));
    assert!(
        feed.contains("https://veillee.example.org/media/enquete-de-besoins-a-leaz.f5e72987.mp3"),
        "the media URL is frozen by the ledger"
    );
    assert!(feed.contains("<link>https://veillee.example.org/episodes/frapper-aux-portes/</link>"));
    assert_eq!(feed_before.matches("<item>").count(), feed.matches("<item>").count());
    assert_eq!(
        p.read("build/current/www/_redirects.json"),
        "{\n  \"/chapters/enquete-de-besoins-a-leaz.chapters.json\": \"/chapters/frapper-aux-portes.chapters.json\",\n  \"/episodes/\": \"/archives/\",\n  \"/episodes/enquete-de-besoins-a-leaz/\": \"/episodes/frapper-aux-portes/\",\n  \"/transcripts/enquete-de-besoins-a-leaz.html\": \"/transcripts/frapper-aux-portes.html\",\n  \"/transcripts/enquete-de-besoins-a-leaz.json\": \"/transcripts/frapper-aux-portes.json\",\n  \"/transcripts/enquete-de-besoins-a-leaz.srt\": \"/transcripts/frapper-aux-portes.srt\",\n  \"/transcripts/enquete-de-besoins-a-leaz.vtt\": \"/transcripts/frapper-aux-portes.vtt\"\n}"
    );
    let old_page = p.read("build/current/www/episodes/enquete-de-besoins-a-leaz/index.html");
    assert!(old_page.contains("<meta http-equiv=\"refresh\" content=\"0; url=/episodes/frapper-aux-portes/\">"));
    assert!(
        old_page.contains("<link rel=\"canonical\" href=\"https://veillee.example.org/episodes/frapper-aux-portes/\">")
    );

    let state = veillee::serve::AppState::new(p.project());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let response = runtime.block_on(async {
        use tower::ServiceExt;
        let req =
            axum::http::Request::get("/episodes/enquete-de-besoins-a-leaz/").body(axum::body::Body::empty()).unwrap();
        veillee::serve::app(state).oneshot(req).await.unwrap()
    });
    assert_eq!(response.status(), axum::http::StatusCode::MOVED_PERMANENTLY);
    assert_eq!(response.headers()["location"], "/episodes/frapper-aux-portes/");
    let state = veillee::serve::AppState::new(p.project());
    let response = runtime.block_on(async {
        use tower::ServiceExt;
        let req = axum::http::Request::get("/transcripts/enquete-de-besoins-a-leaz.vtt")
            .body(axum::body::Body::empty())
            .unwrap();
        veillee::serve::app(state).oneshot(req).await.unwrap()
    });
    assert_eq!(response.status(), axum::http::StatusCode::MOVED_PERMANENTLY);
    assert_eq!(response.headers()["location"], "/transcripts/frapper-aux-portes.vtt");

    let refused = p.fails(&["new", "episode", "Enquête de besoins à Léaz"]);
    insta::assert_snapshot!(refused);
}

#[test]
fn check_fails_on_a_published_episode_without_source() {
    let p = Project::fixture("show");
    std::fs::remove_file(p.file("episodes/bande-annonce.md")).unwrap();
    let err = p.fails(&["check"]);
    insta::assert_snapshot!(err, @"
    feed/archive.toml:5: the published episode `bande-annonce` (GUID `c6a1f0d2-3b5e-4f7a-9c8d-2e1b0a9f8e7d`) has no source in episodes/ — restore its file (with the same `guid`) from git: a published episode stays unless it is retracted
    1 error, 0 warnings
    ");
}

/// SIGKILL at every step of `publish`: killed before its ledger entry is written, the project is
/// as it was (the generation is staged first); after, the ledger holds the entry and the current
/// generation is the old one whole or the new one. `check` passes either way, and what remains
/// to do (publish again, or build) catches up.
#[test]
fn a_killed_publish_leaves_a_consistent_project() {
    // Once from a first generation, once from a third: that publish takes the first over and
    // renames new files over the ones it shares with the current generation.
    for builds in [1, 3] {
        let setup = Project::fixture("show");
        for n in 0..builds {
            if n > 0 {
                let (from, to) =
                    if n == 1 { ("Frapper aux", "Frapper (revu) aux") } else { ("(revu)", "(revu encore)") };
                setup.edit(LEAZ, from, to);
            }
            setup.ok(&["build"]);
        }
        killed_at_every_step(&setup, builds);
    }
}

fn killed_at_every_step(setup: &Project, builds: usize) {
    let (before, ledger_before) = (tree(&setup.file("build/current")), ledger(setup));
    let mut steps = 0;
    loop {
        let p = Project::fixture("show");
        std::fs::remove_dir_all(p.path()).unwrap();
        crate::util::copy_dir(setup.path(), p.path());
        let out = p
            .command()
            .args(["publish", "brouillon"])
            .env("VEILLEE_TEST_CRASH_AT", steps.to_string())
            .output()
            .unwrap();
        if out.status.success() {
            break;
        }
        let at = format!("after {builds} builds, step {steps}");
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(9), "{at}: {out:?}");
        if ledger(&p) == ledger_before {
            assert!(tree(&p.file("build/current")) == before, "{at}: current changed, no ledger entry");
            p.ok(&["check"]);
            p.ok(&["publish", "brouillon"]);
        } else {
            assert!(ledger(&p).contains("slug = \"brouillon\""), "{at}");
            p.ok(&["check"]);
            p.ok(&["build"]);
        }
        assert!(p.read("build/current/www/feed.xml").contains("<title>Un brouillon</title>"), "{at}");
        steps += 1;
    }
    assert!(steps > 10, "publish was killed at {steps} steps only");
}
