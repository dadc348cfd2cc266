//! What each template is given: the catalog's facts as the pages show them, in French, with
//! root-relative links.

use serde::{Deserialize, Serialize};

use super::fr::{date_fr, duration_fr, group_thousands, role_fr, size_fr, typo_html};
use crate::catalog::{Catalog, Directory, Episode, Funding, Method, Partner, Person, Territory};
use crate::feed::Item;
use crate::search::{FacetCount, Query, SearchResults};
use crate::util::time::{clock, seconds};
use crate::util::urls::Urls;

/// The show, as every page names it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ShowCtx {
    pub title: String,
    pub description: String,
    pub language: String,
    /// The public address (absolute).
    pub base_url: String,
    pub home_url: String,
    /// The feed's public address (absolute: it is what people copy into a podcast app).
    pub feed_url: String,
    pub cover_url: String,
    pub copyright: String,
    pub license_id: String,
    pub license_url: String,
    pub funding: Vec<Funding>,
    pub directories: Vec<Directory>,
    /// The cover's public address (absolute: Open Graph and JSON-LD need one).
    pub cover_abs: String,
    /// The media's host when it is not the site's (`media_base_url`), else empty.
    pub media_base: String,
    /// The partners, named in every page's footer.
    pub partners: Vec<NamedLink>,
    /// Each app's own link that subscribes to the feed.
    pub apps: Vec<NamedLink>,
}

/// A name and where it leads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct NamedLink {
    pub name: String,
    pub url: String,
}

/// The subscribe links of the apps people use, each in the form the app documents: Apple's
/// `podcast:` scheme, AntennaPod's web deep link, and the schemes of Pocket Casts, Overcast and
/// Podcast Addict.
fn app_links(feed: &str, title: &str) -> Vec<NamedLink> {
    let bare = feed.split_once("://").map_or(feed, |(_, rest)| rest);
    let query = |pairs: &[(&str, &str)]| serde_urlencoded::to_string(pairs).unwrap_or_default();
    [
        ("Apple Podcasts", format!("podcast://{bare}")),
        (
            "AntennaPod",
            format!("https://antennapod.org/deeplink/subscribe?{}", query(&[("url", feed), ("title", title)])),
        ),
        ("Pocket Casts", format!("pktc://subscribe/{bare}")),
        ("Overcast", format!("overcast://x-callback-url/add?{}", query(&[("url", feed)]))),
        ("Podcast Addict", format!("podcastaddict://{bare}")),
    ]
    .into_iter()
    .map(|(name, url)| NamedLink { name: name.to_owned(), url })
    .collect()
}

impl ShowCtx {
    pub(super) fn new(catalog: &Catalog, urls: &Urls, cover_name: &str) -> Self {
        let ch = &catalog.channel;
        let links = urls.relative();
        ShowCtx {
            title: ch.title.clone(),
            description: ch.description.clone(),
            language: ch.language.clone(),
            base_url: urls.base.clone(),
            home_url: links.home(),
            feed_url: urls.feed(),
            cover_url: links.image(cover_name),
            copyright: ch.copyright.clone(),
            license_id: ch.license.id.clone(),
            license_url: ch.license.url.clone(),
            funding: ch.funding.clone(),
            directories: ch.directories.clone(),
            cover_abs: urls.image(cover_name),
            media_base: if urls.media_base == urls.base { String::new() } else { urls.media_base.clone() },
            partners: catalog
                .partners
                .values()
                .map(|p| NamedLink { name: p.name.clone(), url: links.partner(&p.slug) })
                .collect(),
            apps: app_links(&urls.feed(), &ch.title),
        }
    }
}

#[derive(Serialize)]
pub(super) struct EpisodeCard {
    url: String,
    title: String,
    date_iso: String,
    date_fr: String,
    duration: String,
    summary: String,
    moments: Vec<Moment>,
}

impl EpisodeCard {
    fn new(e: &Episode, links: &Urls, moments: Vec<Moment>) -> Self {
        EpisodeCard {
            url: links.episode(&e.slug),
            title: e.title.clone(),
            date_iso: e.pub_date().to_string(),
            date_fr: date_fr(e),
            duration: duration_fr(e.audio.duration_ms),
            summary: e.summary.clone().unwrap_or_else(|| crate::markdown::first_paragraph(&e.notes)),
            moments,
        }
    }
}

/// The cards of the episodes `keep` accepts, newest first.
fn cards(items: &[Item<'_>], links: &Urls, keep: impl Fn(&Episode) -> bool) -> Vec<EpisodeCard> {
    items.iter().filter(|i| keep(i.episode)).map(|i| EpisodeCard::new(i.episode, links, Vec::new())).collect()
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

impl MethodRef {
    fn new(m: &Method, links: &Urls) -> Self {
        MethodRef { url: links.method(&m.slug), title: m.title.clone(), summary: m.summary.clone() }
    }

    /// The methods a partner practises.
    fn of_partner(cat: &Catalog, partner: &str, links: &Urls) -> Vec<MethodRef> {
        cat.methods
            .values()
            .filter(|m| m.partners.iter().any(|p| p == partner))
            .map(|m| MethodRef::new(m, links))
            .collect()
    }
}

#[derive(Serialize)]
struct PartnerRef {
    url: String,
    name: String,
}

impl PartnerRef {
    fn new(p: &Partner, links: &Urls) -> Self {
        PartnerRef { url: links.partner(&p.slug), name: p.name.clone() }
    }

    fn of(cat: &Catalog, slugs: &[String], links: &Urls) -> Vec<PartnerRef> {
        slugs.iter().filter_map(|s| cat.partners.get(s)).map(|p| PartnerRef::new(p, links)).collect()
    }
}

#[derive(Serialize)]
struct TerritoryRef {
    url: String,
    name: String,
}

impl TerritoryRef {
    fn new(t: &Territory, links: &Urls) -> Self {
        TerritoryRef { url: links.territory(&t.slug), name: t.facts.name.clone() }
    }
}

/// Episodes on the home page; every one is in the archives.
const HOME_EPISODES: usize = 10;

/// The home page.
#[derive(Serialize)]
pub(super) struct HomeCtx {
    episodes: Vec<EpisodeCard>,
    total: usize,
    more: bool,
    methods: Vec<MethodRef>,
    partners: Vec<PartnerRef>,
    territories: Vec<TerritoryRef>,
}

impl HomeCtx {
    pub(super) fn new(cat: &Catalog, items: &[Item<'_>], links: &Urls) -> Self {
        HomeCtx {
            episodes: cards(&items[..items.len().min(HOME_EPISODES)], links, |_| true),
            total: items.len(),
            more: items.len() > HOME_EPISODES,
            methods: cat.methods.values().map(|m| MethodRef::new(m, links)).collect(),
            partners: cat.partners.values().map(|p| PartnerRef::new(p, links)).collect(),
            territories: cat.territories.values().map(|t| TerritoryRef::new(t, links)).collect(),
        }
    }
}

/// Which part of the archives a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArchivePart {
    /// Page `n` (from 1) of every episode, newest first.
    Page(usize),
    /// Every episode of a year.
    Year(i16),
}

impl ArchivePart {
    /// The page's path from the site root.
    pub(crate) fn path(self) -> String {
        match self {
            ArchivePart::Page(1) => "/archives/".to_owned(),
            ArchivePart::Page(n) => format!("/archives/page/{n}/"),
            ArchivePart::Year(y) => format!("/archives/{y}/"),
        }
    }
}

/// The year an episode is dated, as its page shows the date.
pub(crate) fn year_of(e: &Episode) -> i16 {
    e.offset.to_datetime(e.pub_date()).year()
}

/// The years of the published episodes, newest first, with their counts.
pub(crate) fn years(items: &[Item<'_>]) -> Vec<(i16, usize)> {
    let mut years: Vec<(i16, usize)> = Vec::new();
    for item in items {
        let y = year_of(item.episode);
        match years.iter_mut().find(|(year, _)| *year == y) {
            Some((_, n)) => *n += 1,
            None => years.push((y, 1)),
        }
    }
    years.sort_by_key(|y| std::cmp::Reverse(y.0));
    years
}

/// How many pages the archives have (one, empty, when nothing is published).
pub(crate) fn archive_pages(items: usize, page_size: usize) -> usize {
    items.div_ceil(page_size.max(1)).max(1)
}

#[derive(Serialize)]
pub(super) struct ArchivesCtx {
    heading: String,
    total: usize,
    episodes: Vec<EpisodeCard>,
    pages: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
    years: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    label: String,
    url: String,
    current: bool,
}

impl ArchivesCtx {
    pub(super) fn new(items: &[Item<'_>], page_size: usize, part: ArchivePart, links: &Urls) -> Self {
        let page_size = page_size.max(1);
        let count = archive_pages(items.len(), page_size);
        let (heading, episodes, pages, previous, next) = match part {
            ArchivePart::Page(n) => {
                let start = (n - 1) * page_size;
                let shown = &items[start.min(items.len())..(start + page_size).min(items.len())];
                let pages = (1..=count)
                    .map(|p| PageLink { label: p.to_string(), url: ArchivePart::Page(p).path(), current: p == n })
                    .collect();
                let previous = (n > 1).then(|| ArchivePart::Page(n - 1).path());
                let next = (n < count).then(|| ArchivePart::Page(n + 1).path());
                let heading =
                    if n == 1 { "Tous les épisodes".to_owned() } else { format!("Tous les épisodes, page {n}") };
                (heading, cards(shown, links, |_| true), pages, previous, next)
            }
            ArchivePart::Year(y) => {
                let shown = cards(items, links, |e| year_of(e) == y);
                (format!("Les épisodes de {y}"), shown, Vec::new(), None, None)
            }
        };
        let years = years(items)
            .into_iter()
            .map(|(y, n)| PageLink {
                label: format!("{y} ({n})"),
                url: ArchivePart::Year(y).path(),
                current: part == ArchivePart::Year(y),
            })
            .collect();
        ArchivesCtx { heading, total: items.len(), episodes, pages, previous, next, years }
    }
}

/// A method in the list of methods.
#[derive(Serialize)]
struct MethodEntry {
    url: String,
    title: String,
    summary: String,
    episodes: usize,
    partners: Vec<PartnerRef>,
}

/// A partner or a territory in its list: its episodes, and for a partner its methods.
#[derive(Serialize)]
struct ListEntry {
    url: String,
    name: String,
    /// What kind of place, for a territory.
    detail: String,
    episodes: Vec<EpisodeCard>,
    methods: Vec<MethodRef>,
}

/// `/methodes/`, `/partenaires/`, `/territoires/`.
#[derive(Serialize)]
pub(super) struct ListsCtx {
    methods: Vec<MethodEntry>,
    entries: Vec<ListEntry>,
    /// The territories on a map of metropolitan France, numbered as listed.
    map: Option<super::map::MapCtx>,
}

impl ListsCtx {
    pub(super) fn methods(cat: &Catalog, items: &[Item<'_>], links: &Urls) -> Self {
        let methods = cat
            .methods
            .values()
            .map(|m| MethodEntry {
                url: links.method(&m.slug),
                title: m.title.clone(),
                summary: m.summary.clone(),
                episodes: items.iter().filter(|i| super::discusses(i.episode, &m.slug)).count(),
                partners: PartnerRef::of(cat, &m.partners, links),
            })
            .collect();
        ListsCtx { methods, entries: Vec::new(), map: None }
    }

    pub(super) fn partners(cat: &Catalog, items: &[Item<'_>], links: &Urls) -> Self {
        let entries = cat
            .partners
            .values()
            .map(|p| ListEntry {
                url: links.partner(&p.slug),
                name: p.name.clone(),
                detail: String::new(),
                episodes: cards(items, links, |e| e.partners.contains(&p.slug)),
                methods: MethodRef::of_partner(cat, &p.slug, links),
            })
            .collect();
        ListsCtx { methods: Vec::new(), entries, map: None }
    }

    pub(super) fn territories(cat: &Catalog, items: &[Item<'_>], links: &Urls) -> Self {
        let entries = cat
            .territories
            .values()
            .map(|t| ListEntry {
                url: links.territory(&t.slug),
                name: t.facts.name.clone(),
                detail: t.facts.kind.label_fr().to_owned(),
                episodes: cards(items, links, |e| e.territories.contains(&t.slug)),
                methods: Vec::new(),
            })
            .collect();
        let map = super::map::MapCtx::new(
            cat.territories
                .values()
                .map(|t| (t.facts.name.as_str(), links.territory(&t.slug), t.facts.lat, t.facts.lon)),
        );
        ListsCtx { methods: Vec::new(), entries, map }
    }
}

#[derive(Serialize)]
pub(super) struct EpisodeCtx {
    title: String,
    /// The summary, or the notes' first paragraph: the page's description.
    summary: String,
    date_iso: String,
    date_fr: String,
    duration: String,
    season: Option<u32>,
    number: Option<u32>,
    media_url: String,
    media_type: String,
    /// `MP3`, `M4A`…: the format as people name it.
    media_label: String,
    size: String,
    /// The light version: (address, size, kbit/s).
    light: Option<(String, String, u64)>,
    /// Absolute, for Open Graph: the episode's image, or the show's cover.
    image_abs: String,
    media_abs: String,
    /// schema.org `PodcastEpisode`, as JSON safe inside `<script>`.
    json_ld: String,
    persons: Vec<Person>,
    notes_html: String,
    chapters: Vec<ChapterCtx>,
    chapters_url: Option<String>,
    /// The methods it discusses (listed, or linked by a chapter), each with its moments.
    methods: Vec<MethodMoments>,
    partners: Vec<PartnerRef>,
    territories: Vec<TerritoryRef>,
    /// The transcript in each published format: (label, address); empty without one.
    transcript_formats: Vec<(&'static str, String)>,
    /// The transcript's passages as HTML (see [`transcript_html`]); empty without one.
    transcript: String,
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
struct MethodMoments {
    url: String,
    title: String,
    summary: String,
    moments: Vec<ChapterCtx>,
}

/// The passages of an episode page's transcript, one `<p>` per cue: its anchor `t=SECONDS` (what
/// `#t=` links reach without JavaScript), a time code that links there, the speaker's name where
/// it changes, the text with French typography. Written here rather than by the template: an
/// hour of speech is hundreds of cues, and a template iteration per cue was most of the page's
/// rendering time.
fn transcript_html(e: &Episode) -> String {
    use std::fmt::Write;
    let Some(t) = e.cues() else { return String::new() };
    let mut out = String::with_capacity(t.cues.len() * 200);
    let mut last: Option<&str> = None;
    for c in &t.cues {
        let name = c.voice.as_deref().map(|v| e.speaker_name(v));
        let start = seconds(c.start_ms);
        let clock = clock(c.start_ms);
        let _ = write!(
            out,
            "<p class=\"passage\" id=\"t={start}\" data-t=\"{start}\"><a class=\"horodatage\" href=\"#t={start}\" aria-label=\"Écouter à {clock}\">{clock}</a> "
        );
        if let Some(n) = name.filter(|n| Some(*n) != last) {
            out.push_str("<span class=\"orateur\">");
            crate::util::text::escape_with(n, crate::util::text::html_entity, |part| out.push_str(part));
            out.push_str("</span> ");
        }
        last = name;
        let text = super::fr::typo(&c.text);
        crate::util::text::escape_with(&text, crate::util::text::html_entity, |part| out.push_str(part));
        out.push_str("</p>\n");
    }
    out
}

/// JSON inside `<script>`: `<` escaped so that no text of an episode can close the element.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// `PT54M12S`.
fn iso_duration(ms: u64) -> String {
    let s = ms / 1000;
    format!("PT{}H{}M{}S", s / 3600, s / 60 % 60, s % 60)
}

impl EpisodeCtx {
    /// `links` for the page's own links (root-relative), `urls` for what must be absolute.
    pub(super) fn new(cat: &Catalog, item: &Item<'_>, links: &Urls, urls: &Urls, cover_name: &str) -> Self {
        let e = item.episode;
        let mut persons: Vec<Person> = cat.channel.hosts.clone();
        for p in &e.persons {
            if !persons.iter().any(|h| h.name == p.name) {
                persons.push(p.clone());
            }
        }
        let transcript = transcript_html(e);
        let chapter = |c: &crate::catalog::Chapter| ChapterCtx {
            start: seconds(c.start_ms),
            clock: clock(c.start_ms),
            title: c.title.clone(),
            method_url: c.method.as_ref().map(|m| links.method(m)),
            method_title: c.method.as_ref().and_then(|m| cat.methods.get(m)).map(|m| m.title.clone()),
        };
        let mut method_slugs: Vec<&String> = e.methods.iter().collect();
        for m in e.chapters.iter().filter_map(|c| c.method.as_ref()) {
            if !method_slugs.contains(&m) {
                method_slugs.push(m);
            }
        }
        let methods = method_slugs
            .into_iter()
            .filter_map(|slug| cat.methods.get(slug))
            .map(|m| MethodMoments {
                url: links.method(&m.slug),
                title: m.title.clone(),
                summary: m.summary.clone(),
                moments: e
                    .chapters
                    .iter()
                    .filter(|c| c.method.as_deref() == Some(m.slug.as_str()))
                    .map(chapter)
                    .collect(),
            })
            .collect();
        let summary = e.summary.clone().unwrap_or_else(|| crate::markdown::first_paragraph(&e.notes));
        let image_abs = urls.image(item.image_name.as_deref().unwrap_or(cover_name));
        let media_abs = urls.media(&item.media_name);
        let page = urls.episode(&e.slug);
        let json_ld = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "PodcastEpisode",
            "url": page,
            "name": e.title,
            "description": summary,
            "datePublished": e.pub_date().to_string(),
            "timeRequired": iso_duration(e.audio.duration_ms),
            "image": image_abs,
            "inLanguage": cat.channel.language,
            "associatedMedia": {
                "@type": "AudioObject",
                "contentUrl": media_abs,
                "encodingFormat": e.audio.mime,
                "contentSize": item.media_length.to_string(),
                "duration": iso_duration(e.audio.duration_ms),
            },
            "partOfSeries": { "@type": "PodcastSeries", "name": cat.channel.title, "url": urls.home() },
        });
        let media_label = item.media_name.rsplit('.').next().unwrap_or_default().to_ascii_uppercase();
        EpisodeCtx {
            title: e.title.clone(),
            summary,
            date_iso: e.pub_date().to_string(),
            date_fr: date_fr(e),
            duration: duration_fr(e.audio.duration_ms),
            season: e.season,
            number: e.number,
            media_url: links.media(&item.media_name),
            media_type: e.audio.mime.clone(),
            media_label,
            size: size_fr(item.media_length),
            light: item.light.as_ref().map(|l| (links.media(&l.media_name), size_fr(l.media_length), l.bitrate / 1000)),
            image_abs,
            media_abs,
            json_ld: script_json(&json_ld),
            persons: persons
                .into_iter()
                .map(|mut p| {
                    p.role = role_fr(&p.role).to_owned();
                    p
                })
                .collect(),
            notes_html: typo_html(&e.notes_html()),
            chapters: e.chapters.iter().map(chapter).collect(),
            chapters_url: item.has_chapters.then(|| links.chapters(&e.slug)),
            methods,
            partners: PartnerRef::of(cat, &e.partners, links),
            territories: e
                .territories
                .iter()
                .filter_map(|t| cat.territories.get(t))
                .map(|t| TerritoryRef::new(t, links))
                .collect(),
            transcript_formats: if transcript.is_empty() {
                Vec::new()
            } else {
                [("WebVTT", "vtt"), ("SRT", "srt"), ("JSON", "json"), ("HTML", "html")]
                    .into_iter()
                    .map(|(label, ext)| (label, links.transcript(&e.slug, ext)))
                    .collect()
            },
            transcript,
        }
    }
}

#[derive(Serialize)]
pub(super) struct MethodCtx {
    title: String,
    summary: String,
    goal: Option<String>,
    duration: Option<String>,
    /// `de 6 à 30 personnes`, `à partir de 6 personnes`.
    participants: Option<String>,
    materials: Vec<String>,
    steps: Vec<String>,
    synonyms: Vec<String>,
    body_html: String,
    partners: Vec<PartnerRef>,
    /// Passages of episodes not linked to the method that name it.
    mentions: Vec<MentionCtx>,
}

#[derive(Serialize)]
struct MentionCtx {
    url: String,
    clock: String,
    episode: String,
    name: String,
    /// HTML made by the index: escaped text and `<mark>`.
    snippet: String,
}

impl MethodCtx {
    /// The method and the episodes that discuss it, each with the moments (chapters) about it.
    pub(super) fn new(
        cat: &Catalog,
        items: &[Item<'_>],
        m: &Method,
        mentions: &[crate::search::Mention],
        links: &Urls,
    ) -> (Self, Vec<EpisodeCard>) {
        let episodes = items
            .iter()
            .filter_map(|i| {
                let e = i.episode;
                let moments: Vec<Moment> = e
                    .chapters
                    .iter()
                    .filter(|c| c.method.as_deref() == Some(m.slug.as_str()))
                    .map(|c| Moment {
                        url: format!("{}#t={}", links.episode(&e.slug), seconds(c.start_ms)),
                        clock: clock(c.start_ms),
                        title: c.title.clone(),
                    })
                    .collect();
                super::discusses(e, &m.slug).then(|| EpisodeCard::new(e, links, moments))
            })
            .collect();
        let f = &m.facts;
        let ctx = MethodCtx {
            title: m.title.clone(),
            summary: m.summary.clone(),
            goal: f.goal.clone(),
            duration: f.duration.clone(),
            participants: f.participants.map(|p| match p.max {
                Some(max) if max == p.min => format!("{max} personnes"),
                Some(max) => format!("de {} à {max} personnes", p.min),
                None => format!("à partir de {} personnes", p.min),
            }),
            materials: f.materials.clone(),
            steps: f.steps.clone(),
            synonyms: m.synonyms.clone(),
            body_html: typo_html(&crate::markdown::to_html(&m.body)),
            partners: PartnerRef::of(cat, &m.partners, links),
            mentions: mentions
                .iter()
                .map(|x| MentionCtx {
                    url: format!("{}#t={}", links.episode(&x.slug), seconds((x.start * 1000.0).round() as u64)),
                    clock: clock((x.start * 1000.0).round() as u64),
                    episode: x.title.clone(),
                    name: x.name.clone(),
                    snippet: typo_html(&x.snippet),
                })
                .collect(),
        };
        (ctx, episodes)
    }
}

#[derive(Serialize)]
pub(super) struct PartnerCtx {
    name: String,
    website: Option<String>,
    body_html: String,
    territories: Vec<TerritoryRef>,
    methods: Vec<MethodRef>,
}

impl PartnerCtx {
    pub(super) fn new(cat: &Catalog, items: &[Item<'_>], p: &Partner, links: &Urls) -> (Self, Vec<EpisodeCard>) {
        let ctx = PartnerCtx {
            name: p.name.clone(),
            website: p.website.clone(),
            body_html: typo_html(&crate::markdown::to_html(&p.body)),
            territories: p
                .territories
                .iter()
                .filter_map(|t| cat.territories.get(t))
                .map(|t| TerritoryRef::new(t, links))
                .collect(),
            methods: MethodRef::of_partner(cat, &p.slug, links),
        };
        (ctx, cards(items, links, |e| e.partners.contains(&p.slug)))
    }
}

#[derive(Serialize)]
pub(super) struct TerritoryCtx {
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

impl TerritoryCtx {
    pub(super) fn new(cat: &Catalog, items: &[Item<'_>], t: &Territory, links: &Urls) -> (Self, Vec<EpisodeCard>) {
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
            body_html: typo_html(&crate::markdown::to_html(&t.body)),
            partners: cat
                .partners
                .values()
                .filter(|p| p.territories.contains(&t.slug))
                .map(|p| PartnerRef::new(p, links))
                .collect(),
        };
        (ctx, cards(items, links, |e| e.territories.contains(&t.slug)))
    }
}

/// The HTML transcript.
#[derive(Serialize)]
pub(super) struct TranscriptCtx {
    title: String,
    /// The episode page (root-relative); times link to `<page>#t=<seconds>`.
    page: String,
    passages: Vec<PassageCtx>,
}

#[derive(Serialize)]
struct PassageCtx {
    /// The speaker's name where it changes.
    speaker: Option<String>,
    /// Whole seconds.
    start: u64,
    clock: String,
    text: String,
}

impl TranscriptCtx {
    /// Passages of up to a minute of one speaker.
    pub(super) fn new(ep: &Episode, links: &Urls) -> Option<Self> {
        let t = ep.cues()?;
        let mut previous = None;
        let passages = t
            .passages(60_000)
            .into_iter()
            .map(|p| {
                let name = p.voice.map(|v| ep.speaker_name(v));
                let speaker = name.filter(|n| Some(*n) != previous).map(str::to_owned);
                previous = name;
                PassageCtx { speaker, start: p.start_ms / 1000, clock: clock(p.start_ms), text: p.text() }
            })
            .collect();
        Some(TranscriptCtx { title: ep.title.clone(), page: links.episode(&ep.slug), passages })
    }
}

/// The search page.
#[derive(Serialize)]
pub(super) struct SearchCtx {
    q: String,
    /// Something was asked (words or a filter).
    asked: bool,
    /// The filters in force, kept as hidden fields of the form.
    hidden: Vec<(&'static str, String)>,
    /// The filters in force, each with the address of the search without it.
    active: Vec<ActiveFilter>,
    total: usize,
    /// When nothing was found: the words with their spelling corrected, and the search for them.
    suggestion: Option<(String, String)>,
    facets: Vec<FacetGroup>,
    episodes: Vec<HitCtx>,
}

#[derive(Serialize)]
struct ActiveFilter {
    label: &'static str,
    value: String,
    remove: String,
}

#[derive(Serialize)]
struct FacetGroup {
    heading: &'static str,
    values: Vec<FacetLink>,
}

#[derive(Serialize)]
struct FacetLink {
    href: String,
    label: String,
    count: usize,
}

#[derive(Serialize)]
struct HitCtx {
    link: String,
    title: String,
    date: String,
    date_fr: String,
    /// HTML made by the index: escaped text and `<mark>`.
    notes: Option<String>,
    moments: Vec<MomentCtx>,
}

#[derive(Serialize)]
struct MomentCtx {
    link: String,
    clock: String,
    speaker: Option<String>,
    /// HTML made by the index: escaped text and `<mark>`.
    snippet: String,
}

/// The search's filters: parameter, French label, and how to read and set it on a query.
type Filter = (&'static str, &'static str, fn(&Query) -> Option<String>, fn(&mut Query, Option<String>));

const FILTERS: [Filter; 5] = [
    ("partner", "Partenaire", |q| q.partner.clone(), |q, v| q.partner = v),
    ("method", "Méthode", |q| q.method.clone(), |q, v| q.method = v),
    ("territory", "Territoire", |q| q.territory.clone(), |q, v| q.territory = v),
    ("year", "Année", |q| q.year.map(|y| y.to_string()), |q, v| q.year = v.and_then(|v| v.parse().ok())),
    ("speaker", "Voix", |q| q.speaker.clone(), |q, v| q.speaker = v),
];

/// The address of the search page for `query`.
fn href(query: &Query) -> String {
    let query = Query { limit: None, ..query.clone() };
    format!("/recherche/?{}", serde_urlencoded::to_string(&query).unwrap_or_default())
}

impl SearchCtx {
    /// The page before anything is asked.
    pub(super) fn empty() -> Self {
        SearchCtx {
            q: String::new(),
            asked: false,
            hidden: Vec::new(),
            active: Vec::new(),
            total: 0,
            suggestion: None,
            facets: Vec::new(),
            episodes: Vec::new(),
        }
    }

    pub(super) fn new(results: &SearchResults) -> Self {
        let query = &results.query;
        let f = &results.facets;
        let labels: [(&str, &[FacetCount]); 3] =
            [("method", &f.method), ("partner", &f.partner), ("territory", &f.territory)];
        let label_of = |name: &str, value: &str| {
            labels
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, list)| list.iter().find(|c| c.value == value))
                .map_or_else(|| value.to_owned(), |c| c.label.clone())
        };
        let mut hidden = Vec::new();
        let mut active = Vec::new();
        for (name, label, get, set) in FILTERS {
            let Some(value) = get(query) else { continue };
            let mut without = query.clone();
            set(&mut without, None);
            active.push(ActiveFilter { label, value: label_of(name, &value), remove: href(&without) });
            hidden.push((name, value));
        }
        let groups: [(&str, &'static str, &[FacetCount]); 4] = [
            ("method", "Méthodes", &f.method),
            ("partner", "Partenaires", &f.partner),
            ("territory", "Territoires", &f.territory),
            ("year", "Années", &f.year),
        ];
        let facets = groups
            .into_iter()
            .filter(|(_, _, counts)| !counts.is_empty())
            .map(|(name, heading, counts)| FacetGroup {
                heading,
                values: counts
                    .iter()
                    .map(|c| {
                        let mut narrower = query.clone();
                        if let Some((_, _, _, set)) = FILTERS.iter().find(|(n, ..)| *n == name) {
                            set(&mut narrower, Some(c.value.clone()));
                        }
                        FacetLink { href: href(&narrower), label: c.label.clone(), count: c.count }
                    })
                    .collect(),
            })
            .collect();
        let episodes = results
            .episodes
            .iter()
            .map(|hit| HitCtx {
                link: hit.link.clone(),
                title: hit.title.clone(),
                date: hit.date.clone(),
                date_fr: super::fr::iso_date_fr(&hit.date),
                notes: hit.notes.clone().filter(|_| hit.moments.is_empty()),
                moments: hit
                    .moments
                    .iter()
                    .map(|m| MomentCtx {
                        link: m.link.clone(),
                        clock: clock((m.start * 1000.0) as u64),
                        speaker: m.speaker.clone(),
                        snippet: typo_html(&m.snippet),
                    })
                    .collect(),
            })
            .collect();
        SearchCtx {
            q: query.q.clone(),
            asked: !query.q.trim().is_empty() || !active.is_empty(),
            hidden,
            active,
            total: results.total,
            suggestion: results
                .suggestion
                .as_ref()
                .map(|s| (s.clone(), href(&Query { q: s.clone(), ..query.clone() }))),
            facets,
            episodes,
        }
    }
}
