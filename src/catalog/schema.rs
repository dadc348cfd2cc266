//! The strict front-matter schemas of episodes and of method, partner and territory pages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A value of an episode's front matter with its byte range in the TOML, as [`Spanned`] gives
/// it; it also serializes with the range, as `[start, end, value]`, which `Spanned` does not
/// (it writes the value alone), so that a parsed episode can be kept and read back as it was.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sp<T>(Spanned<T>);

/// The struct name by which toml gives a value its span (`serde_spanned::de::is_spanned`);
/// checked by a test, since a deserializer of another name would give no span.
const SPANNED: &str = "$__serde_spanned_private_Spanned";

impl<T> std::ops::Deref for Sp<T> {
    type Target = Spanned<T>;
    fn deref(&self) -> &Spanned<T> {
        &self.0
    }
}

impl<T> Sp<T> {
    pub(crate) fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: Serialize> Serialize for Sp<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let span = self.0.span();
        (span.start, span.end, self.0.get_ref()).serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = Sp<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a spanned value")
            }
            // toml's form: Spanned reads it.
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Sp<T>, A::Error> {
                Spanned::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Sp)
            }
            // The cache's form.
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Sp<T>, A::Error> {
                let missing = || serde::de::Error::invalid_length(3, &"[start, end, value]");
                let start: usize = seq.next_element()?.ok_or_else(missing)?;
                let end: usize = seq.next_element()?.ok_or_else(missing)?;
                let value: T = seq.next_element()?.ok_or_else(missing)?;
                Ok(Sp(Spanned::new(start..end, value)))
            }
        }
        deserializer.deserialize_struct(SPANNED, &[], Visitor(std::marker::PhantomData))
    }
}

/// An episode's front matter (`episodes/<slug>.md`). It serializes with its spans, for the
/// load's cache of parsed episodes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EpisodeToml {
    pub title: Sp<String>,
    pub guid: Sp<String>,
    pub date: Sp<toml::value::Datetime>,
    pub summary: Option<String>,
    pub season: Option<Sp<u32>>,
    pub number: Option<Sp<u32>>,
    #[serde(rename = "type", default)]
    pub episode_type: EpisodeType,
    pub explicit: Option<bool>,
    pub audio: Option<Sp<String>>,
    pub image: Option<Sp<String>>,
    #[serde(default)]
    pub partners: Vec<Sp<String>>,
    #[serde(default)]
    pub methods: Vec<Sp<String>>,
    #[serde(default)]
    pub territories: Vec<Sp<String>>,
    #[serde(default)]
    pub persons: Vec<Sp<Person>>,
    #[serde(default)]
    pub speakers: BTreeMap<String, String>,
    #[serde(default)]
    pub soundbites: Vec<Sp<SoundbiteToml>>,
    pub chapters: Option<Sp<String>>,
    /// The recording `veillee master` made the audio from (kept for the record: builds only
    /// tag the audio).
    pub mastered_from: Option<MasteredFrom>,
}

/// `mastered_from = { file, sha256, settings }`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MasteredFrom {
    pub file: String,
    pub sha256: String,
    pub settings: String,
}

pub(crate) const EPISODE_FIELDS: &[&str] = &[
    "title",
    "guid",
    "date",
    "summary",
    "season",
    "number",
    "type",
    "explicit",
    "audio",
    "image",
    "partners",
    "methods",
    "territories",
    "persons",
    "speakers",
    "soundbites",
    "chapters",
    "mastered_from",
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum EpisodeType {
    #[default]
    Full,
    Trailer,
    Bonus,
}

impl EpisodeType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EpisodeType::Full => "full",
            EpisodeType::Trailer => "trailer",
            EpisodeType::Bonus => "bonus",
        }
    }
}

/// A person of `podcast:person`: a host of the show or someone in an episode.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Person {
    pub name: String,
    /// A role of the Podcasting 2.0 taxonomy (`host`, `guest`, `producer`…).
    #[serde(default = "default_role")]
    pub role: String,
    /// A group of the taxonomy; `cast` by default.
    #[serde(default = "default_group")]
    pub group: String,
    pub href: Option<String>,
    pub img: Option<String>,
}

fn default_role() -> String {
    "host".into()
}

fn default_group() -> String {
    "cast".into()
}

/// A soundbite as written: `{ start = "01:10", duration = 30, title = "…" }`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SoundbiteToml {
    pub start: TimeValue,
    pub duration: f64,
    pub title: Option<String>,
}

/// A time written as a time code string or as seconds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub(crate) enum TimeValue {
    Seconds(f64),
    Code(String),
}

/// A method page (`site/methods/<slug>.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MethodToml {
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default)]
    pub partners: Vec<Spanned<String>>,
    pub feed_guid: Spanned<String>,
    /// The facts of a facilitator's sheet, each optional: what the method is for…
    pub goal: Option<Spanned<String>>,
    /// …how long it takes, as people say it (`2 h`, `trois mois`)…
    pub duration: Option<Spanned<String>>,
    /// …how many take part…
    pub participants: Option<Spanned<Participants>>,
    /// …what to bring…
    #[serde(default)]
    pub materials: Vec<Spanned<String>>,
    /// …and its steps, in order.
    #[serde(default)]
    pub steps: Vec<Spanned<String>>,
}

/// How many people a method needs: `{ min = 6, max = 30 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Participants {
    pub min: u32,
    pub max: Option<u32>,
}

pub(crate) const METHOD_FIELDS: &[&str] = &[
    "title",
    "summary",
    "synonyms",
    "partners",
    "feed_guid",
    "goal",
    "duration",
    "participants",
    "materials",
    "steps",
];

/// A partner page (`site/partners/<slug>.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartnerToml {
    pub name: String,
    pub website: Option<String>,
    #[serde(default)]
    pub territories: Vec<Spanned<String>>,
    pub feed_guid: Spanned<String>,
}

pub(crate) const PARTNER_FIELDS: &[&str] = &["name", "website", "territories", "feed_guid"];

/// A territory page (`site/territories/<slug>.md`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TerritoryToml {
    pub name: String,
    pub kind: TerritoryKind,
    /// INSEE code (or SIREN for an EPCI); only when known.
    pub insee: Option<String>,
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
    #[serde(default = "default_country")]
    pub country: String,
    /// OpenStreetMap object (`R12345`); only when known.
    pub osm: Option<String>,
    pub population: Option<u64>,
    pub population_year: Option<u16>,
}

pub(crate) const TERRITORY_FIELDS: &[&str] =
    &["name", "kind", "insee", "postcode", "lat", "lon", "country", "osm", "population", "population_year"];

fn default_country() -> String {
    "FR".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TerritoryKind {
    Commune,
    Epci,
    Departement,
}

impl TerritoryKind {
    /// How the site names the kind, in French.
    pub(crate) fn label_fr(self) -> &'static str {
        match self {
            TerritoryKind::Commune => "commune",
            TerritoryKind::Epci => "intercommunalité",
            TerritoryKind::Departement => "département",
        }
    }
}

/// Roles of the Podcasting 2.0 person taxonomy (`taxonomy.json`), lower-cased.
pub(crate) const PERSON_ROLES: &[&str] = &[
    "director",
    "assistant director",
    "executive producer",
    "senior producer",
    "producer",
    "associate producer",
    "development producer",
    "creative director",
    "host",
    "co-host",
    "guest host",
    "guest",
    "voice actor",
    "narrator",
    "announcer",
    "reporter",
    "author",
    "editorial director",
    "co-writer",
    "writer",
    "songwriter",
    "guest writer",
    "story editor",
    "managing editor",
    "script editor",
    "script coordinator",
    "researcher",
    "editor",
    "fact checker",
    "translator",
    "transcriber",
    "logger",
    "studio coordinator",
    "technical director",
    "technical manager",
    "audio engineer",
    "remote recording engineer",
    "post production engineer",
    "audio editor",
    "sound designer",
    "foley artist",
    "composer",
    "theme music",
    "music production",
    "music contributor",
    "production coordinator",
    "booking coordinator",
    "production assistant",
    "content manager",
    "marketing manager",
    "sales representative",
    "sales manager",
    "graphic designer",
    "social media manager",
    "consultant",
    "intern",
    "camera operator",
    "lighting designer",
    "camera grip",
    "assistant camera",
    "assistant editor",
    "cover art designer",
];
