//! The website: plain, correct French pages for the home, each episode, method, partner and
//! territory, the HTML transcripts, the redirects of renamed episodes and the search page, all
//! rendered with minijinja from a theme embedded in the binary. A file of the same name in
//! `site/templates/` replaces a theme template; autoescaping does all the escaping.
//!
//! Links between pages are root-relative (`/episodes/x/`), so a build works in a browser on any
//! host; only what must be absolute is (the feed's address, canonical URLs).

mod admin;
mod fr;
mod links;
mod map;
mod view;

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Episode, Method, Partner, Territory};
use crate::feed::Item;
use crate::search::{Mention, SearchResults, Searcher};
use crate::util::urls::Urls;
pub(crate) use admin::{
    ADMIN_CSS, admin_page, date_fr as admin_date_fr, duration_fr as admin_duration_fr, size_fr as admin_size_fr,
};
pub(crate) use links::broken_links;
pub(crate) use view::ShowCtx;
pub(crate) use view::{ArchivePart, archive_pages, years};
use view::{ArchivesCtx, EpisodeCtx, ListsCtx, MethodCtx, PartnerCtx, SearchCtx, TerritoryCtx, TranscriptCtx};

/// The theme's templates, by name.
const THEME: &[(&str, &str)] = &[
    ("base.html", include_str!("theme/base.html")),
    ("episode_list.html", include_str!("theme/episode_list.html")),
    ("index.html", include_str!("theme/index.html")),
    ("episode.html", include_str!("theme/episode.html")),
    ("method.html", include_str!("theme/method.html")),
    ("partner.html", include_str!("theme/partner.html")),
    ("territory.html", include_str!("theme/territory.html")),
    ("transcript.html", include_str!("theme/transcript.html")),
    ("redirect.html", include_str!("theme/redirect.html")),
    ("search.html", include_str!("theme/search.html")),
    ("error.html", include_str!("theme/error.html")),
    ("subscribe.html", include_str!("theme/subscribe.html")),
    ("archives.html", include_str!("theme/archives.html")),
    ("methods.html", include_str!("theme/methods.html")),
    ("partners.html", include_str!("theme/partners.html")),
    ("territories.html", include_str!("theme/territories.html")),
    ("404.html", include_str!("theme/404.html")),
];

/// The theme's own files, published as they are (a file of the same name in `site/static/`
/// replaces one): the stylesheet and the script, files so that the server's Content-Security-
/// Policy can forbid inline script and style.
pub(crate) const STATIC: &[(&str, &str)] =
    &[("style.css", include_str!("theme/style.css")), ("veillee.js", include_str!("theme/veillee.js"))];

/// A template that failed, with where.
#[derive(Debug, Clone, thiserror::Error)]
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

/// The theme with `overrides` in place of the templates of the same name.
fn environment(overrides: &BTreeMap<String, String>) -> Result<Environment<'static>, TemplateError> {
    let mut env = Environment::new();
    for (name, source) in THEME {
        match overrides.get(*name) {
            Some(custom) => env.add_template_owned((*name).to_owned(), custom.clone())?,
            None => env.add_template(name, source)?,
        }
    }
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_formatter(escape_formatter);
    env.add_filter("code", code_spans);
    env.add_filter("typo", |text: &str| fr::typo(text).into_owned());
    Ok(env)
}

/// minijinja also escapes `/`, which turns every URL into `https:&#x2f;&#x2f;…`: strings are
/// escaped the usual way and the rest left to the default formatter.
fn escape_formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(s) if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() => {
            let mut failed = false;
            crate::util::text::escape_with(s, crate::util::text::html_entity, |part| {
                failed |= out.write_str(part).is_err();
            });
            if failed {
                return Err(minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write the page"));
            }
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Text escaped for HTML, its `quoted` parts as `<code>` (messages quote file names, fields and
/// commands that way).
fn code_spans(text: &str) -> Value {
    let escaped = crate::util::text::html_escape(text);
    // An odd number of backticks leaves the last one open: shown as written.
    if escaped.matches('`').count() % 2 == 1 {
        return Value::from_safe_string(escaped);
    }
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    Value::from_safe_string(out)
}

/// A digest of the theme: pages change when it does.
pub(crate) fn theme_digest(overrides: &BTreeMap<String, String>) -> String {
    let mut h = blake3::Hasher::new();
    for (name, source) in THEME {
        h.update(name.as_bytes());
        h.update(overrides.get(*name).map_or(*source, String::as_str).as_bytes());
        h.update(b"\0");
    }
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.finalize().to_hex().to_string()
}

/// What the site is made from.
pub(crate) struct SiteInput<'a> {
    pub catalog: &'a Catalog,
    /// The public addresses (the feed's, canonical URLs).
    pub urls: &'a Urls,
    /// Published items, newest first.
    pub items: &'a [Item<'a>],
    pub cover_name: &'a str,
}

/// The site's renderer: one method per page, so that a build renders only what changed.
pub(crate) struct Site<'a> {
    env: Environment<'static>,
    input: &'a SiteInput<'a>,
    /// Links between pages: root-relative.
    links: Urls,
    show: ShowCtx,
}

impl<'a> Site<'a> {
    /// Loads the theme (with the overrides of `site/templates/`).
    pub(crate) fn new(input: &'a SiteInput<'a>) -> Result<Self, TemplateError> {
        Ok(Site {
            env: environment(&input.catalog.theme)?,
            show: ShowCtx::new(input.catalog, input.urls, input.cover_name),
            links: input.urls.relative(),
            input,
        })
    }

    fn render(&self, name: &str, ctx: Value) -> Result<Vec<u8>, TemplateError> {
        Ok(self.env.get_template(name)?.render(ctx)?.into_bytes())
    }

    fn show(&self) -> Value {
        Value::from(Serde(&self.show))
    }

    /// `index.html`.
    pub(crate) fn index(&self) -> Result<Vec<u8>, TemplateError> {
        let ctx = view::HomeCtx::new(self.input.catalog, self.input.items, &self.links);
        self.render(
            "index.html",
            minijinja::context! { show => self.show(), canonical => self.input.urls.home(), ..Value::from(Serde(&ctx)) },
        )
    }

    /// `episodes/<slug>/index.html`.
    pub(crate) fn episode(&self, item: &Item<'_>) -> Result<Vec<u8>, TemplateError> {
        let ctx = EpisodeCtx::new(self.input.catalog, item, &self.links, self.input.urls, self.input.cover_name);
        let canonical = self.input.urls.episode(&item.episode.slug);
        self.render(
            "episode.html",
            minijinja::context! { show => self.show(), canonical, episode => Value::from(Serde(&ctx)) },
        )
    }

    /// `methodes/<slug>/index.html`, with the episodes and the moments that discuss the method,
    /// and the passages of other episodes that name it (`mentions`, found in the index).
    pub(crate) fn method(&self, m: &Method, mentions: &[Mention]) -> Result<Vec<u8>, TemplateError> {
        let (method, episodes) = MethodCtx::new(self.input.catalog, self.input.items, m, mentions, &self.links);
        self.render(
            "method.html",
            minijinja::context! {
                show => self.show(),
                canonical => self.input.urls.method(&m.slug),
                feed_url => self.input.urls.method_feed(&m.slug),
                method => Value::from(Serde(&method)),
                episodes => Value::from(Serde(&episodes)),
            },
        )
    }

    /// `partenaires/<slug>/index.html`.
    pub(crate) fn partner(&self, p: &Partner) -> Result<Vec<u8>, TemplateError> {
        let (partner, episodes) = PartnerCtx::new(self.input.catalog, self.input.items, p, &self.links);
        self.render(
            "partner.html",
            minijinja::context! {
                show => self.show(),
                canonical => self.input.urls.partner(&p.slug),
                feed_url => self.input.urls.partner_feed(&p.slug),
                partner => Value::from(Serde(&partner)),
                episodes => Value::from(Serde(&episodes)),
            },
        )
    }

    /// `territoires/<slug>/index.html`.
    pub(crate) fn territory(&self, t: &Territory) -> Result<Vec<u8>, TemplateError> {
        let (territory, episodes) = TerritoryCtx::new(self.input.catalog, self.input.items, t, &self.links);
        self.render(
            "territory.html",
            minijinja::context! {
                show => self.show(),
                canonical => self.input.urls.territory(&t.slug),
                territory => Value::from(Serde(&territory)),
                episodes => Value::from(Serde(&episodes)),
            },
        )
    }

    /// A page of `/archives/`: every episode by pages of `archive_page_size`, or a year's.
    pub(crate) fn archives(&self, part: ArchivePart) -> Result<Vec<u8>, TemplateError> {
        let size = self.input.catalog.channel.archive_page_size;
        let ctx = ArchivesCtx::new(self.input.items, size, part, &self.links);
        let canonical = format!("{}{}", self.input.urls.base, part.path());
        self.render(
            "archives.html",
            minijinja::context! { show => self.show(), canonical, current_section => "archives", archives => Value::from(Serde(&ctx)) },
        )
    }

    /// `methodes/index.html`, `partenaires/index.html` or `territoires/index.html`.
    pub(crate) fn list(&self, list: List) -> Result<Vec<u8>, TemplateError> {
        let (cat, items, links) = (self.input.catalog, self.input.items, &self.links);
        let (template, ctx) = match list {
            List::Methods => ("methods.html", ListsCtx::methods(cat, items, links)),
            List::Partners => ("partners.html", ListsCtx::partners(cat, items, links)),
            List::Territories => ("territories.html", ListsCtx::territories(cat, items, links)),
        };
        let canonical = format!("{}/{}/", self.input.urls.base, list.dir());
        self.render(
            template,
            minijinja::context! { show => self.show(), canonical, current_section => list.dir(), lists => Value::from(Serde(&ctx)) },
        )
    }

    /// `404.html`: what a server answers, and static hosts show, for an unknown address.
    pub(crate) fn not_found(&self) -> Result<Vec<u8>, TemplateError> {
        self.render("404.html", minijinja::context! { show => self.show(), canonical => "" })
    }

    /// `recherche/index.html`: the search form alone, so that the page exists on a static host
    /// (`serve` answers `/recherche/` with results).
    pub(crate) fn search_form(&self) -> Result<Vec<u8>, TemplateError> {
        let ctx = SearchCtx::empty();
        self.render(
            "search.html",
            minijinja::context! { show => self.show(), canonical => "", current_section => "recherche", search => Value::from(Serde(&ctx)) },
        )
    }

    /// `transcripts/<slug>.html`: the transcript on a page of its own, in the Podcast Index
    /// layout (`<cite>` when the speaker changes, then `<time>` and `<p>` per passage), each time
    /// a link to that moment of the episode page.
    pub(crate) fn transcript(&self, ep: &Episode) -> Result<Option<Vec<u8>>, TemplateError> {
        let Some(ctx) = TranscriptCtx::new(ep, &self.links) else { return Ok(None) };
        let canonical = self.input.urls.transcript(&ep.slug, "html");
        let page = self.render(
            "transcript.html",
            minijinja::context! { show => self.show(), canonical, transcript => Value::from(Serde(&ctx)) },
        )?;
        Ok(Some(page))
    }

    /// The page left at a renamed episode's old URL: a permanent move for people and crawlers
    /// (`serve` answers 301 from `_redirects.json`; static hosts serve this page).
    pub(crate) fn redirect(&self, to_path: &str) -> Result<Vec<u8>, TemplateError> {
        let canonical = format!("{}{to_path}", self.input.urls.base);
        self.render("redirect.html", minijinja::context! { show => self.show(), canonical, to => to_path })
    }
}

/// The list pages of methods, partners and territories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Methods,
    Partners,
    Territories,
}

impl List {
    pub(crate) const ALL: [List; 3] = [List::Methods, List::Partners, List::Territories];

    /// The directory of the list and of its pages.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            List::Methods => "methodes",
            List::Partners => "partenaires",
            List::Territories => "territoires",
        }
    }
}

/// `sitemap.xml`: every page a search engine should know, absolute, with the episodes' dates.
pub(crate) fn sitemap(catalog: &Catalog, urls: &Urls, items: &[Item<'_>]) -> Vec<u8> {
    let mut pages: Vec<(String, Option<String>)> = vec![(urls.home(), None)];
    let pages_count = archive_pages(items.len(), catalog.channel.archive_page_size);
    pages.extend((1..=pages_count).map(|n| (format!("{}{}", urls.base, ArchivePart::Page(n).path()), None)));
    pages
        .extend(years(items).into_iter().map(|(y, _)| (format!("{}{}", urls.base, ArchivePart::Year(y).path()), None)));
    for item in items {
        let e = item.episode;
        let day = e.offset.to_datetime(e.pub_date()).date().to_string();
        pages.push((urls.episode(&e.slug), Some(day)));
    }
    pages.extend(List::ALL.map(|l| (format!("{}/{}/", urls.base, l.dir()), None)));
    pages.extend(catalog.methods.keys().map(|s| (urls.method(s), None)));
    pages.extend(catalog.partners.keys().map(|s| (urls.partner(s), None)));
    pages.extend(catalog.territories.keys().map(|s| (urls.territory(s), None)));
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in pages {
        out.push_str("<url><loc>");
        out.push_str(&crate::util::text::html_escape(&loc));
        out.push_str("</loc>");
        if let Some(day) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(&day);
            out.push_str("</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// `robots.txt`: everything may be read but the search's endless result pages; where the sitemap is.
pub(crate) fn robots(urls: &Urls) -> Vec<u8> {
    format!("User-agent: *\nDisallow: /recherche/\nDisallow: /api/\n\nSitemap: {}/sitemap.xml\n", urls.base)
        .into_bytes()
}

/// The most episodes whose passages a method's page suggests.
const MENTIONED_EPISODES: usize = 5;

/// For each method, the passages that say its name or one of its synonyms in published episodes
/// not linked to it (neither in their `methods` nor by a chapter): what staff may want to link.
pub(crate) fn method_mentions(catalog: &Catalog, searcher: &Searcher) -> BTreeMap<String, Vec<Mention>> {
    catalog
        .methods
        .values()
        .map(|m| {
            let names: Vec<String> = std::iter::once(m.title.clone()).chain(m.synonyms.iter().cloned()).collect();
            let linked = |slug: &str| catalog.episode(slug).is_none_or(|e| discusses(e, &m.slug));
            (m.slug.clone(), searcher.mentions(&names, linked, MENTIONED_EPISODES))
        })
        .collect()
}

/// Whether an episode discusses a method: it lists it, or one of its chapters links to it.
pub(crate) fn discusses(e: &Episode, method: &str) -> bool {
    e.methods.iter().any(|m| m == method) || e.chapters.iter().any(|c| c.method.as_deref() == Some(method))
}

/// What a build leaves for the pages rendered when they are asked for (the search page): the
/// show as the pages name it and the templates of `site/templates/`. Saved with the generation,
/// so that a server renders them as the build it serves was made.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct PagesSource {
    pub show: ShowCtx,
    pub overrides: BTreeMap<String, String>,
}

impl PagesSource {
    pub(crate) fn new(catalog: &Catalog, urls: &Urls, cover_name: &str) -> Self {
        PagesSource { show: ShowCtx::new(catalog, urls, cover_name), overrides: catalog.theme.clone() }
    }
}

/// The pages rendered at request time, for one generation.
pub(crate) struct Pages {
    env: Environment<'static>,
    show: ShowCtx,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").field("show", &self.show.title).finish_non_exhaustive()
    }
}

impl Pages {
    pub(crate) fn new(source: PagesSource) -> Result<Self, TemplateError> {
        Ok(Pages { env: environment(&source.overrides)?, show: source.show })
    }

    /// The media's own host (`media_base_url`), empty when they are served with the site.
    pub(crate) fn media_base(&self) -> &str {
        &self.show.media_base
    }

    /// `/recherche/?q=…`: the results as a page that needs no JavaScript (a form, the episodes
    /// with their moments as deep links, facets as links that narrow the search).
    pub(crate) fn search(&self, results: &SearchResults) -> Result<String, TemplateError> {
        let ctx = SearchCtx::new(results);
        let page = self.env.get_template("search.html")?.render(minijinja::context! {
            show => Value::from(Serde(&self.show)),
            canonical => "",
            current_section => "recherche",
            search => Value::from(Serde(&ctx)),
        })?;
        Ok(page)
    }
}

/// The page of a request the server could not answer: what happened, in French, with its stable
/// code, and the problems of the sources when that is the cause. It stands alone (no show to
/// name: a preview that failed to build has none).
pub(crate) fn error_page(code: &str, message: &str, problems: Option<&crate::problem::Problems>) -> String {
    let problems = problems.map(|p| p.to_json(crate::problem::Lang::Fr)).unwrap_or_default();
    let title = if problems.as_array().is_some_and(|a| !a.is_empty()) {
        "Les sources ont des problèmes"
    } else {
        "Cette page ne peut pas être affichée"
    };
    // The built-in theme, made once: a server may answer many bad requests.
    static THEME_ONLY: std::sync::LazyLock<Result<Environment<'static>, TemplateError>> =
        std::sync::LazyLock::new(|| environment(&BTreeMap::new()));
    let rendered = THEME_ONLY.as_ref().map_err(Clone::clone).and_then(|env| {
        let ctx = minijinja::context! { title, message, code, problems => Value::from(Serde(&problems)) };
        Ok(env.get_template("error.html")?.render(ctx)?)
    });
    rendered.unwrap_or_else(|e| format!("{message} ({code}; {e})"))
}
