//! The website: plain, correct French pages for the home, each episode, method, partner and
//! territory, rendered with minijinja from a theme embedded in the binary. A file of the same
//! name in `site/templates/` replaces a theme template.

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

use crate::catalog::{Catalog, Episode, Method, Partner, Territory, clock, seconds};
use crate::feed::Item;
use crate::markdown;
use crate::urls::Urls;

const THEME: &[(&str, &str)] = &[
    ("base.html", include_str!("theme/base.html")),
    ("episode_list.html", include_str!("theme/episode_list.html")),
    ("index.html", include_str!("theme/index.html")),
    ("episode.html", include_str!("theme/episode.html")),
    ("method.html", include_str!("theme/method.html")),
    ("partner.html", include_str!("theme/partner.html")),
    ("territory.html", include_str!("theme/territory.html")),
];

/// The stylesheet of the embedded theme.
pub const STYLE_CSS: &str = include_str!("theme/style.css");

/// A template that failed, with where.
#[derive(Debug, thiserror::Error)]
#[error("{template}:{line}: {message}")]
pub struct TemplateError {
    pub template: String,
    pub line: usize,
    pub message: String,
}

impl From<minijinja::Error> for TemplateError {
    fn from(e: minijinja::Error) -> Self {
        TemplateError {
            template: e.name().map_or_else(|| "template".to_owned(), |n| format!("site/templates/{n}")),
            line: e.line().unwrap_or(0),
            message: e.detail().map_or_else(|| e.kind().to_string(), str::to_owned),
        }
    }
}

/// What the site is made from.
pub struct SiteInput<'a> {
    pub catalog: &'a Catalog,
    pub urls: &'a Urls,
    /// Published items, newest first.
    pub items: &'a [Item<'a>],
    pub cover_name: &'a str,
    /// Templates of `site/templates/` that replace the theme's, by name.
    pub overrides: &'a BTreeMap<String, String>,
}

/// The site's renderer: one method per page, so that a build renders only what changed.
pub struct Site<'a> {
    env: Environment<'a>,
    input: &'a SiteInput<'a>,
    show: ShowCtx,
}

impl<'a> Site<'a> {
    /// Loads the theme (with the overrides of `site/templates/`).
    pub fn new(input: &'a SiteInput<'a>) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        for (name, source) in THEME {
            match input.overrides.get(*name) {
                Some(custom) => env.add_template_owned(name.to_string(), custom.clone())?,
                None => env.add_template(name, source)?,
            }
        }
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        // minijinja also escapes `/`, which turns every URL into `https:&#x2f;&#x2f;…`: escape
        // strings the usual way and leave the rest to the default formatter.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(s) if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() => out
                .write_str(&crate::markdown::html_escape(s))
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write the page")),
            _ => minijinja::escape_formatter(out, state, value),
        });
        Ok(Site { env, show: ShowCtx::new(input), input })
    }

    fn render(&self, name: &str, ctx: Value) -> Result<Vec<u8>, TemplateError> {
        Ok(self.env.get_template(name)?.render(ctx)?.into_bytes())
    }

    /// The cards of the episodes `keep` accepts, newest first.
    fn cards(&self, keep: impl Fn(&Episode) -> bool) -> Vec<EpisodeCard> {
        let urls = self.input.urls;
        self.input
            .items
            .iter()
            .filter(|i| keep(i.episode))
            .map(|i| EpisodeCard::new(i.episode, urls, Vec::new()))
            .collect()
    }

    fn show(&self) -> Value {
        Value::from(Serde(&self.show))
    }

    /// `index.html`.
    pub fn index(&self) -> Result<Vec<u8>, TemplateError> {
        let (cat, urls) = (self.input.catalog, self.input.urls);
        let all = self.cards(|_| true);
        let methods: Vec<MethodRef> = cat.methods.values().map(|m| method_ref(m, urls)).collect();
        let partners: Vec<PartnerRef> = cat.partners.values().map(|p| partner_ref(p, urls)).collect();
        let territories: Vec<TerritoryRef> = cat.territories.values().map(|t| territory_ref(t, urls)).collect();
        self.render(
            "index.html",
            minijinja::context! { show => self.show(), episodes => Value::from(Serde(&all)), methods => Value::from(Serde(&methods)), partners => Value::from(Serde(&partners)), territories => Value::from(Serde(&territories)) },
        )
    }

    /// `episodes/<slug>/index.html`.
    pub fn episode(&self, item: &Item<'_>) -> Result<Vec<u8>, TemplateError> {
        let ctx = EpisodeCtx::new(self.input.catalog, item, self.input.urls);
        self.render("episode.html", minijinja::context! { show => self.show(), episode => Value::from(Serde(&ctx)) })
    }

    /// `methodes/<slug>/index.html`, with the episodes and the moments that discuss the method.
    pub fn method(&self, m: &Method) -> Result<Vec<u8>, TemplateError> {
        let urls = self.input.urls;
        let episodes: Vec<EpisodeCard> = self
            .input
            .items
            .iter()
            .filter_map(|i| {
                let e = i.episode;
                let moments: Vec<Moment> = e
                    .chapters
                    .iter()
                    .filter(|c| c.method.as_deref() == Some(m.slug.as_str()))
                    .map(|c| Moment {
                        url: format!("{}#t={}", urls.episode(&e.slug), seconds(c.start_ms)),
                        clock: clock(c.start_ms),
                        title: c.title.clone(),
                    })
                    .collect();
                discusses(e, &m.slug).then(|| EpisodeCard::new(e, urls, moments))
            })
            .collect();
        let ctx = MethodCtx {
            title: m.title.clone(),
            summary: m.summary.clone(),
            synonyms: m.synonyms.clone(),
            body_html: markdown::to_html(&m.body),
            partners: refs_partners(self.input.catalog, &m.partners, urls),
        };
        self.render(
            "method.html",
            minijinja::context! { show => self.show(), method => Value::from(Serde(&ctx)), episodes => Value::from(Serde(&episodes)) },
        )
    }

    /// `partenaires/<slug>/index.html`.
    pub fn partner(&self, p: &Partner) -> Result<Vec<u8>, TemplateError> {
        let (cat, urls) = (self.input.catalog, self.input.urls);
        let episodes = self.cards(|e| e.partners.contains(&p.slug));
        let ctx = PartnerCtx {
            name: p.name.clone(),
            website: p.website.clone(),
            body_html: markdown::to_html(&p.body),
            territories: p
                .territories
                .iter()
                .filter_map(|t| cat.territories.get(t))
                .map(|t| territory_ref(t, urls))
                .collect(),
            methods: cat
                .methods
                .values()
                .filter(|m| m.partners.contains(&p.slug))
                .map(|m| method_ref(m, urls))
                .collect(),
        };
        self.render(
            "partner.html",
            minijinja::context! { show => self.show(), partner => Value::from(Serde(&ctx)), episodes => Value::from(Serde(&episodes)) },
        )
    }

    /// `territoires/<slug>/index.html`.
    pub fn territory(&self, t: &Territory) -> Result<Vec<u8>, TemplateError> {
        let (cat, urls) = (self.input.catalog, self.input.urls);
        let episodes = self.cards(|e| e.territories.contains(&t.slug));
        let f = &t.facts;
        let ctx = TerritoryCtx {
            name: f.name.clone(),
            kind: f.kind.label_fr(),
            insee: f.insee.clone(),
            postcode: f.postcode.clone(),
            population: f.population.map(group_thousands),
            population_year: f.population_year,
            lat: f.lat,
            lon: f.lon,
            body_html: markdown::to_html(&t.body),
            partners: cat
                .partners
                .values()
                .filter(|p| p.territories.contains(&t.slug))
                .map(|p| partner_ref(p, urls))
                .collect(),
        };
        self.render(
            "territory.html",
            minijinja::context! { show => self.show(), territory => Value::from(Serde(&ctx)), episodes => Value::from(Serde(&episodes)) },
        )
    }
}

/// Whether an episode discusses a method: it lists it, or one of its chapters links to it.
pub fn discusses(e: &Episode, method: &str) -> bool {
    e.methods.iter().any(|m| m == method) || e.chapters.iter().any(|c| c.method.as_deref() == Some(method))
}

fn method_ref(m: &Method, urls: &Urls) -> MethodRef {
    MethodRef { url: urls.method(&m.slug), title: m.title.clone(), summary: m.summary.clone() }
}

fn partner_ref(p: &Partner, urls: &Urls) -> PartnerRef {
    PartnerRef { url: urls.partner(&p.slug), name: p.name.clone() }
}

fn territory_ref(t: &Territory, urls: &Urls) -> TerritoryRef {
    TerritoryRef { url: urls.territory(&t.slug), name: t.facts.name.clone() }
}

/// A digest of the theme: pages change when it does.
pub fn theme_digest(overrides: &BTreeMap<String, String>) -> String {
    let mut h = blake3::Hasher::new();
    for (name, source) in THEME {
        h.update(name.as_bytes());
        h.update(overrides.get(*name).map_or(*source, String::as_str).as_bytes());
        h.update(b"\0");
    }
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.finalize().to_hex().to_string()
}

fn refs_partners(cat: &Catalog, slugs: &[String], urls: &Urls) -> Vec<PartnerRef> {
    slugs.iter().filter_map(|s| cat.partners.get(s)).map(|p| partner_ref(p, urls)).collect()
}

#[derive(Serialize)]
struct ShowCtx {
    title: String,
    description: String,
    language: String,
    base_url: String,
    home_url: String,
    feed_url: String,
    cover_url: String,
    copyright: String,
    license_id: String,
    license_url: String,
    funding: Vec<crate::catalog::Funding>,
    directories: Vec<crate::catalog::Directory>,
}

impl ShowCtx {
    fn new(input: &SiteInput<'_>) -> Self {
        let ch = &input.catalog.channel;
        ShowCtx {
            title: ch.title.clone(),
            description: ch.description.clone(),
            language: ch.language.clone(),
            base_url: input.urls.base.clone(),
            home_url: input.urls.home(),
            feed_url: input.urls.feed(),
            cover_url: input.urls.image(input.cover_name),
            copyright: ch.copyright.clone(),
            license_id: ch.license.id.clone(),
            license_url: ch.license.url.clone(),
            funding: ch.funding.clone(),
            directories: ch.directories.clone(),
        }
    }
}

#[derive(Serialize)]
struct EpisodeCard {
    url: String,
    title: String,
    date_iso: String,
    date_fr: String,
    duration: String,
    summary: String,
    moments: Vec<Moment>,
}

impl EpisodeCard {
    fn new(e: &Episode, urls: &Urls, moments: Vec<Moment>) -> Self {
        EpisodeCard {
            url: urls.episode(&e.slug),
            title: e.title.clone(),
            date_iso: e.pub_date().to_string(),
            date_fr: date_fr(e),
            duration: duration_fr(e.audio.duration_ms),
            summary: e.summary.clone().unwrap_or_else(|| markdown::first_paragraph(&e.notes)),
            moments,
        }
    }
}

#[derive(Serialize)]
struct Moment {
    url: String,
    clock: String,
    title: String,
}

#[derive(Serialize)]
struct MethodRef {
    url: String,
    title: String,
    summary: String,
}

#[derive(Serialize)]
struct PartnerRef {
    url: String,
    name: String,
}

#[derive(Serialize)]
struct TerritoryRef {
    url: String,
    name: String,
}

#[derive(Serialize)]
struct EpisodeCtx {
    title: String,
    date_iso: String,
    date_fr: String,
    duration: String,
    season: Option<u32>,
    number: Option<u32>,
    media_url: String,
    media_type: String,
    size: String,
    persons: Vec<crate::catalog::Person>,
    notes_html: String,
    chapters: Vec<ChapterCtx>,
    methods: Vec<MethodRef>,
    partners: Vec<PartnerRef>,
    territories: Vec<TerritoryRef>,
    transcript_url: String,
    /// The transcript in each published format: (label, address).
    transcript_formats: Vec<(&'static str, String)>,
    transcript: Vec<CueCtx>,
}

#[derive(Serialize)]
struct ChapterCtx {
    start: String,
    clock: String,
    title: String,
    method_url: Option<String>,
    method_title: Option<String>,
}

#[derive(Serialize)]
struct CueCtx {
    start: String,
    clock: String,
    speaker: Option<String>,
    text: String,
}

impl EpisodeCtx {
    fn new(cat: &Catalog, item: &Item<'_>, urls: &Urls) -> Self {
        let e = item.episode;
        let mut persons: Vec<crate::catalog::Person> = cat.channel.hosts.clone();
        for p in &e.persons {
            if !persons.iter().any(|h| h.name == p.name) {
                persons.push(p.clone());
            }
        }
        // The transcript names a speaker only where the speaker changes, as people read it.
        let mut last: Option<&str> = None;
        let transcript = e
            .transcript
            .iter()
            .flat_map(|t| &t.cues)
            .map(|c| {
                let name = c.voice.as_deref().map(|v| e.speaker_name(v));
                let speaker = (name != last).then(|| name.map(str::to_owned)).flatten();
                last = name;
                CueCtx { start: seconds(c.start_ms), clock: clock(c.start_ms), speaker, text: c.text.clone() }
            })
            .collect();
        EpisodeCtx {
            title: e.title.clone(),
            date_iso: e.pub_date().to_string(),
            date_fr: date_fr(e),
            duration: duration_fr(e.audio.duration_ms),
            season: e.season,
            number: e.number,
            media_url: urls.media(&item.media_name),
            media_type: e.audio.mime.clone(),
            size: size_fr(item.media_length),
            persons: persons
                .into_iter()
                .map(|mut p| {
                    p.role = role_fr(&p.role).to_owned();
                    p
                })
                .collect(),
            notes_html: e.notes_html(),
            chapters: e
                .chapters
                .iter()
                .map(|c| ChapterCtx {
                    start: seconds(c.start_ms),
                    clock: clock(c.start_ms),
                    title: c.title.clone(),
                    method_url: c.method.as_ref().map(|m| urls.method(m)),
                    method_title: c.method.as_ref().and_then(|m| cat.methods.get(m)).map(|m| m.title.clone()),
                })
                .collect(),
            methods: e
                .methods
                .iter()
                .filter_map(|m| cat.methods.get(m))
                .map(|m| MethodRef { url: urls.method(&m.slug), title: m.title.clone(), summary: m.summary.clone() })
                .collect(),
            partners: refs_partners(cat, &e.partners, urls),
            territories: e
                .territories
                .iter()
                .filter_map(|t| cat.territories.get(t))
                .map(|t| TerritoryRef { url: urls.territory(&t.slug), name: t.facts.name.clone() })
                .collect(),
            transcript_url: urls.transcript(&e.slug, "vtt"),
            transcript_formats: [("WebVTT", "vtt"), ("SRT", "srt"), ("JSON", "json"), ("HTML", "html")]
                .into_iter()
                .map(|(label, ext)| (label, urls.transcript(&e.slug, ext)))
                .collect(),
            transcript,
        }
    }
}

#[derive(Serialize)]
struct MethodCtx {
    title: String,
    summary: String,
    synonyms: Vec<String>,
    body_html: String,
    partners: Vec<PartnerRef>,
}

#[derive(Serialize)]
struct PartnerCtx {
    name: String,
    website: Option<String>,
    body_html: String,
    territories: Vec<TerritoryRef>,
    methods: Vec<MethodRef>,
}

#[derive(Serialize)]
struct TerritoryCtx {
    name: String,
    kind: &'static str,
    insee: Option<String>,
    postcode: Option<String>,
    population: Option<String>,
    population_year: Option<u16>,
    lat: f64,
    lon: f64,
    body_html: String,
    partners: Vec<PartnerRef>,
}

/// The page left at a renamed episode's old URL: a permanent move for people and crawlers
/// (`serve` answers 301 from `_redirects.json`; static hosts serve this page).
pub fn redirect_page(urls: &Urls, to_path: &str) -> String {
    let to = crate::markdown::html_escape(&format!("{}{to_path}", urls.base));
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<title>Cette page a déménagé</title>\n<link rel=\"canonical\" href=\"{to}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n<p>Cette page a déménagé : <a href=\"{to}\">{to}</a></p>\n</body>\n</html>\n"
    )
}

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `12 juin 2024`, in the offset the date was written with.
fn date_fr(e: &Episode) -> String {
    let local = e.offset.to_datetime(e.pub_date());
    let day = if local.day() == 1 { "1er".to_owned() } else { local.day().to_string() };
    format!("{day} {} {}", MONTHS[(local.month() - 1) as usize], local.year())
}

/// `45 s`, `1 min 04 s`, `12 min`, `1 h 03`: seconds matter only for short episodes.
fn duration_fr(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..600 => format!("{} min {:02} s", s / 60, s % 60),
        600..3600 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {:02}", s / 3600, s / 60 % 60),
    }
}

/// `8 ko`, `12,4 Mo`.
fn size_fr(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} ko", bytes.div_ceil(1000))
    } else {
        format!("{:.1} Mo", bytes as f64 / 1_000_000.0).replace('.', ",")
    }
}

/// `796`, `6 197` (a narrow no-break space, as French typography writes thousands).
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The taxonomy's roles people meet most, in French.
fn role_fr(role: &str) -> &str {
    match role.to_ascii_lowercase().as_str() {
        "host" => "animation",
        "co-host" => "co-animation",
        "guest" => "invité·e",
        "guest host" => "animation invitée",
        "producer" => "production",
        "reporter" => "reportage",
        "narrator" => "narration",
        "editor" | "audio editor" => "montage",
        "sound designer" => "création sonore",
        "composer" | "theme music" => "musique",
        "transcriber" => "transcription",
        "translator" => "traduction",
        "researcher" => "recherche",
        _ => role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_formats() {
        assert_eq!(duration_fr(45_000), "45 s");
        assert_eq!(duration_fr(63_969), "1 min 04 s");
        assert_eq!(duration_fr(12 * 60_000), "12 min");
        assert_eq!(duration_fr(3_820_000), "1 h 03");
        assert_eq!(group_thousands(46712), "46\u{202f}712");
        assert_eq!(group_thousands(796), "796");
        assert_eq!(size_fr(8377), "9 ko");
        assert_eq!(size_fr(12_400_000), "12,4 Mo");
    }
}
