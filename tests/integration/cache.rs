//! The load's cache (`.veillee/cache/`): whatever happens to the sources and to the cache
//! between builds, an incremental build writes what a cold build of the same sources writes,
//! and `check` says what it says.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{Project, cold_copy, tree};

/// What a build, a check and `feed` of `p` give: the published tree, check's report with the
/// feed printed, and an answer of the search.
fn outcome(p: &Project) -> (BTreeMap<String, Vec<u8>>, String, String, String) {
    let check = p.run(&["check"]);
    let feed = p.run(&["feed"]);
    let build = p.run(&["build"]);
    if build.status.success() {
        // Now from the stamp of that build, if it could make one: the same feed, and nothing to do.
        assert_eq!(String::from_utf8_lossy(&p.run(&["feed"]).stdout), String::from_utf8_lossy(&feed.stdout));
        let again = p.ok(&["build"]);
        assert!(again.lines().any(|l| l.starts_with("nothing changed: ")), "{again}");
    }
    let www = if build.status.success() { tree(&p.file("build/current/www")) } else { BTreeMap::new() };
    // The episodes and moments found (scores differ: an updated index counts its deleted
    // documents in its statistics until its segments merge).
    let search = if build.status.success() {
        let v: serde_json::Value = serde_json::from_str(&p.ok(&["search", "--json", "habitants"])).unwrap();
        let found: Vec<(String, Vec<String>)> = v["episodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let moments = e["moments"].as_array().unwrap().iter().map(|m| m["link"].to_string()).collect();
                (e["slug"].to_string(), moments)
            })
            .collect();
        format!("{found:?}")
    } else {
        String::new()
    };
    let report = |o: &std::process::Output| format!("{:?}\n{}", o.status.code(), String::from_utf8_lossy(&o.stderr));
    let check_and_feed = format!("{}\n{}{}", report(&check), report(&feed), String::from_utf8_lossy(&feed.stdout));
    (www, check_and_feed, format!("{:?}", build.status.code()), search)
}

/// A small deterministic generator (xorshift): the same edits on every machine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One change to the sources or the cache, named for the failure message.
/// The names of the files of `dir` ending in `ext`, sorted.
fn names(p: &Project, dir: &str, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p.file(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext))
        .collect();
    names.sort();
    names
}

/// Cuts `cache` to 1/`cut` of its length at even steps; at odd ones changes the byte at 1/`at`
/// of it, keeping the length (a cache that lies).
fn damage(cache: &Path, step: usize, cut: usize, at: usize) {
    match std::fs::read(cache) {
        Ok(bytes) if step.is_multiple_of(2) => std::fs::write(cache, &bytes[..bytes.len() / cut]).unwrap(),
        Ok(mut bytes) => {
            let at = bytes.len() / at;
            bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
            std::fs::write(cache, bytes).unwrap();
        }
        Err(_) => {}
    }
}

fn change(p: &Project, rng: &mut Rng, step: usize) -> String {
    let transcripts = names(p, "transcripts", ".vtt");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = transcripts[rng.below(transcripts.len())].clone();
    let rel = format!("transcripts/{name}");
    let path = p.file(&rel);
    // The text of a cue, changed: the first line after the chosen time line.
    let edited = |text: &str, what: &str| -> String {
        let lines: Vec<&str> = text.lines().collect();
        let timings: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains("-->")).collect();
        let at = timings[step % timings.len()] + 1;
        let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        out[at].push_str(what);
        out.join("\n") + "\n"
    };
    let episodes = names(p, "episodes", ".md");
    let episode = format!("episodes/{}", episodes[rng.below(episodes.len())]);
    match rng.below(17) {
        0 => {
            p.write(&rel, edited(&p.read(&rel), &format!(" modifié {step}")));
            format!("edit {rel}")
        }
        1 => {
            // The same bytes, a new modification time.
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(std::time::SystemTime::now()).unwrap();
            format!("touch {rel}")
        }
        2 => {
            let tmp = p.file("transcripts/.new");
            std::fs::write(&tmp, edited(&p.read(&rel), &format!(" remplacé {step}"))).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
            format!("replace {rel} by rename")
        }
        3 => {
            // The file becomes a hard link to a copy kept elsewhere, with other words.
            let other = p.path().join(format!("kept-{step}.vtt"));
            std::fs::write(&other, edited(&p.read(&rel), &format!(" lié {step}"))).unwrap();
            std::fs::remove_file(&path).unwrap();
            std::fs::hard_link(&other, &path).unwrap();
            format!("hard-link {rel}")
        }
        4 => {
            std::fs::remove_file(&path).unwrap();
            format!("delete {rel}")
        }
        5 => {
            // Every transcript of the repository back, as it was.
            for name in std::fs::read_dir(repo.join("transcripts")).unwrap().map(|e| e.unwrap().file_name()) {
                let _ = std::fs::remove_file(p.file("transcripts").join(&name));
                std::fs::copy(repo.join("transcripts").join(&name), p.file("transcripts").join(&name)).unwrap();
            }
            "restore the transcripts".to_owned()
        }
        6 => {
            // A machine-made label: a warning, said at every load.
            let text = p.read(&rel).replacen("<v ", "<v SPEAKER_09>", 1);
            p.write(&rel, text);
            format!("unmapped label in {rel}")
        }
        7 => {
            let cache = p.file(".veillee/cache/transcripts.json");
            match std::fs::read(&cache) {
                Ok(bytes) if step.is_multiple_of(2) => std::fs::write(&cache, &bytes[..bytes.len() / 2]).unwrap(),
                Ok(_) => std::fs::write(&cache, b"\x00garbage").unwrap(),
                Err(_) => {}
            }
            "damage the cache".to_owned()
        }
        9 => {
            // New words at the end of an episode's notes.
            let episodes = names(p, "episodes", ".md");
            let rel = format!("episodes/{}", episodes[step % episodes.len()]);
            p.write(&rel, p.read(&rel) + &format!("\nAjouté à l'étape {step}.\n"));
            format!("edit the notes of {rel}")
        }
        10 => {
            // A partner renamed: the author of its episodes' items.
            let rel = "site/partners/la-traverse.md";
            let text = p.read(rel);
            let name = text.lines().find(|l| l.starts_with("name = ")).unwrap().to_owned();
            p.write(rel, text.replacen(&name, &format!("name = \"La Traverse {step}\""), 1));
            "rename a partner".to_owned()
        }
        11 => {
            // An item that lies, or a cut.
            damage(&p.file(".veillee/cache/feed-items"), step, 3, 2);
            "damage the feed's items".to_owned()
        }
        12 => {
            let file = std::fs::File::options().write(true).open(p.file(&episode)).unwrap();
            file.set_modified(std::time::SystemTime::now()).unwrap();
            format!("touch {episode}")
        }
        13 => {
            // Front matter changed: the title, replaced by rename.
            let tmp = p.file("episodes/.new");
            std::fs::write(&tmp, p.read(&episode).replacen("title = \"", &format!("title = \"Étape {step} : "), 1))
                .unwrap();
            std::fs::rename(&tmp, p.file(&episode)).unwrap();
            format!("retitle {episode} by rename")
        }
        14 => {
            let other = p.path().join(format!("kept-{step}.md"));
            std::fs::write(&other, p.read(&episode) + &format!("\nLié à l'étape {step}.\n")).unwrap();
            std::fs::remove_file(p.file(&episode)).unwrap();
            std::fs::hard_link(&other, p.file(&episode)).unwrap();
            format!("hard-link {episode}")
        }
        15 => {
            // A text that lies, or a cut.
            damage(&p.file(".veillee/cache/episodes.json"), step, 2, 3);
            "damage the episodes' cache".to_owned()
        }
        16 => {
            // A typo in the front matter: an error, then the file put back.
            let text = p.read(&episode);
            p.write(&episode, text.replacen("guid = ", "giud = ", 1));
            let broken = outcome(p).1;
            assert!(broken.contains("giud"), "{broken}");
            p.write(&episode, text);
            format!("typo in {episode}, then fixed")
        }
        _ => {
            // A transcript swapped with another episode's: same names, other files.
            let other = &transcripts[(transcripts.iter().position(|n| *n == name).unwrap() + 1) % transcripts.len()];
            let a = std::fs::read(&path).unwrap();
            let b = std::fs::read(p.file(&format!("transcripts/{other}"))).unwrap();
            std::fs::write(&path, b).unwrap();
            std::fs::write(p.file(&format!("transcripts/{other}")), a).unwrap();
            format!("swap {rel} and {other}")
        }
    }
}

#[test]
fn an_incremental_build_writes_what_a_cold_build_writes_after_any_change() {
    for seed in [0x9e37_79b9_7f4a_7c15_u64, 0x2545_f491_4f6c_dd1d, 0x1656_67b1_9e37_79f9] {
        let p = Project::sample();
        let mut rng = Rng(seed);
        p.ok(&["build"]);
        let mut done = Vec::new();
        for step in 0..10 {
            done.push(change(&p, &mut rng, step));
            let warm = outcome(&p);
            let cold = outcome(&cold_copy(&p));
            assert_eq!(warm.1, cold.1, "check after {done:?}");
            assert_eq!(warm.2, cold.2, "build's exit after {done:?}");
            assert_eq!(warm.3, cold.3, "search after {done:?}");
            let (w, c) = (&warm.0, &cold.0);
            assert_eq!(w.keys().collect::<Vec<_>>(), c.keys().collect::<Vec<_>>(), "files after {done:?}");
            for (path, bytes) in w {
                assert!(bytes == &c[path], "{path} differs from a cold build after {done:?}");
            }
        }
    }
}

/// The JSON of a cache file (before its checksum line).
fn cache_json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap();
    serde_json::Deserializer::from_slice(&bytes).into_iter().next().unwrap().unwrap()
}

/// A transcript that did not change is not read again; one that changed is, even with the
/// size and times of the old one.
#[test]
fn the_cache_knows_a_changed_transcript_by_its_identity() {
    let p = Project::sample();
    p.ok(&["check"]);
    let cache = p.file(".veillee/cache/transcripts.json");
    let first = cache_json(&cache);
    assert_eq!(first["entries"].as_object().unwrap().len(), 10, "{first}");
    // Same size, same modification time, other bytes: the change time and the inode tell.
    let rel = "transcripts/porte-a-porte-a-levant-les-tattes.vtt";
    let path = p.file(rel);
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = p.read(rel).replacen("Bonjour", "BONJOUR", 1);
    let tmp = p.file("transcripts/.new");
    std::fs::write(&tmp, &text).unwrap();
    std::fs::File::options().write(true).open(&tmp).unwrap().set_modified(modified).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    p.ok(&["build"]);
    let vtt = p.read("build/current/www/transcripts/porte-a-porte-a-levant-les-tattes.vtt");
    assert!(vtt.contains("BONJOUR"), "{vtt}");
    let second = cache_json(&cache);
    let entry = |v: &serde_json::Value| v["entries"][rel]["digest"].clone();
    assert_ne!(entry(&first), entry(&second));
}

/// An episode that did not change is taken from the cache, text and front matter; one that
/// changed is read again, even with the size and times of the old one.
#[test]
fn the_cache_knows_a_changed_episode_by_its_identity() {
    let p = Project::sample();
    p.ok(&["build"]);
    let cache = p.file(".veillee/cache/episodes.json");
    let first = cache_json(&cache);
    let episodes = std::fs::read_dir(p.file("episodes"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "md"));
    assert_eq!(first["entries"].as_object().unwrap().len(), episodes.count(), "{first}");
    let rel = "episodes/porte-a-porte-a-levant-les-tattes.md";
    let path = p.file(rel);
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = p.read(rel);
    let title = text.lines().find(|l| l.starts_with("title = ")).unwrap();
    // The same length: an upper-case title.
    let changed = text.replacen(title, &format!("title = {}", title["title = ".len()..].to_uppercase()), 1);
    assert_eq!(changed.len(), text.len());
    let tmp = p.file("episodes/.new");
    std::fs::write(&tmp, &changed).unwrap();
    std::fs::File::options().write(true).open(&tmp).unwrap().set_modified(modified).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    p.ok(&["build"]);
    let page = p.read("build/current/www/episodes/porte-a-porte-a-levant-les-tattes/index.html");
    assert!(page.contains("FERNEY-VOLTAIRE"), "{page}");
    let second = cache_json(&cache);
    let entry = |v: &serde_json::Value| v["entries"][rel]["digest"].clone();
    assert_ne!(entry(&first), entry(&second));
    // Spans survive the cache: a problem found from the cached form names its line.
    let line = text.lines().position(|l| l.starts_with("methods = ")).unwrap() + 1;
    let method = p.file("site/methods/recensement-des-problemes.md");
    std::fs::rename(&method, method.with_extension("bak")).unwrap();
    let out = p.run(&["check"]);
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains(&format!("{rel}:{line}")), "line {line}: {report}");
}
