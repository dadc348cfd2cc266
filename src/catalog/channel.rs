//! `feed/channel.toml`: the show.

use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::source::FrontMatter;
use super::{Expected, Person, SourceError};
use crate::problem::{Position, Problem, Problems};
use crate::util::text::closest;

/// The show, as written in `feed/channel.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChannelToml {
    pub title: String,
    pub description: String,
    pub language: Spanned<String>,
    pub base_url: Spanned<String>,
    pub media_base_url: Option<Spanned<String>>,
    pub author: String,
    pub owner: Owner,
    pub category: Spanned<String>,
    pub subcategory: Option<Spanned<String>>,
    #[serde(default)]
    pub explicit: bool,
    #[serde(rename = "type", default)]
    pub show_type: ShowType,
    pub copyright: String,
    pub license: License,
    #[serde(default)]
    pub funding: Vec<Funding>,
    pub podcast_guid: Spanned<String>,
    #[serde(default)]
    pub locked: bool,
    /// The email that may unlock the feed; defaults to the owner's.
    pub locked_owner: Option<String>,
    #[serde(default)]
    pub medium: Medium,
    /// The cover, a file in `feed/`.
    #[serde(default = "default_image")]
    pub image: Spanned<String>,
    #[serde(default)]
    pub hosts: Vec<Spanned<Person>>,
    pub location: Option<Location>,
    pub update_frequency: Option<UpdateFrequency>,
    #[serde(default)]
    pub podroll: Vec<RemoteItem>,
    #[serde(default)]
    pub txt: Vec<Txt>,
    #[serde(default)]
    pub directories: Vec<Directory>,
    /// What `check` and `probe --loudness` compare each episode's audio with.
    pub loudness: Option<Spanned<crate::media::LoudnessTargets>>,
    /// What `veillee master` makes of a recording.
    pub mastering: Option<Spanned<crate::media::encode::Settings>>,
    /// Episodes per page of `/archives/`.
    pub archive_page_size: Option<Spanned<u32>>,
    /// The most an audio upload to `/admin/` may weigh, in MB.
    pub upload_limit_mb: Option<Spanned<u32>>,
    /// Items per page of the main feed (`feed.xml`, then `feed/2.xml`…); unset, one complete feed.
    pub feed_page_size: Option<Spanned<u32>>,
    /// Where the feed moved to (`itunes:new-feed-url`): podcast apps follow it and forget this one.
    pub new_feed_url: Option<Spanned<String>>,
}

/// Episodes per page of `/archives/` unless channel.toml says otherwise.
pub(crate) const ARCHIVE_PAGE_SIZE: u32 = 20;
/// The audio upload limit of `/admin/` unless channel.toml says otherwise (MB): two hours of
/// 256 kbit/s MP3 with room to spare.
pub(crate) const UPLOAD_LIMIT_MB: u64 = 500;
/// The most `upload_limit_mb` may be: an hour of 24-bit stereo WAV, with room.
const MAX_UPLOAD_LIMIT_MB: u32 = 4000;
/// The most `archive_page_size` may be: a page a phone can still load.
const MAX_ARCHIVE_PAGE_SIZE: u32 = 200;
/// The fewest items a page of the feed may hold: apps show the first page as the show's recent
/// episodes, and a feed of tiny pages costs them a request per handful.
const MIN_FEED_PAGE_SIZE: u32 = 10;
const MAX_FEED_PAGE_SIZE: u32 = 10_000;

pub(crate) const CHANNEL_FIELDS: &[&str] = &[
    "title",
    "description",
    "language",
    "base_url",
    "media_base_url",
    "author",
    "owner",
    "category",
    "subcategory",
    "explicit",
    "type",
    "copyright",
    "license",
    "funding",
    "podcast_guid",
    "locked",
    "locked_owner",
    "medium",
    "image",
    "hosts",
    "location",
    "update_frequency",
    "podroll",
    "txt",
    "directories",
    "loudness",
    "mastering",
    "archive_page_size",
    "upload_limit_mb",
    "feed_page_size",
    "new_feed_url",
];

fn default_image() -> Spanned<String> {
    Spanned::new(0..0, "cover.jpg".to_owned())
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Owner {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ShowType {
    #[default]
    Episodic,
    Serial,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct License {
    /// An identifier of the Podcasting 2.0 license list, e.g. `CC-BY-SA-4.0`.
    pub id: String,
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Funding {
    pub url: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Medium {
    #[default]
    Podcast,
    Music,
    Video,
    Film,
    Audiobook,
    Newsletter,
    Blog,
    Course,
}

impl Medium {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Medium::Podcast => "podcast",
            Medium::Music => "music",
            Medium::Video => "video",
            Medium::Film => "film",
            Medium::Audiobook => "audiobook",
            Medium::Newsletter => "newsletter",
            Medium::Blog => "blog",
            Medium::Course => "course",
        }
    }
}

/// A place, for `podcast:location`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Location {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// An OpenStreetMap object such as `R123456`; only when known.
    pub osm: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateFrequency {
    /// Shown to people, e.g. "Mensuel".
    pub text: String,
    /// An RFC 5545 recurrence rule, e.g. `FREQ=MONTHLY`.
    pub rrule: Option<String>,
    #[serde(default)]
    pub complete: bool,
    /// ISO 8601; required by the spec when `rrule` has a COUNT.
    pub dtstart: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemoteItem {
    pub feed_guid: String,
    pub feed_url: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Txt {
    pub purpose: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Directory {
    pub name: String,
    pub url: String,
}

/// Apple's categories and their subcategories (Apple only reads the first pair).
pub const APPLE_CATEGORIES: &[(&str, &[&str])] = &[
    ("Arts", &["Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"]),
    ("Business", &["Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"]),
    ("Comedy", &["Comedy Interviews", "Improv", "Stand-Up"]),
    ("Education", &["Courses", "How To", "Language Learning", "Self-Improvement"]),
    ("Fiction", &["Comedy Fiction", "Drama", "Science Fiction"]),
    ("Government", &[]),
    ("History", &[]),
    ("Health & Fitness", &["Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"]),
    ("Kids & Family", &["Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"]),
    (
        "Leisure",
        &["Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden", "Video Games"],
    ),
    ("Music", &["Music Commentary", "Music History", "Music Interviews"]),
    (
        "News",
        &[
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ],
    ),
    (
        "Religion & Spirituality",
        &["Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"],
    ),
    (
        "Science",
        &[
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ],
    ),
    ("Society & Culture", &["Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"]),
    (
        "Sports",
        &[
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ],
    ),
    ("Technology", &[]),
    ("True Crime", &[]),
    ("TV & Film", &["After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"]),
];

/// The UUIDv5 namespace of `podcast:guid` (Podcasting 2.0, `docs/tags/guid.md`).
pub(crate) const PODCAST_GUID_NAMESPACE: uuid::Uuid = uuid::uuid!("ead4c236-bf58-58c6-a2c6-a6b28d128cb6");

/// `podcast:guid` for a feed URL: UUIDv5 of the URL without its scheme and trailing slashes.
pub fn podcast_guid_for(feed_url: &str) -> uuid::Uuid {
    let without_scheme = feed_url.split_once("://").map_or(feed_url, |(_, rest)| rest);
    uuid::Uuid::new_v5(&PODCAST_GUID_NAMESPACE, without_scheme.trim_end_matches('/').as_bytes())
}

/// Checks the values serde cannot: URLs, language, category, GUID.
pub(crate) fn validate(path: &Path, fm: &FrontMatter<'_>, ch: &ChannelToml, problems: &mut Problems) {
    let mut invalid = |spanned_start: usize, field: &'static str, value: &str, expected: Expected| {
        problems.push(Problem::error(
            path,
            Position::Line(fm.line(spanned_start)),
            SourceError::InvalidValue { field, value: value.to_owned(), expected },
        ));
    };
    let base = ch.base_url.get_ref();
    if !base.starts_with("https://") || !is_site_root(base) {
        invalid(ch.base_url.span().start, "base_url", base, Expected::HttpsSite);
    }
    if let Some(media) = &ch.media_base_url {
        let m = media.get_ref();
        if !(m.starts_with("https://") && url_host(m).is_some()) {
            invalid(media.span().start, "media_base_url", m, Expected::HttpsAddress);
        }
    }
    if let Some(l) = &ch.loudness {
        let line = l.span().start;
        let t = l.get_ref();
        for (field, value, min, max, unit) in [
            ("loudness.integrated_lufs", t.integrated_lufs, -30.0, -10.0, "LUFS"),
            ("loudness.tolerance_lu", t.tolerance_lu, 0.1, 5.0, "LU"),
            ("loudness.true_peak_dbtp", t.true_peak_dbtp, -9.0, 0.0, "dBTP"),
        ] {
            if !(min..=max).contains(&value) {
                invalid(line, field, &value.to_string(), Expected::Between { min, max, unit });
            }
        }
    }
    if let Some(m) = &ch.mastering {
        let line = m.span().start;
        let s = m.get_ref();
        for (field, value, min, max, unit) in [
            ("mastering.target_lufs", s.target_lufs, -30.0, -10.0, "LUFS"),
            ("mastering.true_peak_db", s.true_peak_db, -9.0, 0.0, "dBTP"),
        ] {
            if !(min..=max).contains(&value) {
                invalid(line, field, &value.to_string(), Expected::Between { min, max, unit });
            }
        }
        // Each format's fields: the main file's, then the light version's.
        let names = [
            ("mastering.bitrate_kbps", "mastering.sample_rate", "mastering.channels"),
            ("mastering.light.bitrate_kbps", "mastering.light.sample_rate", "mastering.light.channels"),
        ];
        for ((bitrate, rate, channels), format) in names.into_iter().zip([Some(s.main()), s.light]) {
            let Some(format) = format else { continue };
            let known_bitrate = crate::media::encode::BITRATES.contains(&format.bitrate_kbps);
            let known_rate = crate::media::encode::SAMPLE_RATES.contains(&format.sample_rate);
            if !known_bitrate {
                let allowed = "8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320";
                invalid(line, bitrate, &format.bitrate_kbps.to_string(), Expected::OneOf { allowed });
            }
            if !known_rate {
                let allowed = "16000, 22050, 24000, 32000, 44100, 48000";
                invalid(line, rate, &format.sample_rate.to_string(), Expected::OneOf { allowed });
            }
            if !(1..=2).contains(&format.channels) {
                let expected = Expected::Between { min: 1.0, max: 2.0, unit: "" };
                invalid(line, channels, &format.channels.to_string(), expected);
            }
            if known_bitrate && known_rate && format.unencodable().is_some() {
                let allowed = "at 16000 to 24000 Hz, 8 to 160 kbit/s; at 32000 to 48000 Hz, 32 to 320 kbit/s";
                invalid(line, bitrate, &format.bitrate_kbps.to_string(), Expected::OneOf { allowed });
            }
        }
    }
    if let Some(size) = &ch.archive_page_size
        && !(1..=MAX_ARCHIVE_PAGE_SIZE).contains(size.get_ref())
    {
        let expected = Expected::Between { min: 1.0, max: f64::from(MAX_ARCHIVE_PAGE_SIZE), unit: "" };
        invalid(size.span().start, "archive_page_size", &size.get_ref().to_string(), expected);
    }
    if let Some(size) = &ch.feed_page_size
        && !(MIN_FEED_PAGE_SIZE..=MAX_FEED_PAGE_SIZE).contains(size.get_ref())
    {
        let (min, max) = (f64::from(MIN_FEED_PAGE_SIZE), f64::from(MAX_FEED_PAGE_SIZE));
        invalid(
            size.span().start,
            "feed_page_size",
            &size.get_ref().to_string(),
            Expected::Between { min, max, unit: "" },
        );
    }
    if let Some(moved) = &ch.new_feed_url {
        let m = moved.get_ref();
        // http only to this machine: a rehearsal of the move, never a public address.
        let local = m.starts_with("http://127.0.0.1") || m.starts_with("http://localhost");
        if !((m.starts_with("https://") || local) && url_host(m).is_some()) {
            invalid(moved.span().start, "new_feed_url", m, Expected::HttpsAddress);
        }
    }
    if let Some(limit) = &ch.upload_limit_mb
        && !(1..=MAX_UPLOAD_LIMIT_MB).contains(limit.get_ref())
    {
        let expected = Expected::Between { min: 1.0, max: f64::from(MAX_UPLOAD_LIMIT_MB), unit: "MB" };
        invalid(limit.span().start, "upload_limit_mb", &limit.get_ref().to_string(), expected);
    }
    let lang = ch.language.get_ref();
    if !is_language_code(lang) {
        invalid(ch.language.span().start, "language", lang, Expected::LanguageCode);
    }
    let cat = ch.category.get_ref();
    match APPLE_CATEGORIES.iter().find(|(c, _)| c == cat) {
        None => {
            let suggestion = closest(cat, APPLE_CATEGORIES.iter().map(|(c, _)| *c));
            invalid(ch.category.span().start, "category", cat, Expected::AppleCategory { suggestion });
        }
        Some((_, subs)) => {
            if let Some(sub) = &ch.subcategory
                && !subs.contains(&sub.get_ref().as_str())
            {
                let expected = Expected::Subcategory {
                    category: cat.clone(),
                    allowed: subs.iter().map(|s| (*s).to_owned()).collect(),
                };
                invalid(sub.span().start, "subcategory", sub.get_ref(), expected);
            }
        }
    }
    let guid = ch.podcast_guid.get_ref();
    if uuid::Uuid::parse_str(guid).is_err() {
        invalid(ch.podcast_guid.span().start, "podcast_guid", guid, Expected::Uuid);
    }
}

/// `fr`, `fr-fr`, `fr-FR`: what Apple accepts in `<language>`.
fn is_language_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let two_letters = |p: Option<&str>| p.is_some_and(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()));
    two_letters(parts.next()) && parts.clone().count() <= 1 && parts.next().is_none_or(|p| two_letters(Some(p)))
}

/// The host of an absolute URL, if it has one.
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains(char::is_whitespace)).then_some(host)
}

/// Whether `url` is the root of a host (`https://podcast.example.org`, with or without its
/// final slash): the pages link each other from the root, so a site lives at one.
pub(crate) fn is_site_root(url: &str) -> bool {
    url_host(url).is_some_and(|host| {
        let after = &url[url.find(host).map_or(url.len(), |at| at + host.len())..];
        after.is_empty() || after == "/"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podcast_guid_matches_the_spec_examples() {
        assert_eq!(
            podcast_guid_for("https://mp3s.nashownotes.com/pc20rss.xml").to_string(),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        );
        assert_eq!(podcast_guid_for("https://podnews.net/rss").to_string(), "9b024349-ccf0-5f69-a609-6b82873eab3c");
        assert_eq!(podcast_guid_for("https://podnews.net/rss/").to_string(), "9b024349-ccf0-5f69-a609-6b82873eab3c");
    }

    #[test]
    fn a_site_is_the_root_of_a_host() {
        assert!(is_site_root("https://podcast.example.org"));
        assert!(is_site_root("https://podcast.example.org/"));
        assert!(is_site_root("http://127.0.0.1:8080"));
        assert!(!is_site_root("https://x.github.io/show"));
        assert!(!is_site_root("https://x.org/?q"));
        assert!(!is_site_root("podcast.example.org"));
        assert!(is_site_root("https://[::1]:80/"));
        assert!(!is_site_root("https://x.org//"));
        assert!(!is_site_root("https://"));
    }

    #[test]
    fn language_codes() {
        assert!(is_language_code("fr"));
        assert!(is_language_code("fr-FR"));
        assert!(!is_language_code("french"));
        assert!(!is_language_code("fr-FR-x"));
        assert!(!is_language_code(""));
    }
}
