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
    assert!(html.contains("<span class=\"orateur\">Dominique Invité</span>"), "transcript labels map to names");
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
    assert!(leaz.contains("commune · code officiel 01209 · 01200 · 796 habitants (2020)"), "{leaz}");
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

/// Every page of www: the chrome, French, no inline script or style (the server's CSP forbids
/// them), the theme's files published.
#[test]
fn every_page_has_the_chrome_and_no_inline_script_or_style() {
    let p = built();
    let pages: Vec<_> = crate::util::tree(&p.www())
        .into_keys()
        .filter(|k| k.ends_with(".html") && !k.starts_with("transcripts/") && k != "episodes/index.html")
        .collect();
    assert!(pages.len() >= 14, "{pages:?}");
    for page in &pages {
        let html = std::fs::read_to_string(p.www().join(page)).unwrap();
        assert!(html.contains("<html lang=\"fr\">"), "{page}");
        assert!(html.contains("<nav aria-label=\"Navigation principale\">"), "{page}: no header");
        assert!(html.contains("rel=\"license\""), "{page}: no footer");
        assert!(html.contains("<script src=\"/veillee.js\" defer></script>"), "{page}");
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(tag.contains(" src=") || tag.contains("application/ld+json"), "{page}: inline script {tag}");
        }
        assert!(!html.contains("<style") && !html.contains(" style=\""), "{page}: inline style");
    }
    assert!(p.read("build/current/www/veillee.js").contains("replaceState"));
    assert!(p.read("build/current/www/style.css").contains("prefers-color-scheme: dark"));
}

#[test]
fn pages_follow_french_typography() {
    let p = built();
    let html = p.read("build/current/www/episodes/enquete-de-besoins-a-leaz/index.html");
    // The title as written, "Frapper aux portes : …", gets its no-break space before the colon.
    assert!(html.contains("<h1>Frapper aux portes\u{a0}: l&#39;enquête"), "{html}");
    assert!(!html.contains("2024-06-12<"), "dates are written in French");
    let method = p.read("build/current/www/methodes/recensement-des-problemes/index.html");
    assert!(!method.contains(" ;") && !method.contains(" :"), "{method}");
}

#[test]
fn episode_page_describes_itself_to_other_sites() {
    let p = built();
    let html = p.read("build/current/www/episodes/enquete-de-besoins-a-leaz/index.html");
    assert!(html.contains(
        "<meta property=\"og:audio\" content=\"https://veillee.example.org/media/enquete-de-besoins-a-leaz."
    ));
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let json: serde_json::Value =
        serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap();
    assert_eq!(json["@type"], "PodcastEpisode");
    assert_eq!(json["url"], "https://veillee.example.org/episodes/enquete-de-besoins-a-leaz/");
    assert_eq!(json["partOfSeries"]["name"], "Veillées d'essai");
    let length = std::fs::metadata(p.www().join(
        json["associatedMedia"]["contentUrl"].as_str().unwrap().strip_prefix("https://veillee.example.org/").unwrap(),
    ))
    .unwrap()
    .len();
    assert_eq!(json["associatedMedia"]["contentSize"], length.to_string(), "the size of the published copy");
    // The player: seek buttons, speed, share, and every passage reachable at `#t=`.
    for needle in
        ["data-saut=\"-15\"", "data-saut=\"15\"", "id=\"vitesse\"", "id=\"partager\"", "id=\"t=1\" data-t=\"1\""]
    {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(html.contains("<span class=\"orateur\">Dominique Invité</span>"), "speaker names styled");
    // The subscribe block: the feed's address to copy, and each app's own link.
    assert!(html.contains("value=\"https://veillee.example.org/feed.xml\""));
    assert!(html.contains("href=\"pktc://subscribe/veillee.example.org/feed.xml\""));
    assert!(html.contains("href=\"overcast://x-callback-url/add?url=https%3A%2F%2Fveillee.example.org%2Ffeed.xml\""));
}

#[test]
fn lists_archives_sitemap_and_404() {
    let p = Project::fixture("show");
    p.edit("feed/channel.toml", "directories = [", "archive_page_size = 1\ndirectories = [");
    p.ok(&["build"]);
    let first = p.read("build/current/www/archives/index.html");
    assert!(first.contains("href=\"/archives/page/2/\" rel=\"next\""), "{first}");
    let second = p.read("build/current/www/archives/page/2/index.html");
    assert!(second.contains("rel=\"prev\""));
    assert!(p.www().join("archives/page/3/index.html").is_file());
    assert!(!p.www().join("archives/page/4").exists(), "three episodes, one per page");
    let years: Vec<_> = std::fs::read_dir(p.www().join("archives"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(years.iter().any(|y| y.len() == 4 && y.starts_with("20")), "{years:?}");
    let redirects: serde_json::Value = serde_json::from_str(&p.read("build/current/www/_redirects.json")).unwrap();
    assert_eq!(redirects["/episodes/"], "/archives/");
    let methods = p.read("build/current/www/methodes/index.html");
    assert!(
        methods.contains("href=\"/methodes/cartographie-sensible/\"") && methods.contains("1 épisode"),
        "{methods}"
    );
    let partners = p.read("build/current/www/partenaires/index.html");
    assert!(partners.contains("Recensement des problèmes"), "a partner's methods: {partners}");
    assert!(p.read("build/current/www/territoires/index.html").contains("href=\"/territoires/leaz/\""));
    let sitemap = p.read("build/current/www/sitemap.xml");
    assert!(sitemap.contains("<url><loc>https://veillee.example.org/episodes/enquete-de-besoins-a-leaz/</loc><lastmod>2024-06-12</lastmod></url>"), "{sitemap}");
    assert!(!sitemap.contains("brouillon"), "drafts are not listed");
    assert_eq!(
        p.read("build/current/www/robots.txt"),
        "User-agent: *\nDisallow: /recherche/\nDisallow: /api/\n\nSitemap: https://veillee.example.org/sitemap.xml\n"
    );
    assert!(p.read("build/current/www/404.html").contains("<h1>Page introuvable</h1>"));
    assert!(
        p.read("build/current/www/recherche/index.html").contains("<form class=\"recherche\" action=\"/recherche/\"")
    );
}

#[test]
fn method_sheet_shows_its_facts_and_check_refuses_bad_ones() {
    let p = Project::fixture("show");
    p.edit(
        "site/methods/cartographie-sensible.md",
        "+++\n",
        "+++\ngoal = \"Faire apparaître le territoire vécu.\"\nparticipants = { min = 6, max = 30 }\nsteps = [\"poser un fond de carte\", \"l'annoter en petits groupes\"]\n",
    );
    p.ok(&["build"]);
    let sheet = p.read("build/current/www/methodes/cartographie-sensible/index.html");
    assert!(sheet.contains("<dt>Participants</dt><dd>de 6 à 30 personnes</dd>"), "{sheet}");
    assert!(
        sheet.contains(
            "<ol class=\"etapes\"><li>poser un fond de carte</li><li>l&#39;annoter en petits groupes</li></ol>"
        )
    );
    p.edit("site/methods/cartographie-sensible.md", "max = 30", "max = 3");
    p.edit("site/methods/cartographie-sensible.md", "goal = \"Faire apparaître le territoire vécu.\"", "goal = \"\"");
    let err = p.fails(&["check"]);
    insta::assert_snapshot!(err);
}

/// A link of the notes or a page to the site itself must lead somewhere; other sites' are not
/// judged.
#[test]
fn check_refuses_internal_links_that_lead_nowhere() {
    let p = Project::fixture("show");
    p.edit(
        "episodes/enquete-de-besoins-a-leaz.md",
        "<script>",
        "Voir [la fiche](/methodes/recensement-des-problemes/), [la carte](../../methodes/cartographie-sensible/), \
         [le flux](https://veillee.example.org/feed.xml), [ailleurs](https://example.org/nulle-part/), \
         [plus haut](#t=1) et [la fiche mal écrite](/methodes/recensement-des-probleme/).\n\n<script>",
    );
    p.edit("site/partners/solucracy.md", "Solucracy recense", "Nos [épisodes](/archive/). Solucracy recense");
    let err = p.fails(&["check"]);
    insta::assert_snapshot!(err);
}

/// A passage that names a method (or a synonym) in an episode not linked to it: on the method's
/// page, in the build report and in `check`, until staff link them.
#[test]
fn method_pages_suggest_passages_of_episodes_not_linked_to_them() {
    let p = Project::fixture("show");
    p.edit(
        "transcripts/enquete-de-besoins-a-leaz.vtt",
        "On frappe aux portes.",
        "On frappe aux portes avec une carte mentale du village.",
    );
    let report = p.ok(&["build"]);
    assert!(
        report.contains("suggestion   `carte mentale` is said at 00:01 in episodes/enquete-de-besoins-a-leaz/, not linked to methodes/cartographie-sensible/"),
        "{report}"
    );
    let sheet = p.read("build/current/www/methodes/cartographie-sensible/index.html");
    assert!(sheet.contains("<h2 id=\"aussi\">Passages qui en parlent aussi</h2>"), "{sheet}");
    assert!(sheet.contains("href=\"/episodes/enquete-de-besoins-a-leaz/#t=1\""), "{sheet}");
    assert!(sheet.contains("<mark>carte</mark> <mark>mentale</mark>"), "{sheet}");
    assert!(!p.read("build/current/www/methodes/recensement-des-problemes/index.html").contains("id=\"aussi\""));
    let check = p.ok(&["check"]);
    assert!(
        check.contains("suggestion: `carte mentale` is said at 00:01 in episodes/enquete-de-besoins-a-leaz/"),
        "{check}"
    );
    // Linked by staff: no longer suggested, and the page lists the episode instead.
    p.edit(
        "episodes/enquete-de-besoins-a-leaz.md",
        "methods = [\"recensement-des-problemes\"]",
        "methods = [\"recensement-des-problemes\", \"cartographie-sensible\"]",
    );
    let report = p.ok(&["build"]);
    assert!(!report.contains("suggestion"), "{report}");
    let sheet = p.read("build/current/www/methodes/cartographie-sensible/index.html");
    assert!(
        !sheet.contains("id=\"aussi\"") && sheet.contains("href=\"/episodes/enquete-de-besoins-a-leaz/\""),
        "{sheet}"
    );
    assert!(!p.ok(&["check"]).contains("suggestion"));
}

/// Hostile notes: scripts, event attributes and `javascript:` links are gone from the page, and a
/// footnote still leads to its note (ammonia keeps the ids of pulldown-cmark's footnotes).
#[test]
fn hostile_notes_are_sanitized_and_footnotes_still_work() {
    let p = Project::fixture("show");
    p.edit(
        "episodes/enquete-de-besoins-a-leaz.md",
        "<script>",
        "Un <a href=\"javascript:alert(1)\">lien piégé</a>, [un autre](javascript:alert(2)), \
         <img src=\"x.png\" onerror=\"alert(3)\" alt=\"x\"> et une note[^1].\n\n[^1]: La note de bas de page.\n\n<script>",
    );
    p.ok(&["build"]);
    let html = p.read("build/current/www/episodes/enquete-de-besoins-a-leaz/index.html");
    let notes = &html[html.find("<section class=\"notes\"").unwrap()..];
    let notes = &notes[..notes.find("</section>").unwrap()];
    for bad in ["javascript:", "onerror", "<script", "alert("] {
        assert!(!notes.contains(bad), "{bad} in {notes}");
    }
    let href = notes.split("<sup><a href=\"").nth(1).unwrap().split('"').next().unwrap();
    let id = href.strip_prefix('#').unwrap();
    assert!(notes.contains(&format!("<div id=\"{id}\">")), "the footnote's target exists: {notes}");
    assert!(notes.contains("La note de bas de page."));
    // The page's own ids stay the page's: the notes' are prefixed.
    assert_eq!(html.matches("id=\"lecteur\"").count(), 1);
}
