//! The published copy of an MP3: our ID3 tag in front of the source's own frames (the source
//! never touched), re-tagged under the same name when the text changes.

use id3::TagLike as _;
use std::os::unix::fs::MetadataExt as _;

use crate::util::Project;

const LEAZ: &str = "episodes/enquete-de-besoins-a-leaz.md";
const LEAZ_AUDIO: &str = "episodes/Léaz — porte à porte 🎙.mp3";
const LEAZ_MEDIA: &str = "media/enquete-de-besoins-a-leaz.f5e72987.mp3";

fn frames(bytes: &[u8]) -> &[u8] {
    &bytes[veillee::media::tag::mp3_audio(bytes).unwrap()]
}

#[test]
fn a_published_mp3_carries_its_episode_in_its_tag() {
    let p = Project::fixture("show");
    let source = std::fs::read(p.file(LEAZ_AUDIO)).unwrap();
    p.ok(&["build"]);
    assert_eq!(std::fs::read(p.file(LEAZ_AUDIO)).unwrap(), source, "the source is never modified");
    let published = std::fs::read(p.www().join(LEAZ_MEDIA)).unwrap();
    assert_eq!(frames(&published), frames(&source), "the source's frames, byte for byte");

    let tag = id3::Tag::read_from2(std::io::Cursor::new(&published)).unwrap();
    assert_eq!(tag.version(), id3::Version::Id3v23);
    assert_eq!(tag.title(), Some("Frapper aux portes : l'enquête de besoins à Léaz & <ailleurs> \"]]>\""));
    assert_eq!(tag.genre_parsed().as_deref(), Some("Podcast"));
    assert_eq!(tag.pictures().count(), 1);
    let page = tag.extended_links().next().map(|l| l.link.clone());
    assert_eq!(page.as_deref(), Some("https://veillee.example.org/episodes/enquete-de-besoins-a-leaz/"));
    let chapters: Vec<_> = tag.chapters().collect();
    let title = |c: &id3::frame::Chapter| {
        c.frames.iter().find(|f| f.id() == "TIT2").and_then(|f| f.content().text()).map(str::to_owned)
    };
    assert_eq!(
        chapters.iter().map(|c| title(c)).collect::<Vec<_>>(),
        [Some("Ouverture".into()), Some("Quatre questions sur le pas de la porte".into())]
    );
    assert_eq!((chapters[1].start_time, chapters[0].end_time), (1000, 1000));
    let method = chapters[1].frames.iter().find(|f| f.id() == "WXXX").and_then(|f| f.content().extended_link());
    assert_eq!(
        method.map(|l| l.link.as_str()),
        Some("https://veillee.example.org/methodes/recensement-des-problemes/")
    );

    // Nothing changed: the same file, not rewritten.
    let inode = || std::fs::metadata(p.www().join(LEAZ_MEDIA)).unwrap().ino();
    let before = inode();
    p.ok(&["build"]);
    assert_eq!(inode(), before);

    // A corrected title re-tags the copy under the same name; the feed follows its length.
    p.edit(LEAZ, "Frapper aux portes :", "Frapper aux portes, revu :");
    p.ok(&["build"]);
    let retagged = std::fs::read(p.www().join(LEAZ_MEDIA)).unwrap();
    assert_ne!(retagged, published);
    assert_eq!(frames(&retagged), frames(&source));
    let tag = id3::Tag::read_from2(std::io::Cursor::new(&retagged)).unwrap();
    assert!(tag.title().unwrap().starts_with("Frapper aux portes, revu :"));
    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains(&format!("{LEAZ_MEDIA}\" length=\"{}\"", retagged.len())), "the feed gives the new length");
    p.ok(&["check"]);
}

/// A build for another address (a staging host) still tags with the show's own: a tag is in
/// files that outlive any host.
#[test]
fn a_build_for_another_address_tags_with_the_shows_own() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    p.ok(&["build", "--base-url", "http://127.0.0.1:9"]);
    let tag = id3::Tag::read_from_path(p.www().join(LEAZ_MEDIA)).unwrap();
    let page = tag.extended_links().next().map(|l| l.link.clone());
    assert_eq!(
        page.as_deref(),
        Some("https://veillee.example.org/episodes/enquete-de-besoins-a-leaz/"),
        "never the build's address"
    );
}

/// Whatever changes the length of a tagged copy, the feed and the pages follow: here the cover's
/// JPEG kept in the cache is replaced by another (as another version of its encoder would make).
#[test]
fn the_feed_always_gives_the_length_of_the_published_copy() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let cache = p.file(".veillee/cache/tag-cover");
    let kept: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    std::fs::copy(p.file("feed/cover.jpg"), &kept[0]).unwrap();
    p.ok(&["build"]);
    let feed = p.read("build/current/www/feed.xml");
    let mut checked = 0;
    for part in feed.split("<enclosure url=\"").skip(1) {
        let url = part.split('"').next().unwrap();
        let length: u64 = part.split("length=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        let file = p.www().join(url.split_once("/media/").map(|(_, n)| format!("media/{n}")).unwrap());
        assert_eq!(std::fs::metadata(&file).unwrap().len(), length, "{url}");
        checked += 1;
    }
    assert!(checked >= 2);
    let page = p.read("build/current/www/episodes/enquete-de-besoins-a-leaz/index.html");
    let size = std::fs::metadata(p.www().join(LEAZ_MEDIA)).unwrap().len();
    assert!(
        page.contains(&format!("({} ko)", size.div_ceil(1000))) || page.contains(&format!("({} ko)", size / 1000)),
        "the page's size"
    );
}

const JAZ: &str = "episodes/cartographie-sensible-a-jazeneuil.md";
const JAZ_MEDIA: &str = "media/cartographie-sensible-a-jazeneuil.c2eb2dfc.m4a";

/// A published M4A carries the iTunes items and the chapters (a chapter track and a Nero list),
/// its AAC packets the source's; its length, known only once written, is staged while planning
/// so that the feed gives it; an unchanged build neither stages nor rewrites it.
#[test]
fn a_published_m4a_carries_its_episode_in_its_items_and_chapters() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let path = p.www().join(JAZ_MEDIA);
    let tag = mp4ameta::Tag::read_from_path(&path).unwrap();
    assert!(tag.title().is_some_and(|t| t.starts_with("Dessiner le territoire")), "{:?}", tag.title());
    assert_eq!(tag.album(), Some("Veillées d'essai"));
    assert_eq!(tag.genre(), Some("Podcast"));
    assert!(tag.artwork().is_some());
    let titles: Vec<&str> = tag.chapter_track().iter().map(|c| c.title.as_str()).collect();
    assert!(titles.len() >= 2, "{titles:?}");
    assert_eq!(tag.chapter_list().len(), titles.len());
    let feed = p.read("build/current/www/feed.xml");
    let length = std::fs::metadata(&path).unwrap().len();
    assert!(feed.contains(&format!("{JAZ_MEDIA}\" length=\"{length}\"")));
    let leftovers: Vec<_> = std::fs::read_dir(p.file("build"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with("stage-"))
        .collect();
    assert!(leftovers.is_empty(), "the stage is removed: {leftovers:?}");

    let inode = || std::fs::metadata(p.www().join(JAZ_MEDIA)).unwrap().ino();
    let before = inode();
    p.edit(LEAZ, "Frapper aux portes :", "Frapper aux portes, revu :");
    p.ok(&["build"]);
    assert_eq!(inode(), before, "another episode's edit leaves the M4A as it was");
    assert!(p.read("build/current/www/feed.xml").contains(&format!("{JAZ_MEDIA}\" length=\"{length}\"")));

    p.edit(JAZ, "title = \"Dessiner le territoire", "title = \"Redessiner le territoire");
    p.ok(&["build"]);
    let tag = mp4ameta::Tag::read_from_path(p.www().join(JAZ_MEDIA)).unwrap();
    assert!(tag.title().is_some_and(|t| t.starts_with("Redessiner le territoire")), "re-tagged under the same name");
    let length = std::fs::metadata(p.www().join(JAZ_MEDIA)).unwrap().len();
    assert!(p.read("build/current/www/feed.xml").contains(&format!("{JAZ_MEDIA}\" length=\"{length}\"")));
    // `veillee feed` gives the same, from the current generation's lengths.
    assert_eq!(p.ok(&["feed"]), p.read("build/current/www/feed.xml"));
}

/// An episode published as FLAC carries Vorbis comments: staged while planning like an M4A, the
/// feed giving its length, its packets the source's.
#[test]
fn a_published_flac_carries_vorbis_comments() {
    let p = Project::fixture("show");
    p.ok(&["new", "episode", "Une veillée en FLAC"]);
    std::fs::copy(crate::util::fixtures().join("audio/tone.flac"), p.file("episodes/une-veillee-en-flac.flac"))
        .unwrap();
    let out = p.ok(&["publish", "une-veillee-en-flac"]);
    let name = out.split(": ").nth(1).unwrap().split(',').next().unwrap().to_owned();
    let bytes = std::fs::read(p.www().join("media").join(&name)).unwrap();
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    assert!(has("TITLE=Une veillée en FLAC") && has("GENRE=Podcast") && has("ALBUM=Veillées d'essai"), "{name}");
    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains(&format!("{name}\" length=\"{}\"", bytes.len())), "the feed gives the tagged length");
    let source = std::fs::read(p.file("episodes/une-veillee-en-flac.flac")).unwrap();
    let frames = |b: &[u8]| {
        // FLAC frames follow the last metadata block (flag 0x80).
        let mut at = 4;
        loop {
            let last = b[at] & 0x80 != 0;
            at += 4 + usize::from(b[at + 1]) * 65536 + usize::from(b[at + 2]) * 256 + usize::from(b[at + 3]);
            if last {
                break b[at..].to_vec();
            }
        }
    };
    assert_eq!(frames(&bytes), frames(&source), "the source's frames");
}
