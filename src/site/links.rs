//! The links that show notes and pages make to the site itself: each must lead to a page or a
//! file that a build makes (`veillee check` refuses a broken one, with its file and line).

use std::collections::BTreeSet;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};

use super::{ArchivePart, List};
use crate::catalog::{Catalog, SourceError};
use crate::problem::{Position, Problem, Problems};
use crate::transcript::OutFormat;
use crate::util::text::closest;
use crate::util::urls::episode_path;

/// Every path from the site's root that a build of `catalog` answers (drafts' pages included: a
/// link to an episode about to be published is not broken), old episode addresses (they
/// redirect), and directories as `/dir/`.
fn site_paths(catalog: &Catalog) -> BTreeSet<String> {
    let mut paths: BTreeSet<String> =
        ["/", "/feed.xml", "/recherche/", "/sitemap.xml", "/robots.txt", "/404.html", "/_redirects.json"]
            .map(str::to_owned)
            .into();
    paths.extend(super::STATIC.iter().map(|(name, _)| format!("/{name}")));
    paths.extend(catalog.static_files.iter().map(|(path, _)| format!("/{path}")));
    paths.extend(List::ALL.map(|l| format!("/{}/", l.dir())));
    let pages = catalog.episodes.len().div_ceil(catalog.channel.archive_page_size.max(1)).max(1);
    paths.extend((1..=pages).map(|n| ArchivePart::Page(n).path()));
    for e in &catalog.episodes {
        paths.insert(episode_path(&e.slug));
        paths.insert(ArchivePart::Year(e.offset.to_datetime(e.pub_date()).year()).path());
        if e.transcript.is_some() {
            paths.extend(OutFormat::ALL.map(|f| format!("/transcripts/{}.{}", e.slug, f.extension())));
        }
        if !e.chapters.is_empty() {
            paths.insert(format!("/chapters/{}.chapters.json", e.slug));
        }
    }
    for record in catalog.ledger.records.values().filter(|r| !r.retracted) {
        paths.extend(record.slugs.iter().map(|s| episode_path(s)));
        paths.extend(record.media.iter().map(|(name, _)| format!("/media/{name}")));
    }
    paths.extend(catalog.methods.keys().map(|s| format!("/methodes/{s}/")));
    paths.extend(catalog.partners.keys().map(|s| format!("/partenaires/{s}/")));
    paths.extend(catalog.territories.keys().map(|s| format!("/territoires/{s}/")));
    paths
}

/// Whether `path` is answered: as it is, as a directory (`/methodes/x` → `/methodes/x/`), or as
/// its `index.html`. Media and images have content-addressed names no one types: not judged.
fn answered(paths: &BTreeSet<String>, path: &str) -> bool {
    let page = path.strip_suffix("index.html").unwrap_or(path);
    paths.contains(page)
        || paths.contains(&format!("{page}/"))
        || path.starts_with("/images/")
        || (path.starts_with("/media/") && !paths.iter().any(|p| p.starts_with("/media/")))
}

/// The internal links of every episode's notes and every method, partner and territory page
/// that lead nowhere, as errors with their file and line.
pub(crate) fn broken_links(catalog: &Catalog) -> Problems {
    let paths = site_paths(catalog);
    let base = catalog.channel.base_url.as_str();
    let mut problems = Problems::default();
    let sources =
        catalog
            .episodes
            .iter()
            .map(|e| (catalog.root.join(&e.source), episode_path(&e.slug), e.notes.as_str()))
            .chain(
                catalog.methods.values().map(|m| {
                    (page_file(catalog, "methods", &m.slug), format!("/methodes/{}/", m.slug), m.body.as_str())
                }),
            )
            .chain(catalog.partners.values().map(|p| {
                (page_file(catalog, "partners", &p.slug), format!("/partenaires/{}/", p.slug), p.body.as_str())
            }))
            .chain(catalog.territories.values().map(|t| {
                (page_file(catalog, "territories", &t.slug), format!("/territoires/{}/", t.slug), t.body.as_str())
            }));
    for (file, page, markdown) in sources {
        for link in links(markdown) {
            let Some(path) = internal_path(base, &page, &link) else { continue };
            if answered(&paths, &path) {
                continue;
            }
            let suggestion = closest(&path, paths.iter().map(String::as_str)).filter(|s| *s != path);
            let rel = file.strip_prefix(&catalog.root).unwrap_or(&file).to_path_buf();
            problems.push(Problem::error(rel, line_of(&file, &link), SourceError::BrokenLink { link, suggestion }));
        }
    }
    problems
}

fn page_file(catalog: &Catalog, dir: &str, slug: &str) -> std::path::PathBuf {
    catalog.root.join("site").join(dir).join(format!("{slug}.md"))
}

/// The destinations of the Markdown's links and images, as written.
fn links(markdown: &str) -> Vec<String> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

/// The path on this site that `link`, written on `page`, leads to; `None` for another site, an
/// anchor of the page itself, an e-mail address.
fn internal_path(base: &str, page: &str, link: &str) -> Option<String> {
    if link.is_empty() || link.starts_with('#') || link.starts_with('?') {
        return None;
    }
    let base_url = ammonia::Url::parse(base).ok()?;
    let url = base_url.join(page).ok()?.join(link).ok()?;
    (url.scheme() == base_url.scheme() && url.host_str() == base_url.host_str() && url.port() == base_url.port())
        .then(|| url.path().to_owned())
}

/// The line of `file` where `link` is first written (the file's first line if not found).
fn line_of(file: &Path, link: &str) -> Position {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    // As a Markdown destination first: the bare text may be the start of a longer link.
    let at = [format!("({link})"), format!("({link} "), format!("<{link}>"), link.to_owned()]
        .iter()
        .find_map(|needle| text.find(needle.as_str()));
    at.map_or(Position::File, |at| Position::Line(text[..at].matches('\n').count() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_from_their_page() {
        let base = "https://podcast.example.org";
        let page = "/episodes/a/";
        assert_eq!(internal_path(base, page, "/methodes/x/").as_deref(), Some("/methodes/x/"));
        assert_eq!(internal_path(base, page, "../../methodes/x/").as_deref(), Some("/methodes/x/"));
        assert_eq!(
            internal_path(base, page, "https://podcast.example.org/feed.xml?x=1#y").as_deref(),
            Some("/feed.xml")
        );
        assert_eq!(internal_path(base, page, "#t=12"), None);
        assert_eq!(internal_path(base, page, "https://example.org/"), None);
        assert_eq!(internal_path(base, page, "mailto:a@example.org"), None);
        let paths: BTreeSet<String> = ["/methodes/x/".to_owned(), "/feed.xml".to_owned()].into();
        assert!(answered(&paths, "/methodes/x"));
        assert!(answered(&paths, "/methodes/x/index.html"));
        assert!(!answered(&paths, "/methodes/y/"));
    }
}
