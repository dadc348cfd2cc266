//! `archive verify`: a sound archive passes; each kind of damage is named with its file and its
//! ledger line, and exits 1; edits by design are listed apart; a ledger rewritten by hand is
//! found from its git history; payloads of every container compared the tags aside.

use crate::util::{Project, fixtures};

const LEAZ_AUDIO: &str = "episodes/Léaz — porte à porte 🎙.mp3";

/// Flips one byte `from_end` bytes before the end of a file (inside the audio, past any tag at
/// the start).
fn flip(path: &std::path::Path, from_end: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes.len() - from_end;
    bytes[at] ^= 0x55;
    std::fs::write(path, bytes).unwrap();
}

fn verify(p: &Project) -> (bool, String) {
    let out = p.run(&["archive", "verify"]);
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{text}");
    (out.status.success(), text)
}

#[test]
fn a_sound_archive_verifies() {
    let p = Project::fixture("show");
    let (ok, out) = verify(&p);
    assert!(ok, "{out}");
    insta::assert_snapshot!(out, @"
    verified 4 episodes against feed/archive.toml (1 scheduled, 0 retracted): 0.0 MB of audio read
    no build/current: the sources only were checked (run `veillee build` to check www too)
    no damage: every published audio file is as the ledger recorded it
    ");
    p.ok(&["build"]);
    // A corrected title re-tags the published MP3: not damage, not even an edit to list.
    p.edit("episodes/bande-annonce.md", "village par village", "village après village");
    p.ok(&["build"]);
    let (ok, out) = verify(&p);
    assert!(ok, "{out}");
    insta::assert_snapshot!(out, @"
    verified 4 episodes against feed/archive.toml (1 scheduled, 0 retracted): 0.1 MB of audio read
    edited since publish (by design, not damage) (1):
      episodes/bande-annonce.md: edited since its last publish (feed/archive.toml:5)
    no damage: every published audio file is as the ledger recorded it
    ");
}

#[test]
fn damage_is_named_with_its_ledger_entry() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let www = p.www();
    // A transcript corrected and built: an edit by design.
    std::fs::write(
        p.file("transcripts/enquete-de-besoins-a-leaz.vtt"),
        "WEBVTT\n\n00:00.000 --> 00:01.000\nCorrigé.\n",
    )
    .unwrap();
    p.ok(&["build"]);
    flip(&p.file(LEAZ_AUDIO), 100);
    flip(&www.join("media/bande-annonce.9fc9cc7e.mp3"), 100);
    flip(&www.join("media/cartographie-sensible-a-jazeneuil.c2eb2dfc.m4a"), 10);
    std::fs::remove_file(www.join("media/enquete-de-besoins-a-leaz.f5e72987.mp3")).unwrap();
    let (ok, out) = verify(&p);
    assert!(!ok);
    insta::assert_snapshot!(out);

    // A published episode's file gone: its GUID has no source.
    std::fs::remove_file(p.file("episodes/bande-annonce.md")).unwrap();
    let (ok, out) = verify(&p);
    assert!(!ok);
    assert!(
        out.contains("feed/archive.toml: no episode file holds the GUID `c6a1f0d2-3b5e-4f7a-9c8d-2e1b0a9f8e7d` of `bande-annonce`"),
        "{out}"
    );
}

#[test]
fn a_retracted_episodes_media_back_in_www_is_damage() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let media = p.www().join("media/bande-annonce.9fc9cc7e.mp3");
    let bytes = std::fs::read(&media).unwrap();
    p.ok(&["retract", "bande-annonce", "--reason", "Doublon"]);
    assert!(verify(&p).0);
    std::fs::write(&media, bytes).unwrap();
    let (ok, out) = verify(&p);
    assert!(!ok);
    assert!(out.contains("build/current/www/media/bande-annonce.9fc9cc7e.mp3: the media of `bande-annonce`, retracted (feed/archive.toml:61), is still served — run `veillee build`"), "{out}");
}

#[test]
fn a_hand_edited_ledger_is_named() {
    let p = Project::fixture("show");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(p.path())
            .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    assert!(verify(&p).0);
    // A date moved by hand, not yet committed.
    p.edit("feed/archive.toml", "pub_date = 2024-06-12T07:00:00Z", "pub_date = 2024-06-13T07:00:00Z");
    let (ok, out) = verify(&p);
    assert!(!ok);
    insta::assert_snapshot!(out, @"
    verified 4 episodes against feed/archive.toml (1 scheduled, 0 retracted): 0.0 MB of audio read
    no build/current: the sources only were checked (run `veillee build` to check www too)
    damage (1):
      feed/archive.toml:24: this line was edited by hand since the last commit (it read `pub_date = 2024-06-12T07:00:00Z`) — restore it: `git checkout -- feed/archive.toml`
    error: the archive is damaged: see the files above
    ");
    // Committed, it is named with its commit.
    git(&["commit", "-qam", "dates"]);
    let hash = git(&["rev-parse", "--short", "HEAD"]);
    let (ok, out) = verify(&p);
    assert!(!ok);
    assert!(out.contains(&format!("feed/archive.toml:24: this line was changed after it was recorded (commit {}; it read `pub_date = 2024-06-12T07:00:00Z`)", hash.trim())), "{out}");

    // Outside git, the entries of one GUID still have to agree: a new version whose first
    // publication date was changed.
    let q = Project::fixture("show");
    std::fs::copy(q.file("episodes/bande-annonce.mp3"), q.file(LEAZ_AUDIO)).unwrap();
    q.ok(&["publish", "enquete-de-besoins-a-leaz", "--new-version", "--reason", "Remontage"]);
    let ledger = q.read("feed/archive.toml");
    let at = ledger.rfind("pub_date = 2024-06-12T07:00:00Z").unwrap();
    q.write("feed/archive.toml", format!("{}pub_date = 2025-06-12T07:00:00Z{}", &ledger[..at], &ledger[at + 31..]));
    let (ok, out) = verify(&q);
    assert!(!ok);
    assert!(
        out.contains("feed/archive.toml:61: the entry of `enquete-de-besoins-a-leaz` was edited by hand: its pub_date 2025-06-12T07:00:00Z is not the first publication's, 2024-06-12T07:00:00Z (line 19)"),
        "{out}"
    );
}

/// Every container's published copy (its tags rewritten) has the source's payload; one changed
/// byte of audio does not.
#[test]
fn payloads_are_compared_tags_aside() {
    use veillee::media::{payload, tag};
    let dir = tempfile::tempdir().unwrap();
    let facts = tag::TagFacts { title: "Un titre bien plus long que l'original".into(), ..tag::TagFacts::default() };
    for name in ["tone.flac", "tone.ogg", "tone.opus", "tone.m4a", "cbr.mp3", "vbr.mp3", "tone.wav"] {
        let source = std::fs::read(fixtures().join("audio").join(name)).unwrap();
        let ext = name.rsplit('.').next().unwrap();
        let copy = dir.path().join(name);
        match ext {
            "mp3" => {
                let t = tag::id3_tag(&facts, None).unwrap();
                tag::write_tagged_mp3(&fixtures().join("audio").join(name), &t, &copy).unwrap();
            }
            "m4a" => {
                std::fs::write(&copy, &source).unwrap();
                tag::tag_m4a(&copy, &facts, None).unwrap();
            }
            "wav" => std::fs::write(&copy, &source).unwrap(),
            _ => {
                std::fs::write(&copy, &source).unwrap();
                tag::tag_vorbis(&copy, &facts, None).unwrap();
            }
        }
        let published = std::fs::read(&copy).unwrap();
        assert!(ext == "wav" || published != source, "{name}: the copy was tagged");
        assert_eq!(payload::same(&source, &published, ext), Ok(true), "{name}");
        // A byte of the source's audio, three quarters in, found in the copy.
        let probe = &source[source.len() * 3 / 4..][..16];
        let at = published.windows(16).position(|w| w == probe).expect("the source's bytes are in the copy");
        let mut damaged = published.clone();
        damaged[at + 8] ^= 0x55;
        assert_ne!(payload::same(&source, &damaged, ext), Ok(true), "{name}: a byte of audio changed");
    }
}
