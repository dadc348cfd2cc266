//! The website exists for every link of the feed, is French, and shows transcripts and moments.

use std::collections::BTreeSet;

use crate::util::Project;

fn built() -> Project {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    p
}

/// The file of www that answers a URL of the site.
fn file_for(p: &Project, url: &str) -> std::path::PathBuf {
    let rel = url.strip_prefix("https://veillee.example.org").unwrap().split('#').next().unwrap();
    let rel = rel.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') { p.www().join(rel).join("index.html") } else { p.www().join(rel) }
}

fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            out.push(part.split('"').next().unwrap().replace("&amp;", "&"));
        }
    }
    out
}

#[test]
fn every_link_of_the_feed_and_the_pages_resolves() {
    let p = built();
    let feed = p.read("build/current/www/feed.xml");
    let mut urls: BTreeSet<String> = BTreeSet::new();
    for part in feed.split("https://veillee.example.org").skip(1) {
        let end = part.find(['"', '<', ')']).unwrap();
        urls.insert(format!("https://veillee.example.org{}", &part[..end]));
    }
    assert!(urls.len() > 12, "{urls:?}");
    let pages: Vec<_> = crate::util::tree(&p.www()).into_keys().filter(|k| k.ends_with(".html")).collect();
    let mut relative = 0;
    for page in &pages {
        for link in links(&std::fs::read_to_string(p.www().join(page)).unwrap()) {
            if link.starts_with("https://veillee.example.org") {
                urls.insert(link);
            } else if link.starts_with('/') && !link.starts_with("/recherche/") {
                // Links between pages are root-relative: they resolve on any host.
                relative += 1;
                urls.insert(format!("https://veillee.example.org{link}"));
            }
        }
    }
    assert!(relative > 20, "pages link each other by root-relative paths");
    for url in &urls {
        if url == "https://veillee.example.org/soutenir/" || url == "https://veillee.example.org/equipe/" {
            continue; // links of channel.toml to pages outside Veillée
        }
        assert!(file_for(&p, url).is_file(), "{url} has no file");
    }
}

#[test]
fn episode_page() {
    let p = built();
    let html = p.read("build/current/www/episodes/enquete-de-besoins-a-leaz/index.html");
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("12 juin 2024"));
    assert!(html.contains(
        "<audio id=\"lecteur\" controls preload=\"metadata\" src=\"/media/enquete-de-besoins-a-leaz.f5e72987.mp3\">"
    ));
    assert!(
        html.contains(
            "<link rel=\"canonical\" href=\"https://veillee.example.org/episodes/enquete-de-besoins-a-leaz/\">"
        ),
        "the canonical URL is absolute"
    );
    assert!(html.contains("<cite>Dominique Invité</cite>"), "transcript labels map to names");
    assert!(html.contains("href=\"#t=1\""));
    assert!(!html.contains("<script>alert"), "notes are sanitized");
    assert!(html.contains("Frapper aux portes : l&#39;enquête de besoins à Léaz &amp; &lt;ailleurs&gt;"));
    insta::assert_snapshot!(html);
}

#[test]
fn method_page_lists_the_moments_that_discuss_it() {
    let p = built();
    let html = p.read("build/current/www/methodes/recensement-des-problemes/index.html");
    assert!(html.contains("href=\"/episodes/enquete-de-besoins-a-leaz/#t=1\""), "{html}");
    assert!(html.contains("Quatre questions sur le pas de la porte"));
    let cartographie = p.read("build/current/www/methodes/cartographie-sensible/index.html");
    assert!(cartographie.contains("Dessiner le territoire vécu à Jazeneuil"));
    assert!(!cartographie.contains("Frapper aux portes"));
}

#[test]
fn territory_and_partner_pages() {
    let p = built();
    let leaz = p.read("build/current/www/territoires/leaz/index.html");
    assert!(leaz.contains("commune · code 01209 · 01200 · 796 habitants (2020)"), "{leaz}");
    assert!(leaz.contains("Solucracy"));
    assert!(leaz.contains("Dessiner le territoire"), "episodes about the place");
    let solucracy = p.read("build/current/www/partenaires/solucracy/index.html");
    assert!(solucracy.contains("Recensement des problèmes"));
    let home = p.read("build/current/www/index.html");
    assert!(!home.contains("Un épisode à venir"), "future episodes are not out");
}

#[test]
fn templates_can_be_overridden() {
    let p = Project::fixture("show");
    p.write(
        "site/templates/territory.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Ici : {{ territory.name }}</h1>{% endblock %}",
    );
    p.write("site/static/style.css", "body { color: red }");
    p.ok(&["build"]);
    assert!(p.read("build/current/www/territoires/leaz/index.html").contains("<h1>Ici : Léaz</h1>"));
    assert_eq!(p.read("build/current/www/style.css"), "body { color: red }");
    p.write("site/templates/territory.html", "{% if %}");
    let err = p.fails(&["build"]);
    insta::assert_snapshot!(err, @"error: template site/templates/territory.html:1: unexpected end of block");
}

/// The published WebVTT names the speakers and escapes the text, whatever the source did.
#[test]
fn published_transcript_is_normalized() {
    let p = built();
    assert_eq!(
        p.read("build/current/www/transcripts/enquete-de-besoins-a-leaz.vtt"),
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Camille Martin>Bonjour &amp; bienvenue à Léaz.\n\n00:00:01.000 --> 00:00:02.000\n<v Dominique Invité>On frappe aux portes.\n"
    );
}
