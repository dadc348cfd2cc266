//! Tags on the published copy of an episode's audio (the source is never modified): for MP3, an
//! ID3v2.3 tag in UTF-16 (title, author, show, year, genre, summary, cover, length, the episode
//! page, and the chapters as CTOC + CHAP with their method links) put in front of the source's
//! MPEG frames, whatever tags the source had taken off. The bytes are deterministic: the same
//! facts and audio give the same file.

use std::io::Write;
use std::ops::Range;
use std::path::Path;

use id3::frame::{Chapter, Comment, ExtendedLink, Picture, PictureType, TableOfContents};
use id3::{Frame, Tag, TagLike, Version};

use super::ProbeError;

/// Room left after the tag, so that a player or editor can grow it in place.
const PADDING: usize = 4096;

/// The cover in the tag: at most this many pixels a side…
const COVER_SIDE: u32 = 800;
/// …and this many bytes.
pub(crate) const COVER_BYTES: usize = 150 * 1024;
/// What makes the cover's JPEG, for the name of its cache: a change of size, weight or encoder
/// makes another file.
pub(crate) const COVER_SPEC: &str = "800px-150k-image0.25.10-lanczos3-v1";

/// What the tag says of an episode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagFacts {
    pub title: String,
    /// The item's `itunes:author`.
    pub author: String,
    /// The show's title.
    pub album: String,
    pub year: i32,
    /// The summary, plain text.
    pub summary: String,
    /// The episode page's absolute URL.
    pub page_url: String,
    pub duration_ms: u64,
    pub chapters: Vec<TagChapter>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagChapter {
    pub start_ms: u64,
    pub end_ms: u64,
    pub title: String,
    /// The method page the chapter discusses, absolute.
    pub url: Option<String>,
}

/// Why a tagged copy could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    #[error(transparent)]
    Audio(#[from] ProbeError),
    #[error("the cover cannot be made into the tag's JPEG: {0}")]
    Cover(String),
    #[error("the ID3 tag cannot be written: {0}")]
    Id3(String),
}

/// The ID3v2.3 tag of `facts`, with `cover` (a JPEG from [`cover_jpeg`]) and 4 KiB of padding.
pub fn id3_tag(facts: &TagFacts, cover: Option<&[u8]>) -> Result<Vec<u8>, TagError> {
    let clean = |s: &str| crate::util::text::strip_controls(s).into_owned();
    let mut tag = Tag::with_version(Version::Id3v23);
    tag.set_title(clean(&facts.title));
    tag.set_artist(clean(&facts.author));
    tag.set_album(clean(&facts.album));
    tag.set_year(facts.year);
    tag.set_genre("Podcast");
    tag.add_frame(Comment { lang: "fra".into(), description: String::new(), text: clean(&facts.summary) });
    if let Some(jpeg) = cover {
        tag.add_frame(Picture {
            mime_type: "image/jpeg".into(),
            picture_type: PictureType::CoverFront,
            description: String::new(),
            data: jpeg.to_vec(),
        });
    }
    tag.set_text("TLEN", facts.duration_ms.to_string());
    tag.add_frame(ExtendedLink { description: String::new(), link: facts.page_url.clone() });
    if !facts.chapters.is_empty() {
        let ms = |t: u64| u32::try_from(t).unwrap_or(u32::MAX);
        let ids: Vec<String> = (0..facts.chapters.len()).map(|i| format!("chp{i}")).collect();
        tag.add_frame(TableOfContents {
            element_id: "toc".into(),
            top_level: true,
            ordered: true,
            elements: ids.clone(),
            frames: Vec::new(),
        });
        for (id, c) in ids.into_iter().zip(&facts.chapters) {
            let mut frames = vec![Frame::text("TIT2", clean(&c.title))];
            if let Some(url) = &c.url {
                frames.push(Frame::with_content(
                    "WXXX",
                    id3::Content::ExtendedLink(ExtendedLink { description: String::new(), link: url.clone() }),
                ));
            }
            // Offsets unused (all ones): players seek by time.
            tag.add_frame(Chapter {
                element_id: id,
                start_time: ms(c.start_ms),
                end_time: ms(c.end_ms),
                start_offset: u32::MAX,
                end_offset: u32::MAX,
                frames,
            });
        }
    }
    let mut out = Vec::new();
    id3::Encoder::new()
        .version(Version::Id3v23)
        .padding(PADDING)
        .encode(&tag, &mut out)
        .map_err(|e| TagError::Id3(e.to_string()))?;
    Ok(out)
}

/// Tags the M4A file `path` in place (a copy the caller owns, never a source): the iTunes items
/// (title, artist, album, year, genre, comment, description, cover) and the chapters, both as a
/// chapter track (Apple's) and a Nero chapter list (others'), whatever the file had taken off.
/// An MP4 chapter carries no link: the method pages are in the ID3 and JSON chapters only.
pub fn tag_m4a(path: &Path, facts: &TagFacts, cover: Option<&[u8]>) -> Result<(), TagError> {
    let err = |e: mp4ameta::Error| TagError::Id3(format!("MP4: {e}"));
    let clean = |s: &str| crate::util::text::strip_controls(s).into_owned();
    let mut tag = mp4ameta::Tag::read_from_path(path).map_err(err)?;
    tag.clear_meta_items();
    tag.set_title(clean(&facts.title));
    tag.set_artist(clean(&facts.author));
    tag.set_album(clean(&facts.album));
    tag.set_year(facts.year.to_string());
    tag.set_genre("Podcast");
    tag.set_comment(clean(&facts.summary));
    tag.set_description(clean(&facts.summary));
    if let Some(jpeg) = cover {
        tag.set_artwork(mp4ameta::Img::jpeg(jpeg.to_vec()));
    }
    let chapters: Vec<mp4ameta::Chapter> = facts
        .chapters
        .iter()
        .map(|c| mp4ameta::Chapter::new(std::time::Duration::from_millis(c.start_ms), clean(&c.title)))
        .collect();
    *tag.chapter_track_mut() = chapters.clone();
    *tag.chapter_list_mut() = chapters;
    tag.write_to_path(path).map_err(err)
}

/// Tags the FLAC or Ogg (Vorbis, Opus) file `path` in place (a copy the caller owns): Vorbis
/// comments (TITLE, ARTIST, ALBUM, DATE, GENRE, COMMENT, DESCRIPTION, CONTACT the episode page),
/// the chapters as `CHAPTERnnn`/`CHAPTERnnnNAME`/`CHAPTERnnnURL` (the convention ffmpeg and
/// players read), and the cover as a picture; whatever comments the file had are replaced.
pub fn tag_vorbis(path: &Path, facts: &TagFacts, cover: Option<&[u8]>) -> Result<(), TagError> {
    use lofty::config::WriteOptions;
    use lofty::ogg::OggPictureStorage;
    use lofty::ogg::tag::VorbisComments;
    use lofty::tag::TagExt;
    let err = |e: &dyn std::fmt::Display| TagError::Id3(format!("Vorbis comments: {e}"));
    let clean = |s: &str| crate::util::text::strip_controls(s).into_owned();
    let mut c = VorbisComments::new();
    c.set_vendor("Veillée".into());
    for (k, v) in [
        ("TITLE", clean(&facts.title)),
        ("ARTIST", clean(&facts.author)),
        ("ALBUM", clean(&facts.album)),
        ("DATE", facts.year.to_string()),
        ("GENRE", "Podcast".into()),
        ("COMMENT", clean(&facts.summary)),
        ("DESCRIPTION", clean(&facts.summary)),
        ("CONTACT", facts.page_url.clone()),
    ] {
        c.push(k.into(), v);
    }
    for (i, ch) in facts.chapters.iter().enumerate() {
        let ms = ch.start_ms;
        let at = format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        c.push(format!("CHAPTER{:03}", i + 1), at);
        c.push(format!("CHAPTER{:03}NAME", i + 1), clean(&ch.title));
        if let Some(url) = &ch.url {
            c.push(format!("CHAPTER{:03}URL", i + 1), url.clone());
        }
    }
    if let Some(jpeg) = cover {
        let picture = lofty::picture::Picture::unchecked(jpeg.to_vec())
            .pic_type(lofty::picture::PictureType::CoverFront)
            .mime_type(lofty::picture::MimeType::Jpeg)
            .build();
        c.insert_picture(picture, None).map_err(|e| err(&e))?;
    }
    c.save_to_path(path, WriteOptions::default()).map_err(|e| err(&e))
}

/// The cover made small enough for every player: at most 800 px a side and 150 KB, JPEG (the
/// quality lowered until it fits).
pub fn cover_jpeg(image: &[u8]) -> Result<Vec<u8>, TagError> {
    let err = |e: image::ImageError| TagError::Cover(e.to_string());
    let img = image::load_from_memory(image).map_err(err)?;
    let img = if img.width() > COVER_SIDE || img.height() > COVER_SIDE {
        img.resize(COVER_SIDE, COVER_SIDE, image::imageops::FilterType::Lanczos3)
    } else {
        img
    };
    let rgb = img.to_rgb8();
    for quality in [90u8, 80, 70, 60, 50, 40] {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(&rgb).map_err(err)?;
        if out.len() <= COVER_BYTES {
            return Ok(out);
        }
    }
    Err(TagError::Cover(format!("no JPEG of the cover fits in {} KB", COVER_BYTES / 1024)))
}

/// Where the MPEG frames of an MP3 are: after its ID3v2 tags, before an ID3v1 or APEv2 tag.
pub fn mp3_audio(bytes: &[u8]) -> Result<Range<usize>, (Option<u64>, ProbeError)> {
    super::probe::mp3_audio(bytes)
}

/// Writes `dest`: `tag`, then the MPEG frames of the MP3 `src`, through a temporary file renamed
/// into place (never half written). The frames are copied by the kernel, never held in memory.
/// Returns the length written.
pub fn write_tagged_mp3(src: &Path, tag: &[u8], dest: &Path) -> Result<u64, TagError> {
    let io = |e: std::io::Error| TagError::Audio(ProbeError::Io { reason: e.to_string() });
    let file = std::fs::File::open(src).map_err(io)?;
    // SAFETY: a read-only map, dropped before returning (as in `probe_file`).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    let audio = mp3_audio(&map).map_err(|(_, e)| TagError::Audio(e))?;
    let dir = dest.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(tag).map_err(io)?;
    let mut from = std::fs::File::open(src).map_err(io)?;
    std::io::Seek::seek(&mut from, std::io::SeekFrom::Start(audio.start as u64)).map_err(io)?;
    let want = (audio.end - audio.start) as u64;
    let copied = std::io::copy(&mut std::io::Read::take(from, want), tmp.as_file_mut()).map_err(io)?;
    if copied != want {
        return Err(io(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the source shrank while copied")));
    }
    tmp.persist(dest).map_err(|e| io(e.error))?;
    Ok(tag.len() as u64 + want)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
    }

    fn facts() -> TagFacts {
        TagFacts {
            title: "Frapper aux portes à Léaz\u{7}".into(),
            author: "Solucracy, La Traverse".into(),
            album: "Veillée — les méthodes au village".into(),
            year: 2026,
            summary: "Comment un village a mené son autodiagnostic.".into(),
            page_url: "https://podcast.example.org/episodes/frapper-aux-portes-a-leaz/".into(),
            duration_ms: 2000,
            chapters: vec![
                TagChapter { start_ms: 0, end_ms: 1200, title: "Accueil".into(), url: None },
                TagChapter {
                    start_ms: 1200,
                    end_ms: 2000,
                    title: "La cartographie sensible".into(),
                    url: Some("https://podcast.example.org/methodes/cartographie-sensible/".into()),
                },
            ],
        }
    }

    fn tagged(src: &Path, dir: &Path, name: &str) -> (Vec<u8>, std::path::PathBuf) {
        let cover = cover_jpeg(&std::fs::read(fixture("projects/show/feed/cover.jpg")).unwrap()).unwrap();
        let tag = id3_tag(&facts(), Some(&cover)).unwrap();
        let dest = dir.join(name);
        let len = write_tagged_mp3(src, &tag, &dest).unwrap();
        let bytes = std::fs::read(&dest).unwrap();
        assert_eq!(len, bytes.len() as u64);
        (bytes, dest)
    }

    /// Every frame is there and read back by two other readers; the MPEG frames are the source's,
    /// byte for byte; tagging the tagged copy again gives the same bytes (its tag replaced).
    #[test]
    fn a_tagged_copy_has_every_frame_and_the_source_audio() {
        let dir = tempfile::tempdir().unwrap();
        let src = fixture("audio/cbr.mp3");
        let (bytes, dest) = tagged(&src, dir.path(), "copy.mp3");
        let source = std::fs::read(&src).unwrap();
        assert_eq!(
            &bytes[mp3_audio(&bytes).unwrap()],
            &source[mp3_audio(&source).unwrap()],
            "the audio payload is the source's"
        );

        let tag = Tag::read_from_path(&dest).unwrap();
        assert_eq!(tag.version(), Version::Id3v23);
        assert_eq!(tag.title(), Some("Frapper aux portes à Léaz"), "control characters dropped");
        assert_eq!(tag.artist(), Some("Solucracy, La Traverse"));
        assert_eq!(tag.album(), Some("Veillée — les méthodes au village"));
        assert_eq!(tag.year(), Some(2026));
        assert_eq!(tag.genre_parsed().as_deref(), Some("Podcast"));
        let comment = tag.comments().next().unwrap();
        assert_eq!(
            (comment.lang.as_str(), comment.text.as_str()),
            ("fra", "Comment un village a mené son autodiagnostic.")
        );
        assert_eq!(tag.get("TLEN").and_then(|f| f.content().text()), Some("2000"));
        assert_eq!(tag.extended_links().next().unwrap().link, facts().page_url);
        let picture = tag.pictures().next().unwrap();
        assert_eq!((picture.mime_type.as_str(), picture.picture_type), ("image/jpeg", PictureType::CoverFront));
        assert!(picture.data.len() <= COVER_BYTES);
        let cover = image::load_from_memory(&picture.data).unwrap();
        assert!(cover.width() <= COVER_SIDE && cover.height() <= COVER_SIDE);
        let toc = tag.tables_of_contents().next().unwrap();
        assert_eq!(toc.elements, ["chp0", "chp1"]);
        let chapters: Vec<&Chapter> = tag.chapters().collect();
        assert_eq!(chapters.len(), 2);
        assert_eq!((chapters[1].start_time, chapters[1].end_time), (1200, 2000));
        let link = chapters[1].frames.iter().find(|f| f.id() == "WXXX").and_then(|f| f.content().extended_link());
        assert_eq!(link.map(|l| l.link.as_str()), Some("https://podcast.example.org/methodes/cartographie-sensible/"));
        assert!(chapters[0].frames.iter().all(|f| f.id() != "WXXX"), "a chapter without a method has no link");

        // lofty reads the same facts.
        use lofty::file::TaggedFileExt;
        use lofty::tag::Accessor;
        let file = lofty::read_from_path(&dest).unwrap();
        let t = file.primary_tag().unwrap();
        assert_eq!(t.title().as_deref(), Some("Frapper aux portes à Léaz"));
        assert_eq!(t.album().as_deref(), Some("Veillée — les méthodes au village"));
        assert_eq!(t.pictures().len(), 1);

        let (again, _) = tagged(&dest, dir.path(), "again.mp3");
        assert_eq!(again, bytes, "deterministic, and an existing tag is replaced, not kept");
    }

    /// ID3v1 and APEv2 tags at the end are taken off with the ID3v2 one at the start.
    #[test]
    fn trailing_tags_are_not_audio() {
        let dir = tempfile::tempdir().unwrap();
        let mut with_v1 = std::fs::read(fixture("audio/cbr.mp3")).unwrap();
        let audio = with_v1[mp3_audio(&with_v1).unwrap()].to_vec();
        with_v1.extend_from_slice(b"TAG");
        with_v1.extend_from_slice(&[b'x'; 125]);
        let src = dir.path().join("v1.mp3");
        std::fs::write(&src, &with_v1).unwrap();
        let (bytes, _) = tagged(&src, dir.path(), "copy.mp3");
        assert_eq!(&bytes[mp3_audio(&bytes).unwrap()], &audio[..]);
    }

    /// A tag whose size lies, or no audio at all: an error, and no file left behind.
    #[test]
    fn hostile_sources_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let tag = id3_tag(&facts(), None).unwrap();
        for (name, want) in [("id3-oversize.mp3", "claims"), ("id3-only.mp3", "no audio frames")] {
            let dest = dir.path().join(name);
            let err = write_tagged_mp3(&fixture(&format!("audio/{name}")), &tag, &dest).unwrap_err();
            assert!(err.to_string().contains(want), "{name}: {err}");
            assert!(!dest.exists(), "{name}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no temporary file left");
        assert!(matches!(cover_jpeg(b"not an image"), Err(TagError::Cover(_))));
    }
}

#[cfg(test)]
mod big_tags {
    use super::*;

    /// A source whose own tag holds a 40 MB picture: probed and copied without that picture, the
    /// copy as small as its audio and our tag (the source mapped, never read into memory).
    #[test]
    fn a_forty_megabyte_picture_in_the_source_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let frames = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/cbr.mp3")).unwrap();
        let audio = &frames[mp3_audio(&frames).unwrap()];
        let mut theirs = Tag::with_version(Version::Id3v24);
        theirs.set_title("leur titre");
        theirs.add_frame(Picture {
            mime_type: "image/png".into(),
            picture_type: PictureType::CoverFront,
            description: String::new(),
            data: vec![7u8; 40 << 20],
        });
        let mut src = Vec::new();
        theirs.write_to(&mut src, Version::Id3v24).unwrap();
        src.extend_from_slice(audio);
        let path = dir.path().join("big.mp3");
        std::fs::write(&path, &src).unwrap();

        let facts = crate::media::probe_file(&path).unwrap();
        assert_eq!((facts.audio_start, facts.audio_end), ((src.len() - audio.len()) as u64, src.len() as u64));
        let ours = id3_tag(&TagFacts { title: "le nôtre".into(), ..TagFacts::default() }, None).unwrap();
        let dest = dir.path().join("copy.mp3");
        let len = write_tagged_mp3(&path, &ours, &dest).unwrap();
        assert_eq!(len, (ours.len() + audio.len()) as u64);
        let copy = std::fs::read(&dest).unwrap();
        assert_eq!(&copy[mp3_audio(&copy).unwrap()], audio);
        assert_eq!(Tag::read_from_path(&dest).unwrap().title(), Some("le nôtre"));
    }
}

#[cfg(test)]
mod other_formats {
    use super::*;

    fn packets(path: &Path) -> Vec<Vec<u8>> {
        let bytes = std::fs::read(path).unwrap();
        let mut format = crate::media::probe::open(&bytes, None).unwrap();
        let track = format.default_track(symphonia::core::formats::TrackType::Audio).unwrap().id;
        let mut out = Vec::new();
        while let Ok(Some(p)) = format.next_packet() {
            if p.track_id == track {
                out.push(p.data.to_vec());
            }
        }
        out
    }

    fn facts() -> TagFacts {
        TagFacts {
            title: "Dessiner le territoire\u{1}".into(),
            author: "La Traverse".into(),
            album: "Veillée".into(),
            year: 2026,
            summary: "Une carte sensible.".into(),
            page_url: "https://podcast.example.org/episodes/dessiner/".into(),
            duration_ms: 2000,
            chapters: vec![
                TagChapter { start_ms: 0, end_ms: 1000, title: "Ouverture".into(), url: None },
                TagChapter {
                    start_ms: 1000,
                    end_ms: 2000,
                    title: "La carte".into(),
                    url: Some("https://podcast.example.org/methodes/cartographie-sensible/".into()),
                },
            ],
        }
    }

    /// FLAC, Ogg Vorbis and Opus get Vorbis comments, chapters and the cover; their packets are the
    /// source's; tagging twice gives the same bytes. M4A gets iTunes items and chapters.
    #[test]
    fn flac_ogg_opus_and_m4a_are_tagged_with_their_audio_untouched() {
        use lofty::file::TaggedFileExt;
        use lofty::tag::Accessor;
        let dir = tempfile::tempdir().unwrap();
        let cover = cover_jpeg(
            &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/show/feed/cover.jpg"))
                .unwrap(),
        )
        .unwrap();
        for name in ["tone.flac", "tone.ogg", "tone.opus", "tone.m4a"] {
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio").join(name);
            let copies: Vec<Vec<u8>> = (0..2)
                .map(|n| {
                    let copy = dir.path().join(format!("{n}-{name}"));
                    std::fs::copy(&src, &copy).unwrap();
                    if name.ends_with(".m4a") {
                        tag_m4a(&copy, &facts(), Some(&cover)).unwrap();
                    } else {
                        tag_vorbis(&copy, &facts(), Some(&cover)).unwrap();
                    }
                    assert_eq!(packets(&copy), packets(&src), "{name}: the source's packets");
                    let file = lofty::read_from_path(&copy).unwrap();
                    let tag = file.primary_tag().unwrap();
                    assert_eq!(tag.title().as_deref(), Some("Dessiner le territoire"), "{name}");
                    assert_eq!(tag.album().as_deref(), Some("Veillée"), "{name}");
                    assert_eq!(tag.pictures().len(), 1, "{name}");
                    std::fs::read(&copy).unwrap()
                })
                .collect();
            assert_eq!(copies[0], copies[1], "{name}: deterministic");
        }
        // The chapters as the convention writes them (plain UTF-8 in the comment packet).
        for name in ["0-tone.flac", "0-tone.ogg", "0-tone.opus"] {
            let bytes = std::fs::read(dir.path().join(name)).unwrap();
            let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
            assert!(has("CHAPTER002=00:00:01.000") && has("CHAPTER002NAME=La carte"), "{name}");
            assert!(has("CHAPTER002URL=https://podcast.example.org/methodes/cartographie-sensible/"), "{name}");
            assert!(!has("ncoder="), "{name}: the source's comments are replaced (its vendor string may stay)");
        }
        let m4a = mp4ameta::Tag::read_from_path(dir.path().join("0-tone.m4a")).unwrap();
        let chapters: Vec<&str> = m4a.chapter_track().iter().map(|c| c.title.as_str()).collect();
        assert_eq!(chapters, ["Ouverture", "La carte"]);
    }
}
