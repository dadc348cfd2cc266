//! Archive bags: export (what is in, what never is), the round trip (restore, build: the same
//! feed and media, byte for byte), and bags refused whole, naming the file, nothing written.

use std::path::Path;

use crate::util::{Project, tree};

fn manifest(bag: &Path) -> Vec<String> {
    std::fs::read_to_string(bag.join("manifest-sha256.txt"))
        .unwrap()
        .lines()
        .map(|l| l.split_once("  ").unwrap().1.to_owned())
        .collect()
}

/// The fixture show with a retraction whose sources are kept, a draft, and a build.
fn show() -> Project {
    let p = Project::fixture("show");
    p.ok(&["retract", "bande-annonce", "--reason", "Doublon", "--keep-sources"]);
    p
}

#[test]
fn a_bag_round_trips_to_the_same_feed_and_media() {
    let p = show();
    let elsewhere = tempfile::tempdir().unwrap();
    let bag = elsewhere.path().join("bag");
    let out = p.ok(&["archive", "export", bag.to_str().unwrap()]);
    insta::assert_snapshot!(out.replace(bag.to_str().unwrap(), "BAG"), @"wrote the bag BAG: 27 files, 0.1 MB (3 episodes; 1 retracted, their records only)");
    let files = manifest(&bag);
    insta::assert_snapshot!(files.join("\n"));
    // Never a draft, a retracted episode's files, .veillee/ or build/.
    for never in ["brouillon", "bande-annonce", ".veillee", "build/"] {
        assert!(!files.iter().any(|f| f.contains(never)), "{never} in the bag");
    }
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    assert!(
        info.contains("Bagging-Date: 2026-01-01\n") && info.contains("External-Identifier: podcast:guid "),
        "{info}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bag.join("data/episodes.json")).unwrap()).unwrap();
    assert_eq!(json["episodes"].as_array().unwrap().len(), 3);
    assert_eq!(json["retracted"][0]["slug"], "bande-annonce");
    assert_eq!(json["retracted"][0]["reason"], "Doublon");

    // Restored, the show builds the bag's feed and media again, byte for byte.
    let restored = elsewhere.path().join("restored");
    let out = p.ok(&["archive", "restore", bag.to_str().unwrap(), restored.to_str().unwrap()]);
    assert!(out.starts_with("checked 30 files of the bag; restored 16 sources to "), "{out}");
    let q = Project { dir: tempfile::tempdir().unwrap() };
    std::fs::remove_dir_all(q.path()).unwrap();
    std::fs::rename(&restored, q.path()).unwrap();
    q.ok(&["check"]);
    q.ok(&["build"]);
    assert_eq!(q.read("build/current/www/feed.xml"), std::fs::read_to_string(bag.join("data/feed.xml")).unwrap());
    let media = tree(&bag.join("data/media"));
    assert_eq!(media.len(), 2, "the published ones (the third is scheduled)");
    assert!(media == tree(&q.www().join("media")), "the same media, byte for byte");
    assert!(q.ok(&["archive", "verify"]).contains("no damage"));
}

#[test]
fn a_damaged_bag_is_refused_whole() {
    let p = show();
    let elsewhere = tempfile::tempdir().unwrap();
    let bag = elsewhere.path().join("bag");
    let at = |name: &str| elsewhere.path().join(name);
    p.ok(&["archive", "export", bag.to_str().unwrap()]);
    let restore = |to: &Path| p.fails(&["archive", "restore", bag.to_str().unwrap(), to.to_str().unwrap()]);
    let clean = |s: String| {
        s.replace(bag.to_str().unwrap(), "BAG")
            .replace(elsewhere.path().to_str().unwrap(), "ELSEWHERE")
            .replace(p.path().to_str().unwrap(), "SHOW")
    };
    let media = bag.join("data/media/enquete-de-besoins-a-leaz.f5e72987.mp3");
    let good = std::fs::read(&media).unwrap();

    let mut altered = good.clone();
    altered[5000] ^= 1;
    std::fs::write(&media, &altered).unwrap();
    let mut said = vec![clean(restore(&at("r1")))];
    std::fs::remove_file(&media).unwrap();
    said.push(clean(restore(&at("r2"))));
    std::fs::write(&media, &good).unwrap();
    std::fs::write(bag.join("data/sources/episodes/extra.md"), "+++\n").unwrap();
    said.push(clean(restore(&at("r3"))));
    std::fs::remove_file(bag.join("data/sources/episodes/extra.md")).unwrap();
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    std::fs::write(bag.join("bag-info.txt"), info.replace("Bag-Size", "Bag-Taille")).unwrap();
    said.push(clean(restore(&at("r4"))));
    std::fs::write(bag.join("bag-info.txt"), &info).unwrap();
    let manifest_text = std::fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    let hostile = manifest_text.replacen("  data/chapters/", "  data/../../chapters/", 1);
    std::fs::write(bag.join("manifest-sha256.txt"), hostile).unwrap();
    said.push(clean(restore(&at("r5"))));
    std::fs::write(bag.join("manifest-sha256.txt"), &manifest_text).unwrap();
    said.push(clean(restore(&p.file("episodes"))));
    said.push(clean(p.fails(&["archive", "restore", p.file("feed").to_str().unwrap(), at("r6").to_str().unwrap()])));
    insta::assert_snapshot!(said.join(""), @"
    error: BAG/data/media/enquete-de-besoins-a-leaz.f5e72987.mp3: altered: its SHA-256 is 4575417f45e9…, manifest-sha256.txt says 3786c1db53ad… — the bag is damaged; nothing was restored
    error: BAG/data/media/enquete-de-besoins-a-leaz.f5e72987.mp3: listed in manifest-sha256.txt, missing — the bag is damaged; nothing was restored
    error: BAG/data/sources/episodes/extra.md: in data/ but not in manifest-sha256.txt — the bag is damaged; nothing was restored
    error: BAG/bag-info.txt: altered: its SHA-256 is 1f592ab696f4…, tagmanifest-sha256.txt says 2d3e11313682… — the bag is damaged; nothing was restored
    error: BAG/manifest-sha256.txt: line 1: `data/../../chapters/cartographie-sensible-a-jazeneuil.chapters.json` is not a path inside the bag — the bag is damaged; nothing was restored
    error: SHOW/episodes: exists already and is not empty — name a new directory
    error: SHOW/feed: not a BagIt bag: no bagit.txt
    ");
    for n in 1..=6 {
        assert!(!at(&format!("r{n}")).exists(), "nothing restored from a damaged bag");
    }
    let names: Vec<String> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["bag"], "no temporary directory left");
    // Whole again, it restores.
    p.ok(&["archive", "restore", bag.to_str().unwrap(), at("r7").to_str().unwrap()]);
    // An export never writes into a directory that holds something.
    insta::assert_snapshot!(clean(p.fails(&["archive", "export", p.file("site").to_str().unwrap()])), @"error: SHOW/site: exists already and is not empty — name a new directory");
}
