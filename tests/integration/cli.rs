//! `init` and `new`: a newcomer's first commands.

use std::process::Command;

use crate::util::{NOW, Project, fixtures};

fn veillee(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_veillee"));
    cmd.current_dir(dir).env("SOURCE_DATE_EPOCH", NOW.to_string()).env("VEILLEE_TEST_NO_TIMINGS", "1");
    cmd
}

#[test]
fn init_then_new_gives_a_show_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let out = veillee(dir.path())
        .args([
            "init",
            "--title",
            "Dynamiques collectives",
            "--description",
            "Des méthodes, village par village.",
            "--base-url",
            "https://podcast.example.org/",
            "--author",
            "Collectif",
            "--email",
            "podcast@example.org",
            "--cover",
        ])
        .arg(fixtures().join("projects/show/feed/cover.jpg"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let channel = std::fs::read_to_string(dir.path().join("feed/channel.toml")).unwrap();
    // UUIDv5 of "podcast.example.org/feed.xml" in the Podcasting 2.0 namespace.
    let expected = veillee::catalog::podcast_guid_for("https://podcast.example.org/feed.xml");
    assert!(channel.contains(&format!("podcast_guid = \"{expected}\"")), "{channel}");
    // Recordings (`veillee master` reads them) and outputs stay out of git.
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(["/build", ".veillee/", "*.wav", "*.flac"].iter().all(|l| ignore.lines().any(|x| x == *l)), "{ignore}");
    let again = veillee(dir.path())
        .args([
            "init",
            "--title",
            "x",
            "--description",
            "x",
            "--base-url",
            "https://x.org",
            "--author",
            "x",
            "--email",
            "x@x.org",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1), "init never overwrites a show");

    let sub = dir.path().join("episodes");
    let new = |args: &[&str]| {
        let out = veillee(&sub).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        new(&["new", "episode", "Frapper aux portes : l'enquête à Léaz"]),
        "created episodes/frapper-aux-portes-l-enquete-a-leaz.md\n"
    );
    assert_eq!(new(&["new", "method", "Cartographie sensible"]), "created site/methods/cartographie-sensible.md\n");
    assert_eq!(new(&["new", "partner", "La Traverse"]), "created site/partners/la-traverse.md\n");
    assert_eq!(
        new(&[
            "new",
            "territory",
            "Migné-Auxances",
            "--kind",
            "commune",
            "--lat",
            "46.6275",
            "--lon",
            "0.3144",
            "--insee",
            "86158"
        ]),
        "created site/territories/migne-auxances.md\n"
    );
    let episode = std::fs::read_to_string(dir.path().join("episodes/frapper-aux-portes-l-enquete-a-leaz.md")).unwrap();
    assert!(episode.contains("date = 2026-01-01T00:00:00Z"));
    let guid = episode.lines().find_map(|l| l.strip_prefix("guid = \"")).unwrap().trim_end_matches('"');
    assert_eq!(uuid::Uuid::parse_str(guid).unwrap().get_version_num(), 4);
    std::fs::copy(
        fixtures().join("audio/cbr.mp3"),
        dir.path().join("episodes/frapper-aux-portes-l-enquete-a-leaz.mp3"),
    )
    .unwrap();
    let check = veillee(dir.path()).arg("check").output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let dup = veillee(dir.path()).args(["new", "episode", "Frapper aux portes : l'enquête à Léaz"]).output().unwrap();
    assert_eq!(dup.status.code(), Some(1));
    let stderr = String::from_utf8(dup.stderr)
        .unwrap()
        .replace(&dir.path().canonicalize().unwrap().display().to_string(), "[dir]");
    insta::assert_snapshot!(stderr, @"error: [dir]/episodes/frapper-aux-portes-l-enquete-a-leaz.md already exists — choose another title or edit the existing file");
}

#[test]
fn commands_outside_a_show_say_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = veillee(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr)
        .unwrap()
        .replace(&dir.path().canonicalize().unwrap().display().to_string(), "[dir]");
    insta::assert_snapshot!(err);
}

#[test]
fn usage_errors_exit_2() {
    let p = Project::fixture("show");
    let out = p.run(&["bulid"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help() {
    let out = Command::new(env!("CARGO_BIN_EXE_veillee")).arg("--help").output().unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// `deploy`: a target that is not object storage, and a store that does not answer, each said
/// plainly (exit 1), with nothing sent anywhere but 127.0.0.1.
#[test]
fn deploy_errors_are_plain() {
    let p = Project::fixture("show");
    insta::assert_snapshot!(p.fails(&["deploy", "https://example.org/site"]), @"error: `https://example.org/site` is not an object storage address: write s3://BUCKET or s3://BUCKET/PREFIX");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let out = p
        .command()
        .args(["deploy", "s3://veillee/site"])
        .env("AWS_ENDPOINT_URL", format!("http://{closed}"))
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "eu-west-3")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: s3://veillee: "), "{err}");
}
