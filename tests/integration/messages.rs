//! Every user-facing message of the library, whole: each variant of each error type with its
//! hint, the problems of the sources in English and in French with their code and arguments, so
//! that a change of wording is a reviewed snapshot diff (the Zola "front matter of section" slip
//! is the kind of bug only this catches). The integration tests pin the same messages in context.

use std::path::PathBuf;

use veillee::archive::PublishError;
use veillee::catalog::{ChapterFault, Expected, ImageFault, ImageUse, MediaChange, PathFault, RefKind, SourceError};
use veillee::generate::GenerateError;
use veillee::media::ProbeError;
use veillee::problem::{Diagnostic, Lang, Position, Problem, Problems};
use veillee::project::{ImportError, PageError, ProjectError};
use veillee::search::{IndexError, SearchError};
use veillee::serve::ServeError;
use veillee::site::TemplateError;
use veillee::transcript::TranscriptError;
use veillee::util::IoError;

/// Each problem: its code, its arguments, then its English and French text with their hints.
fn problems<D: Diagnostic>(variants: &[D]) -> String {
    let mut out = String::new();
    for v in variants {
        out.push_str(&format!("{} {}\n", v.code(), v.args()));
        for lang in [Lang::En, Lang::Fr] {
            let hint = v.hint(lang).map(|h| format!(" — {h}")).unwrap_or_default();
            out.push_str(&format!("  {lang:?}: {}{hint}\n", v.message(lang)));
        }
    }
    out
}

/// Each error as the command line prints it.
fn errors<E: std::error::Error>(variants: &[E]) -> String {
    variants.iter().map(|e| format!("{e}\n")).collect()
}

fn io() -> IoError {
    IoError::new("episodes/a.md", std::io::Error::from(std::io::ErrorKind::PermissionDenied))
}

#[test]
fn source_problems() {
    let s = |x: &str| x.to_owned();
    let image = |why| SourceError::BadImage { what: ImageUse::Cover, file: s("cover.jpg"), why };
    let mut all = vec![
        SourceError::Io { reason: s("permission denied") },
        SourceError::NotUtf8 { offset: 12 },
        SourceError::Empty,
        SourceError::NoFrontMatter,
        SourceError::UnclosedFrontMatter,
        SourceError::Toml { message: s("invalid string, expected `\"`") },
        SourceError::Toml { message: s("invalid type: string \"mardi\", expected a TOML datetime") },
        SourceError::UnknownField { field: s("sumary"), suggestion: Some(s("summary")), expected: None },
        SourceError::UnknownField { field: s("zzz"), suggestion: None, expected: Some(s("expected one of `a`, `b`")) },
        SourceError::MissingField { field: s("guid") },
        SourceError::MissingField { field: s("title") },
        SourceError::DuplicateGuid { guid: s("g"), other: s("episodes/b.md") },
        SourceError::EmptyGuid,
        SourceError::BadDate { value: s("2024-09-03") },
        SourceError::MissingAudio { file: s("a.mp3") },
        SourceError::NoAudio { tried: s("episodes/a.{mp3,m4a}") },
        SourceError::AmbiguousAudio { found: s("a.mp3, a.m4a") },
        SourceError::UnpublishableAudio { ext: s("wav") },
        SourceError::BadSlug { name: s("Été"), suggestion: s("ete.md") },
        SourceError::BadTimecode { value: s("1:5") },
        SourceError::PublishedWithoutSource { guid: s("g"), slug: s("a") },
        SourceError::PublishedMediaChanged(Box::new(MediaChange {
            slug: s("a"),
            audio: s("episodes/a.mp3"),
            sha256: s("0123456789ab"),
            published_on: s("2024-06-12"),
            published_sha256: s("ba9876543210"),
        })),
        SourceError::OrphanTranscript,
        SourceError::ControlCharacter { code_point: s("U+0085"), meant: Some(s("…")), others: 2 },
        SourceError::ControlCharacter { code_point: s("U+0007"), meant: None, others: 0 },
        SourceError::LongTitle { length: 300, limit: 255 },
        SourceError::ChaptersOutOfOrder { title: s("Lire") },
        SourceError::ChaptersDoNotStartAtZero,
        SourceError::ChapterAfterEnd { title: s("Lire"), start: s("600"), duration: s("2.5") },
        SourceError::SoundbiteAfterEnd { start: s("1"), duration: s("2.5") },
    ];
    for kind in [RefKind::Episode, RefKind::Method, RefKind::Partner, RefKind::Territory, RefKind::PersonRole] {
        all.push(SourceError::UnknownRef { kind, slug: s("x"), suggestion: None });
    }
    all.push(SourceError::UnknownRef { kind: RefKind::Method, slug: s("carte"), suggestion: Some(s("cartes")) });
    for expected in [
        Expected::HttpsSite,
        Expected::HttpsAddress,
        Expected::LanguageCode,
        Expected::AppleCategory { suggestion: None },
        Expected::AppleCategory { suggestion: Some(s("Society & Culture")) },
        Expected::Subcategory { category: s("History"), allowed: vec![] },
        Expected::Subcategory { category: s("Comedy"), allowed: vec![s("Improv"), s("Stand-Up")] },
        Expected::Uuid,
        Expected::NumberFrom1,
        Expected::PositiveSeconds,
    ] {
        all.push(SourceError::InvalidValue { field: "field", value: s("v"), expected });
    }
    for why in [PathFault::Empty, PathFault::Absolute, PathFault::Dots, PathFault::LinksOut] {
        all.push(SourceError::UnsafePath { value: s("../x"), why });
    }
    for why in [ChapterFault::NoTitle, ChapterFault::BadTimecode, ChapterFault::BadMethod, ChapterFault::EmptyTitle] {
        all.push(SourceError::BadChapter { text: s("0:0 A"), why });
    }
    for why in [
        ImageFault::Unreadable { reason: s("no such file") },
        ImageFault::OtherFormat { format: s("Gif") },
        ImageFault::NotAnImage,
        ImageFault::WrongExtension { format: s("PNG"), ext: s("jpg") },
        ImageFault::Damaged { reason: s("truncated") },
        ImageFault::Grayscale,
        ImageFault::NotRgb { color: s("Rgb32F") },
        ImageFault::NotSquare { width: 1400, height: 1000 },
        ImageFault::OutOfRange { width: 500, height: 500 },
    ] {
        all.push(image(why));
    }
    all.push(SourceError::BadImage { what: ImageUse::Episode, file: s("a.png"), why: ImageFault::Grayscale });
    insta::assert_snapshot!(problems(&all));
}

#[test]
fn audio_problems() {
    let s = |x: &str| x.to_owned();
    insta::assert_snapshot!(problems(&[
        ProbeError::Io { reason: s("permission denied") },
        ProbeError::Empty,
        ProbeError::NotAudio { text: true },
        ProbeError::NotAudio { text: false },
        ProbeError::Id3TooLarge { claimed: 200_000_000, available: 16 },
        ProbeError::NoAudioFrames,
        ProbeError::NoAudioTrack,
        ProbeError::Unsupported { what: s("codec Mp2") },
        ProbeError::Truncated { announced_ms: 2000, found_ms: 1000 },
        ProbeError::PartialFrame { bytes: 50 },
        ProbeError::Damaged { reason: s("bad sync") },
    ]));
}

#[test]
fn transcript_problems() {
    let s = |x: &str| x.to_owned();
    insta::assert_snapshot!(problems(&[
        TranscriptError::Io { reason: s("permission denied") },
        TranscriptError::TooLarge { size: 70_000_000, limit: 67_108_864 },
        TranscriptError::LineTooLong { limit: 65_536 },
        TranscriptError::NotUtf8 { offset: 49 },
        TranscriptError::Empty,
        TranscriptError::UnknownFormat,
        TranscriptError::WrongFormat { found: "SRT" },
        TranscriptError::MissingHeader,
        TranscriptError::BadTimestamp { value: s("00:00:01,000") },
        TranscriptError::MissingTiming,
        TranscriptError::EndBeforeStart { start: s("00:00:02.000"), end: s("00:00:01.000") },
        TranscriptError::Json { message: s("missing field `to`") },
        TranscriptError::BadSeconds { value: s("-1") },
        TranscriptError::NoCue,
        TranscriptError::EmptyCue { others: 0 },
        TranscriptError::EmptyCue { others: 1 },
        TranscriptError::OutOfOrder { others: 3 },
        TranscriptError::Overlap { others: 0 },
        TranscriptError::PastAudioEnd { end: s("00:01:00.000"), duration: s("00:00:02.500"), others: 2 },
        TranscriptError::NotImported { slug: s("a") },
        TranscriptError::UnmappedSpeaker { label: s("SPEAKER_03") },
        TranscriptError::ControlCharacter { code_point: s("U+0092"), meant: Some(s("’")), others: 1 },
        TranscriptError::ControlCharacter { code_point: s("U+0007"), meant: None, others: 0 },
    ]));
}

#[test]
fn operation_errors() {
    let s = |x: &str| x.to_owned();
    let mut out = String::new();
    out += &errors(&[
        ProjectError::NoRoot { start: PathBuf::from("/srv/x") },
        ProjectError::Exists { path: PathBuf::from("episodes/a.md") },
        ProjectError::Io(io()),
        ProjectError::SlugUsed { slug: s("a") },
        ProjectError::Invalid {
            what: "--base-url",
            value: s("http://x"),
            why: "the public address of the show must start with https://",
        },
        ProjectError::Clock(s("demain")),
        ProjectError::Ledger(Problems(vec![Problem::error(
            "feed/archive.toml",
            Position::Line(4),
            SourceError::Toml { message: s("invalid string, expected `\"`") },
        )])),
    ]);
    out += &errors(&[
        PublishError::UnknownEpisode { slug: s("brouillom"), suggestion: Some(s("brouillon")) },
        PublishError::UnknownEpisode { slug: s("zzz"), suggestion: None },
        PublishError::AlreadyPublished { slug: s("a"), date: s("2024-06-12") },
        PublishError::NotPublished { slug: s("a") },
        PublishError::Retracted { slug: s("a") },
        PublishError::NoReason,
        PublishError::RetractNoReason,
        PublishError::Unchanged { slug: s("a") },
        PublishError::NothingToPublish,
        PublishError::Io(io()),
    ]);
    out += &errors(&[
        ImportError::NoEpisode { slug: s("a"), suggestion: Some(s("b")) },
        ImportError::NoEpisode { slug: s("a"), suggestion: None },
        ImportError::Io(io()),
    ]);
    let template =
        || TemplateError { template: s("site/templates/episode.html"), line: 3, message: s("unexpected end of input") };
    out += &errors(&[
        GenerateError::Io(io()),
        GenerateError::Template(template()),
        GenerateError::Index(IndexError { path: s("build/gen-tmp-1/index"), source: "disk full".into() }),
        GenerateError::BaseUrl(s("ftp://x")),
        GenerateError::SourceChanged(PathBuf::from("episodes/a.mp3")),
        GenerateError::Invariant(s("media/a.mp3 is not in the previous generation's manifest")),
    ]);
    out += &errors(&[
        SearchError::NoIndex(PathBuf::from("build/current/index")),
        SearchError::Index(std::sync::Arc::new(tantivy::TantivyError::SchemaError(s("no field `about`")))),
        SearchError::TooLong(1199),
    ]);
    out += &errors(&[
        ServeError::Bind {
            addr: s("127.0.0.1:80"),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        },
        ServeError::Io(io()),
    ]);
    out += &errors(&[PageError::NoPages, PageError::Template(template())]);
    insta::assert_snapshot!(out);
}
