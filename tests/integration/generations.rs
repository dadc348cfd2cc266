//! Build generations: deterministic, hard-linked, atomic.

use std::os::unix::fs::MetadataExt;

use crate::util::{Project, cold_copy, tree};

#[test]
fn identical_sources_give_identical_outputs_whatever_the_path_and_time_zone() {
    let a = Project::fixture("show");
    let b = Project::fixture("show");
    a.ok(&["build"]);
    let out = b.command().arg("build").env("TZ", "America/Los_Angeles").output().unwrap();
    assert!(out.status.success());
    let (a_www, b_www) = (tree(&a.file("build/current/www")), tree(&b.file("build/current/www")));
    assert_eq!(a_www, b_www);
    // Equal outputs could still both name their checkout: none may hold a path of the machine.
    for (path, bytes) in &a_www {
        let text = String::from_utf8_lossy(bytes);
        for dir in [a.path(), b.path()] {
            let dir = dir.to_string_lossy();
            assert!(!text.contains(&*dir), "{path} holds the checkout path {dir}");
        }
        assert!(!text.contains("/tmp/"), "{path} holds a temporary path");
    }
    // tantivy names its segments with random UUIDs: the index is compared by what it answers.
    for q in ["porte", "carte sensible", "\"fond de carte\""] {
        assert_eq!(a.ok(&["search", q, "--json"]), b.ok(&["search", q, "--json"]), "{q}");
    }
}

#[test]
fn unchanged_build_makes_no_generation_and_changed_files_are_new() {
    let p = Project::fixture("show");
    let first = p.ok(&["build"]);
    assert!(first.starts_with("built build/gen-1:"), "{first}");
    let again = p.ok(&["build"]);
    assert_eq!(
        again,
        "nothing changed: build/current is still gen-1 (3 episodes)\n1 draft is not published: `veillee publish brouillon` publishes it\n"
    );
    assert!(!p.file("build/gen-2").exists());

    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Démonstration :", "Démonstration revue :");
    let report = p.ok(&["build"]);
    insta::assert_snapshot!(report);
    assert_eq!(std::fs::read_link(p.file("build/current")).unwrap().to_str(), Some("gen-2"));
    let inode = |g: &str, f: &str| std::fs::metadata(p.file(&format!("build/{g}/www/{f}"))).unwrap().ino();
    let media = "media/enquete-de-besoins-a-leaz.f5e72987.mp3";
    assert_eq!(inode("gen-1", media), inode("gen-2", media), "unchanged outputs are hard links");
    let page = "episodes/cartographie-sensible-a-jazeneuil/index.html";
    assert_ne!(inode("gen-1", page), inode("gen-2", page));
    assert!(
        !std::fs::read_to_string(p.file(&format!("build/gen-1/www/{page}"))).unwrap().contains("revue"),
        "the old generation is intact"
    );

    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Démonstration revue :", "Démonstration revue deux fois :");
    p.ok(&["build"]);
    assert!(!p.file("build/gen-1").exists(), "generations before the previous one are removed");
    assert!(p.file("build/gen-2").exists() && p.file("build/gen-3").exists());
}

/// SIGKILL in the middle of writing a generation: `current` still serves the old one, whole,
/// and the next build cleans up and succeeds.
#[test]
fn a_killed_build_leaves_the_current_generation_intact() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let before = tree(&p.file("build/current"));
    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Démonstration :", "Démonstration tuée :");
    p.edit("feed/channel.toml", "Une émission de démonstration", "Une émission");
    let tmp_www = p.kill_while_writing(&["build"]);
    assert!(tmp_www.exists(), "killed midway");
    assert_eq!(std::fs::read_link(p.file("build/current")).unwrap().to_str(), Some("gen-1"));
    assert_eq!(tree(&p.file("build/current")), before);
    p.ok(&["build"]);
    assert!(!tmp_www.exists(), "the next build removes the leftover");
    assert_eq!(std::fs::read_link(p.file("build/current")).unwrap().to_str(), Some("gen-2"));
    assert!(p.read("build/current/www/feed.xml").contains("Démonstration tuée"));
}

/// A build killed at each step of writing a generation (SIGKILL through a test-only hook), whether
/// it makes the generation anew (the second build) or updates the one before the current (the
/// third): `current` stays the whole previous generation, and the next build writes what a cold
/// build of the same sources writes, leaving nothing of the killed one.
#[test]
fn a_build_killed_at_any_step_leaves_current_whole_and_the_next_repairs_it() {
    use std::os::unix::process::ExitStatusExt;
    let page = "episodes/cartographie-sensible-a-jazeneuil.md";
    let setup = |killed: usize| {
        let p = Project::fixture("show");
        p.ok(&["build"]);
        p.edit(page, "Démonstration :", "Démonstration revue :");
        if killed == 3 {
            p.ok(&["build"]);
            p.edit("feed/channel.toml", "Une émission de démonstration", "Une émission");
        }
        p
    };
    for killed in [2, 3] {
        let cold = {
            let c = cold_copy(&setup(killed));
            c.ok(&["build"]);
            tree(&c.www())
        };
        let mut steps = 0;
        loop {
            let p = setup(killed);
            let (link, before) = (std::fs::read_link(p.file("build/current")).unwrap(), tree(&p.file("build/current")));
            let out = p.command().arg("build").env("VEILLEE_TEST_CRASH_AT", steps.to_string()).output().unwrap();
            if out.status.success() {
                break;
            }
            assert_eq!(out.status.signal(), Some(9), "build {killed}, step {steps}: {out:?}");
            // Killed before the link moved, or after: the old generation whole, or the new one.
            if std::fs::read_link(p.file("build/current")).unwrap() == link {
                assert!(tree(&p.file("build/current")) == before, "build {killed}, step {steps}: current changed");
            } else {
                assert!(tree(&p.www()) == cold, "build {killed}, step {steps}: current is not the new generation");
            }
            p.ok(&["build"]);
            assert!(tree(&p.www()) == cold, "build {killed}, step {steps}: not what a cold build writes");
            let left: Vec<_> = std::fs::read_dir(p.file("build")).unwrap().map(|e| e.unwrap().file_name()).collect();
            assert!(left.iter().all(|n| !n.to_string_lossy().contains("tmp")), "{left:?}");
            steps += 1;
        }
        assert!(steps > 10, "build {killed} was killed at {steps} steps only");
    }
}

/// Each build after the second updates the generation before the current one in place, when no
/// server reads it: the files unchanged since the current one are its files, the changed ones
/// new files.
#[test]
fn a_build_updates_the_generation_before_the_current_one() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let ino = |path: &str| std::fs::metadata(p.file(path)).unwrap().ino();
    let first_www = ino("build/gen-1/www");
    let page = "episodes/cartographie-sensible-a-jazeneuil.md";
    let html = "www/episodes/cartographie-sensible-a-jazeneuil/index.html";
    let media = "www/media/enquete-de-besoins-a-leaz.f5e72987.mp3";
    p.edit(page, "Démonstration :", "Démonstration revue :");
    p.ok(&["build"]);
    p.edit(page, "Démonstration revue :", "Démonstration :");
    p.ok(&["build"]);
    assert!(!p.file("build/gen-1").exists());
    assert_eq!(ino("build/gen-3/www"), first_www, "gen-1 became gen-3");
    assert_eq!(ino(&format!("build/gen-3/{media}")), ino(&format!("build/gen-2/{media}")));
    // Back to gen-1's bytes, yet a new file: a reader who has gen-2's must see it changed.
    assert_ne!(ino(&format!("build/gen-3/{html}")), ino(&format!("build/gen-2/{html}")));
    let modified = |g: &str| std::fs::metadata(p.file(&format!("build/{g}/{html}"))).unwrap().modified().unwrap();
    assert!(modified("gen-3") >= modified("gen-2"));
    assert!(!p.read(&format!("build/gen-3/{html}")).contains("revue"));
}

/// The report names the audio probed anew: a new file for a draft is probed, and the published
/// outputs, which do not show drafts, are not touched.
#[test]
fn the_report_lists_what_was_probed_again() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    std::fs::copy(crate::util::fixtures().join("audio/vbr.mp3"), p.file("episodes/brouillon.mp3")).unwrap();
    let report = p.ok(&["build"]);
    let unchanged = "nothing changed: build/current is still gen-1 (3 episodes)\n1 draft is not published: `veillee publish brouillon` publishes it\n";
    assert_eq!(report, format!("{unchanged}  re-probed    brouillon\n"));
    let again = p.ok(&["build"]);
    assert_eq!(again, unchanged, "the probe is cached");
}

/// The probe cache knows audio by its identity and its content, not its name: a file replaced
/// by a hard link to probed audio, or by a copy of it, is not probed again.
#[test]
fn hard_links_and_copies_of_probed_audio_are_not_probed_again() {
    let p = Project::fixture("show");
    let vbr = crate::util::fixtures().join("audio/vbr.mp3");
    std::fs::copy(&vbr, p.file("episodes/brouillon.mp3")).unwrap();
    p.ok(&["build"]);
    let unchanged = "nothing changed: build/current is still gen-1 (3 episodes)\n1 draft is not published: `veillee publish brouillon` publishes it\n";
    let draft = p.file("episodes/brouillon.mp3");
    std::fs::remove_file(&draft).unwrap();
    std::fs::hard_link(p.file("episodes/Léaz — porte à porte 🎙.mp3"), &draft).unwrap();
    assert_eq!(p.ok(&["build"]), unchanged, "a hard link to a published episode's audio");
    std::fs::remove_file(&draft).unwrap();
    std::fs::copy(&vbr, &draft).unwrap();
    assert_eq!(p.ok(&["build"]), unchanged, "a copy of audio probed before");
    std::fs::copy(crate::util::fixtures().join("audio/vbr-noxing.mp3"), &draft).unwrap();
    assert_eq!(p.ok(&["build"]), format!("{unchanged}  re-probed    brouillon\n"), "new bytes");
}

/// A build names the first few outputs of each kind it redid, and how many more; `--verbose`
/// names them all.
#[test]
fn the_report_names_a_few_outputs_and_verbose_all() {
    let [p, copy] = [(); 2].map(|()| {
        let p = Project::fixture("show");
        p.ok(&["build"]);
        // The show's description is on every page.
        p.edit("feed/channel.toml", "Une émission de démonstration", "Une émission");
        p
    });
    let short = p.ok(&["build"]);
    let rendered = short.lines().filter(|l| l.starts_with("  re-rendered")).count();
    assert_eq!(rendered, 10, "{short}");
    let counts = short.lines().next().unwrap().to_owned();
    // Every count but `unchanged` is of names the report can list.
    let total: usize = counts
        .split("; ")
        .nth(1)
        .unwrap()
        .split(", ")
        .filter(|c| !c.ends_with("unchanged"))
        .map(|c| c.split(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    let named = short.lines().filter(|l| l.starts_with("  re-") || l.starts_with("  removed")).count();
    assert_eq!(
        short.lines().last().unwrap(),
        format!("  … and {} more (`veillee build --verbose` lists them all)", total - named)
    );
    let long = copy.ok(&["build", "--verbose"]);
    assert_eq!(long.lines().next(), Some(counts.as_str()));
    assert_eq!(long.lines().filter(|l| l.starts_with("  re-") || l.starts_with("  removed")).count(), total, "{long}");
    assert!(!long.contains("… and"), "{long}");
}

/// A step of a second or more shows a progress bar on a terminal (`script` gives the build one),
/// and nothing on stderr otherwise.
#[test]
fn a_long_build_shows_its_progress_on_a_terminal_only() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    p.edit("feed/channel.toml", "Une émission de démonstration", "Une émission");
    // Two files written, each slowed down: more than a second of writing.
    let command = format!(
        "VEILLEE_TEST_WRITE_DELAY_MS=800 VEILLEE_TEST_NO_TIMINGS=1 SOURCE_DATE_EPOCH={} TZ=Europe/Paris {} --root {} build",
        crate::util::NOW,
        env!("CARGO_BIN_EXE_veillee"),
        p.path().display()
    );
    let on_terminal = std::process::Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(on_terminal.status.success(), "{shown}");
    assert!(shown.contains("render [") && shown.contains("] "), "no bar: {shown:?}");
    assert!(shown.contains("built build/gen-2"), "{shown}");

    p.edit("feed/channel.toml", "Une émission", "Une émission de démonstration");
    let out = p.command().arg("build").env("VEILLEE_TEST_WRITE_DELAY_MS", "150").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "not a terminal: no bar");
}

/// A build that finds every source as the last build left it answers from that build's stamp,
/// without a load; any change to the sources, a file added, or a scheduled episode's time coming
/// sends it the whole way.
#[test]
fn an_unchanged_show_is_known_from_the_stamp_of_the_last_build() {
    let p = Project::fixture("show");
    // Sources older than the racy margin, as they are between a person's edits.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.ok(&["build"]);
    assert!(p.file(".veillee/cache/stamp.json").is_file(), "a stamp");
    let feed = p.read("build/current/www/feed.xml");
    // Without its caches a load would probe again and say so: the stamp's answer does not.
    std::fs::remove_dir_all(p.file(".veillee/cache/probe")).unwrap();
    let unchanged = "nothing changed: build/current is still gen-1 (3 episodes)\n1 draft is not published: `veillee publish brouillon` publishes it\n";
    assert_eq!(p.ok(&["build"]), unchanged);
    assert_eq!(p.ok(&["feed"]), feed);

    // The same size, the same modification time: the change time tells.
    let page = p.file("episodes/cartographie-sensible-a-jazeneuil.md");
    let modified = std::fs::metadata(&page).unwrap().modified().unwrap();
    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Démonstration :", "Démonstratiox :");
    std::fs::File::options().write(true).open(&page).unwrap().set_modified(modified).unwrap();
    assert!(p.ok(&["feed"]).contains("Démonstratiox"));
    assert!(p.ok(&["build"]).starts_with("built build/gen-2"));

    // A file added.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.ok(&["build"]);
    let draft = p.read("episodes/brouillon.md").replace("Un brouillon", "Un nouveau");
    p.write(
        "episodes/nouveau.md",
        draft.replace("9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6b", "9f1c2b3a-4d5e-4f60-8a7b-1c2d3e4f5a6c"),
    );
    std::fs::copy(p.file("episodes/brouillon.mp3"), p.file("episodes/nouveau.mp3")).unwrap();
    assert!(p.ok(&["build"]).contains("2 drafts are not published"), "the new draft is seen");

    // The scheduled episode's time comes: it is out, stamp or not.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.ok(&["build"]);
    let later = p.command().arg("build").env("SOURCE_DATE_EPOCH", "32503680000").output().unwrap();
    assert!(String::from_utf8_lossy(&later.stdout).starts_with("built build/gen-"), "{later:?}");
    assert!(p.read("build/current/www/feed.xml").contains("Un épisode à venir"));
}

/// What a stamp cannot vouch for gets none: a dangling link or a link to a directory among the
/// sources, and every build loads.
#[test]
fn links_the_stamp_cannot_follow_leave_no_stamp() {
    for (name, target) in [("site/ailleurs", "../episodes"), ("episodes/perdu.md", "nulle-part.md")] {
        let p = Project::fixture("show");
        std::os::unix::fs::symlink(target, p.file(name)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let _ = p.run(&["build"]);
        assert!(!p.file(".veillee/cache/stamp.json").exists(), "{name}");
    }
}

/// Editing an episode's notes renders its page and feed item again, not its transcript files
/// (the cues and names alone); renaming a speaker does.
#[test]
fn the_transcript_files_follow_the_cues_and_names_not_the_notes() {
    let p = Project::sample();
    p.ok(&["build"]);
    let rel = "episodes/porte-a-porte-a-levant-les-tattes.md";
    let rendered = |out: &str| -> Vec<String> {
        out.lines().filter_map(|l| l.strip_prefix("  re-rendered  ")).map(str::to_owned).collect()
    };
    p.write(rel, p.read(rel) + "\nUne phrase de plus.\n");
    let notes = rendered(&p.ok(&["build", "--verbose"]));
    assert!(notes.contains(&"episodes/porte-a-porte-a-levant-les-tattes/index.html".to_owned()), "{notes:?}");
    let files: Vec<&String> = notes.iter().filter(|n| n.starts_with("transcripts/")).collect();
    assert_eq!(files, ["transcripts/porte-a-porte-a-levant-les-tattes.html"], "{notes:?}");
    p.write(rel, p.read(rel).replacen("Simon = \"Simon\"", "Simon = \"Simon B.\"", 1));
    let names = rendered(&p.ok(&["build", "--verbose"]));
    for ext in ["vtt", "srt", "json", "html"] {
        let file = format!("transcripts/porte-a-porte-a-levant-les-tattes.{ext}");
        assert!(names.contains(&file), "{file}: {names:?}");
        assert!(p.read(&format!("build/current/www/{file}")).contains("Simon B."), "{file}");
    }
}
