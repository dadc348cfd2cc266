//! The feed of the fixture show: a snapshot, then the rules that matter to directories and
//! clients, checked on the parsed document (podcast-standards.md §9, and the W3C feed validator's
//! rules ported from `itunes.py`, `validators.py` and `item.py`).

use std::collections::HashSet;

use roxmltree::{Document, Node};
use veillee::catalog::APPLE_CATEGORIES;
use veillee::feed::{NS_ATOM, NS_CONTENT, NS_DC, NS_ITUNES, NS_PODCAST};

use crate::util::Project;

fn built() -> (Project, String) {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let feed = p.read("build/current/www/feed.xml");
    (p, feed)
}

fn child<'a>(n: Node<'a, 'a>, ns: Option<&str>, name: &str) -> Option<Node<'a, 'a>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == ns)
}

fn children<'a>(n: Node<'a, 'a>, ns: Option<&'a str>, name: &'a str) -> impl Iterator<Item = Node<'a, 'a>> {
    n.children().filter(move |c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == ns)
}

fn text<'a>(n: Node<'a, 'a>, ns: Option<&str>, name: &str) -> &'a str {
    child(n, ns, name).and_then(|c| c.text()).unwrap_or_else(|| panic!("missing {name}"))
}

#[test]
fn snapshot() {
    let (_, feed) = built();
    insta::assert_snapshot!(feed);
}

#[test]
fn it_parses_with_the_rss_crate_and_keeps_our_values() {
    let (_, feed) = built();
    let channel = rss::Channel::read_from(feed.as_bytes()).unwrap();
    assert_eq!(channel.title(), "Veillées d'essai");
    assert_eq!(channel.items().len(), 3, "the episode dated 2999 is not out");
    let leaz = &channel.items()[1];
    assert_eq!(leaz.title(), Some("Frapper aux portes : l'enquête de besoins à Léaz & <ailleurs> \"]]>\""));
    assert!(leaz.description().unwrap().contains("Les caractères &amp; &lt; &gt; \" ]]&gt; restent du texte."));
    assert!(!leaz.content().unwrap().contains("<script"), "show notes are sanitized");
    let ext = &leaz.extensions()["podcast"];
    assert_eq!(ext["transcript"][0].attrs()["type"], "text/vtt");
    assert_eq!(ext["person"].len(), 2, "the host is restated next to the guest");
}

#[test]
fn apple_required_and_recommended_tags_are_present() {
    let (_, feed) = built();
    let doc = Document::parse(&feed).unwrap();
    let rss = doc.root_element();
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = child(rss, None, "channel").unwrap();
    for name in ["title", "description", "language", "link", "copyright"] {
        assert!(!text(channel, None, name).trim().is_empty(), "{name}");
    }
    assert!(child(channel, Some(NS_ITUNES), "image").unwrap().attribute("href").unwrap().starts_with("https://"));
    assert_eq!(text(channel, Some(NS_ITUNES), "explicit"), "false");
    assert!(!text(channel, Some(NS_ITUNES), "author").is_empty());
    let owner = child(channel, Some(NS_ITUNES), "owner").unwrap();
    assert!(text(owner, Some(NS_ITUNES), "email").contains('@'));
    let cat = child(channel, Some(NS_ITUNES), "category").unwrap();
    let top = cat.attribute("text").unwrap();
    let sub = child(cat, Some(NS_ITUNES), "category").unwrap().attribute("text").unwrap();
    let (_, subs) = APPLE_CATEGORIES.iter().find(|(c, _)| *c == top).expect("an Apple category");
    assert!(subs.contains(&sub));
    let this = child(channel, Some(NS_ATOM), "link").unwrap();
    assert_eq!(this.attribute("rel"), Some("self"));
    assert_eq!(this.attribute("href"), Some("https://veillee.example.org/feed.xml"));
    for item in children(channel, None, "item") {
        for name in ["title", "link", "guid", "pubDate", "description"] {
            assert!(child(item, None, name).is_some(), "item {name}");
        }
        assert!(child(item, None, "enclosure").is_some());
        assert!(child(item, Some(NS_CONTENT), "encoded").is_some());
        for name in ["duration", "explicit", "episodeType", "image", "title"] {
            assert!(child(item, Some(NS_ITUNES), name).is_some(), "item itunes:{name}");
        }
    }
}

/// Enclosure length = file size, type = the file's, duration = the probed duration, URLs ASCII.
#[test]
fn enclosures_match_the_published_files() {
    let (p, feed) = built();
    let doc = Document::parse(&feed).unwrap();
    let mut urls = HashSet::new();
    let sources: Vec<Vec<u8>> = std::fs::read_dir(p.file("episodes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| f.extension().is_some_and(|x| x != "md"))
        .map(|f| std::fs::read(f).unwrap())
        .collect();
    for item in doc.descendants().filter(|n| n.has_tag_name("item")) {
        let enc = child(item, None, "enclosure").unwrap();
        let url = enc.attribute("url").unwrap();
        assert!(url.is_ascii() && !url.contains(' '), "{url}");
        assert!(urls.insert(url.to_owned()), "enclosure URLs are unique");
        let rel = url.strip_prefix("https://veillee.example.org/").unwrap();
        let file = p.www().join(rel);
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(enc.attribute("length").unwrap(), bytes.len().to_string());
        let facts = veillee::media::probe_file(&file).unwrap();
        assert_eq!(enc.attribute("type"), Some(facts.mime.as_str()));
        // The name carries the hash of the source audio (the ledger's), and the published copy is
        // that source's audio: an MP3's frames byte for byte behind our tag, other formats whole.
        let source = sources.iter().find(|s| rel.contains(&format!(".{}.", &blake3::hash(s).to_hex()[..8])));
        let source = source.unwrap_or_else(|| panic!("{rel}: no source audio has the hash of its name"));
        if rel.ends_with(".mp3") {
            let (copy, src) =
                (veillee::media::tag::mp3_audio(&bytes).unwrap(), veillee::media::tag::mp3_audio(source).unwrap());
            assert_eq!(&bytes[copy], &source[src], "{rel}: the source's frames");
            use id3::TagLike as _;
            let tag = id3::Tag::read_from2(std::io::Cursor::new(&bytes)).unwrap();
            assert_eq!(tag.get("TLEN").and_then(|f| f.content().text()), Some(facts.duration_ms.to_string().as_str()));
            assert_eq!(tag.title(), Some(text(item, None, "title")), "{rel}: the tag has the item's title");
        } else if rel.ends_with(".m4a") {
            assert_eq!(packets(&bytes), packets(source), "{rel}: the source's AAC packets");
            let tag = mp4ameta::Tag::read_from(&mut std::io::Cursor::new(&bytes)).unwrap();
            assert_eq!(tag.title(), Some(text(item, None, "title")), "{rel}: the tag has the item's title");
        } else {
            assert_eq!(&bytes, source, "{rel}: copied as it is");
        }
        let duration: u64 = text(item, Some(NS_ITUNES), "duration").parse().unwrap();
        assert_eq!(duration, (facts.duration_ms + 500) / 1000);
    }
}

/// The audio packets of a file, as symphonia demuxes them.
fn packets(bytes: &[u8]) -> Vec<Vec<u8>> {
    use symphonia::core::formats::TrackType;
    let mss =
        symphonia::core::io::MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes.to_vec())), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(&Default::default(), mss, Default::default(), Default::default())
        .unwrap();
    let track = format.default_track(TrackType::Audio).unwrap().id;
    let mut out = Vec::new();
    while let Ok(Some(p)) = format.next_packet() {
        if p.track_id == track {
            out.push(p.data.to_vec());
        }
    }
    assert!(!out.is_empty());
    out
}

/// The W3C feed validator's rules that podcast directories enforce.
#[test]
fn w3c_feedvalidator_rules() {
    let (_, feed) = built();
    let doc = Document::parse(&feed).unwrap();
    let channel = child(doc.root_element(), None, "channel").unwrap();
    let mut dates: Vec<&str> = vec![text(channel, None, "lastBuildDate"), text(channel, None, "pubDate")];
    let mut guids = HashSet::new();
    for item in children(channel, None, "item") {
        dates.push(text(item, None, "pubDate"));
        // Duplicate GUIDs: gPodder drops such episodes, newsboat merges them across feeds.
        assert!(guids.insert(text(item, None, "guid")));
        assert!(text(item, None, "description").len() <= 4000);
        let duration = text(item, Some(NS_ITUNES), "duration");
        assert!(is_itunes_duration(duration), "{duration}");
        for name in ["season", "episode"] {
            if let Some(n) = child(item, Some(NS_ITUNES), name) {
                assert!(n.text().unwrap().parse::<u32>().unwrap() > 0);
            }
        }
        assert!(["true", "false"].contains(&text(item, Some(NS_ITUNES), "explicit")));
        assert!(["full", "trailer", "bonus"].contains(&text(item, Some(NS_ITUNES), "episodeType")));
        let enc = child(item, None, "enclosure").unwrap();
        let url = enc.attribute("url").unwrap();
        assert!(
            ["mp3", "m4a", "mov", "mp4", "m4v", "pdf", "epub"].iter().any(|e| url.ends_with(&format!(".{e}"))),
            "UnsupportedItunesFormat: {url}"
        );
        assert!(enc.attribute("length").unwrap().parse::<u64>().unwrap() > 0);
        let img = child(item, Some(NS_ITUNES), "image").unwrap().attribute("href").unwrap();
        assert!(img.ends_with(".jpg") || img.ends_with(".png"), "{img}");
    }
    for d in dates {
        check_rfc2822(d);
    }
    assert!(text(channel, None, "description").len() <= 4000);
    let lang = text(channel, None, "language");
    assert!(lang.len() == 2 || (lang.len() == 5 && &lang[2..3] == "-"));
}

/// `Wed, 12 Jun 2024 07:00:00 GMT`: the right weekday, GMT or a numeric offset.
fn check_rfc2822(date: &str) {
    let ts = jiff::fmt::rfc2822::parse(date).unwrap_or_else(|e| panic!("{date}: {e}"));
    assert!(date.ends_with(" GMT") || date.rsplit(' ').next().unwrap().starts_with(['+', '-']), "{date}");
    let weekday = ts.timestamp().strftime("%a").to_string();
    assert!(date.starts_with(&weekday), "IncorrectDOW: {date}");
}

/// feedvalidator: `\d+(:[0-5][0-9](:[0-5][0-9])?)?$`
fn is_itunes_duration(s: &str) -> bool {
    let mut parts = s.split(':');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest.len() <= 2
        && rest.iter().all(|p| p.len() == 2 && p.as_bytes()[0] <= b'5' && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Every `podcast:` tag carries the attributes its spec requires, with valid values.
#[test]
fn podcast_namespace_attributes() {
    let (_, feed) = built();
    let doc = Document::parse(&feed).unwrap();
    let required: &[(&str, &[&str])] = &[
        ("transcript", &["url", "type"]),
        ("chapters", &["url", "type"]),
        ("soundbite", &["startTime", "duration"]),
        ("funding", &["url"]),
        ("remoteItem", &["feedGuid"]),
        ("image", &["href"]),
        ("trailer", &["url", "pubdate"]),
        ("license", &[]),
        ("locked", &[]),
        ("person", &[]),
        ("location", &[]),
        ("guid", &[]),
        ("medium", &[]),
        ("season", &[]),
        ("episode", &[]),
        ("updateFrequency", &[]),
        ("podroll", &[]),
        ("txt", &[]),
    ];
    let mut seen = HashSet::new();
    for n in doc.descendants().filter(|n| n.is_element() && n.tag_name().namespace() == Some(NS_PODCAST)) {
        let name = n.tag_name().name();
        let (_, attrs) =
            required.iter().find(|(t, _)| *t == name).unwrap_or_else(|| panic!("unexpected podcast:{name}"));
        for a in *attrs {
            assert!(n.attribute(*a).is_some_and(|v| !v.is_empty()), "podcast:{name} needs {a}");
        }
        for url in ["url", "href", "feedUrl"].iter().filter_map(|a| n.attribute(*a)) {
            assert!(url.starts_with("https://"), "Podcasting 2.0 URLs are https: {url}");
        }
        seen.insert(name);
    }
    for name in required.iter().map(|(t, _)| *t) {
        assert!(seen.contains(name), "the fixture show exercises podcast:{name}");
    }
    let guid = doc.descendants().find(|n| n.has_tag_name((NS_PODCAST, "guid"))).unwrap();
    assert!(uuid::Uuid::parse_str(guid.text().unwrap()).is_ok());
    for loc in doc.descendants().filter(|n| n.has_tag_name((NS_PODCAST, "location"))) {
        let geo = loc.attribute("geo").unwrap();
        let (lat, lon) = geo.strip_prefix("geo:").unwrap().split_once(',').unwrap();
        assert!(lat.parse::<f64>().is_ok() && lon.parse::<f64>().is_ok(), "{geo}");
        assert_eq!(loc.attribute("country").map(str::len), Some(2));
    }
    for sb in doc.descendants().filter(|n| n.has_tag_name((NS_PODCAST, "soundbite"))) {
        assert!(sb.attribute("startTime").unwrap().parse::<f64>().is_ok());
        assert!(sb.attribute("duration").unwrap().parse::<f64>().unwrap() > 0.0);
    }
}

#[test]
fn chapters_json_links_methods() {
    let (p, _) = built();
    let json: serde_json::Value =
        serde_json::from_str(&p.read("build/current/www/chapters/enquete-de-besoins-a-leaz.chapters.json")).unwrap();
    assert_eq!(json["version"], "1.2.0");
    let chapters = json["chapters"].as_array().unwrap();
    assert_eq!(chapters.len(), 2);
    assert_eq!(chapters[0]["startTime"], 0.0);
    assert_eq!(chapters[1]["startTime"], 1.0);
    assert_eq!(chapters[1]["url"], "https://veillee.example.org/methodes/recensement-des-problemes/");
    insta::assert_snapshot!(p.read("build/current/www/chapters/cartographie-sensible-a-jazeneuil.chapters.json"));
}

/// `--base-url` changes the feed's links but never the bytes the ledger will hash (chapters).
#[test]
fn base_url_override() {
    let p = Project::fixture("show");
    p.ok(&["build", "--base-url", "http://127.0.0.1:9999"]);
    let feed = p.read("build/current/www/feed.xml");
    assert!(feed.contains("<atom:link href=\"http://127.0.0.1:9999/feed.xml\""));
    assert!(feed.contains("url=\"http://127.0.0.1:9999/media/"));
    let doc = Document::parse(&feed).unwrap();
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let own = match n.tag_name().name() {
            "link" => n.text().or(n.attribute("href")),
            "enclosure" | "transcript" | "chapters" => n.attribute("url"),
            "image" => n.attribute("href").or(n.text()),
            "url" => n.text(),
            _ => None,
        };
        if let Some(url) = own.filter(|u| u.starts_with("http")) {
            assert!(url.starts_with("http://127.0.0.1:9999/"), "{url} follows the override");
        }
    }
    let chapters = p.read("build/current/www/chapters/enquete-de-besoins-a-leaz.chapters.json");
    assert!(chapters.contains("https://veillee.example.org/methodes/"));
    let bad = p.fails(&["build", "--base-url", "ftp://x"]);
    insta::assert_snapshot!(bad);
    // Pages link each other from the root: a site in a folder of its host would lose them.
    insta::assert_snapshot!(p.fails(&["build", "--base-url", "https://staging.example.org/veillee/"]), @"error: invalid --base-url `https://staging.example.org/veillee/`: give the http:// or https:// address of a host's root (no path)");
    p.edit("feed/channel.toml", "https://veillee.example.org", "https://example.org/veillee");
    insta::assert_snapshot!(p.fails(&["check"]), @"
    feed/channel.toml:5: invalid base_url `https://example.org/veillee`: an https:// address of the show's website, the root of its host (no path: the pages link each other from the root)
    1 error, 0 warnings
    ");
}

/// Titles and notes full of `& < > " ]]>` and control characters give a well-formed feed.
#[test]
fn hostile_text_keeps_the_feed_well_formed() {
    let p = Project::fixture("show");
    p.edit(
        "episodes/cartographie-sensible-a-jazeneuil.md",
        "title = \"Dessiner le territoire vécu à Jazeneuil\"",
        "title = \"A \\u0001 & <b>gras</b> ]]> \\\" fin\\u0007\"",
    );
    p.edit(
        "episodes/cartographie-sensible-a-jazeneuil.md",
        "Démonstration :",
        "]]> <![CDATA[ \u{1} & <i>x</i> Démonstration :",
    );
    p.ok(&["build"]);
    let feed = p.read("build/current/www/feed.xml");
    let doc = Document::parse(&feed).expect("well-formed");
    let item = doc.descendants().find(|n| n.has_tag_name("item")).unwrap();
    assert_eq!(text(item, None, "title"), "A  & <b>gras</b> ]]> \" fin");
    assert!(text(item, Some(NS_CONTENT), "encoded").contains("]]&gt; &lt;![CDATA[  &amp; <i>x</i>"));
}

/// `veillee feed` prints exactly the feed `build` writes, and builds nothing.
#[test]
fn feed_command_prints_the_built_feed() {
    let p = Project::fixture("show");
    let printed = p.ok(&["feed"]);
    assert!(!p.file("build/current").exists());
    p.ok(&["build"]);
    assert_eq!(printed, p.read("build/current/www/feed.xml"));
}

/// The tags of an HTML fragment, in order.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter(|t| !t.starts_with('/') && !t.starts_with('!'))
        .map(|t| t.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap().to_ascii_lowercase())
        .collect()
}

/// Apple allows `<p> <ol> <ul> <li> <a>` in a `<description>`: headings become paragraphs,
/// emphasis goes; `content:encoded` keeps the whole sanitized HTML.
#[test]
fn descriptions_keep_to_the_html_apple_allows() {
    let (_, feed) = built();
    let doc = Document::parse(&feed).unwrap();
    let channel = child(doc.root_element(), None, "channel").unwrap();
    for item in children(channel, None, "item") {
        let description = text(item, None, "description");
        let used: HashSet<String> = tags(description).into_iter().collect();
        let allowed: HashSet<String> = ["p", "ol", "ul", "li", "a"].map(String::from).into();
        assert!(used.is_subset(&allowed), "{used:?} in {description}");
    }
    let leaz = children(channel, None, "item").nth(1).unwrap();
    let description = text(leaz, None, "description");
    assert!(description.contains("<p>Ce qu'on y entend</p>"), "the heading is a paragraph: {description}");
    assert!(description.contains("<li>les quatre questions du porte-à-porte ;</li>"), "{description}");
    let content = text(leaz, Some(NS_CONTENT), "encoded");
    assert!(content.contains("<h2>Ce qu'on y entend</h2>") && content.contains("<strong>quatre questions</strong>"));
}

/// The feed has no base URL: a relative link or image of the notes is made absolute against the
/// episode's page, in `description` and in `content:encoded`. The page keeps it as written.
#[test]
fn relative_urls_in_notes_are_absolute_in_the_feed() {
    let p = Project::fixture("show");
    p.edit(
        "episodes/enquete-de-besoins-a-leaz.md",
        "<script>",
        "Voir [la fiche](../../methodes/recensement-des-problemes/) et <img src=\"carte.png\" alt=\"la carte\">, [plus haut](#t=1).\n\n<script>",
    );
    p.ok(&["build"]);
    let feed = p.read("build/current/www/feed.xml");
    let doc = Document::parse(&feed).unwrap();
    let channel = child(doc.root_element(), None, "channel").unwrap();
    let leaz = children(channel, None, "item").nth(1).unwrap();
    let page = "https://veillee.example.org/episodes/enquete-de-besoins-a-leaz/";
    for html in [text(leaz, None, "description"), text(leaz, Some(NS_CONTENT), "encoded")] {
        assert!(html.contains("href=\"https://veillee.example.org/methodes/recensement-des-problemes/\""), "{html}");
        assert!(html.contains(&format!("href=\"{page}#t=1\"")), "{html}");
        assert!(!html.contains("href=\"../") && !html.contains("src=\"carte"), "{html}");
    }
    assert!(text(leaz, Some(NS_CONTENT), "encoded").contains(&format!("src=\"{page}carte.png\"")));
    let html = p.read("build/current/www/episodes/enquete-de-besoins-a-leaz/index.html");
    assert!(html.contains("<img src=\"carte.png\""), "the page keeps its relative image");
}

/// Every item names its author, for podcast apps (`itunes:author`) and for general readers
/// (`dc:creator`): its partners, else the show's author.
#[test]
fn every_item_has_an_author() {
    let (_, feed) = built();
    let doc = Document::parse(&feed).unwrap();
    let channel = child(doc.root_element(), None, "channel").unwrap();
    for ns in [NS_ITUNES, NS_DC] {
        let name = if ns == NS_DC { "creator" } else { "author" };
        let authors: Vec<&str> = children(channel, None, "item").map(|item| text(item, Some(ns), name)).collect();
        assert_eq!(authors, ["La Traverse", "Solucracy", "Collectif Dynamiques collectives"], "{ns}");
    }
}

/// A title over 255 characters is cut at a word in `<title>` and `<itunes:title>` (the page
/// keeps it whole); `check` warns.
#[test]
fn long_titles_are_cut_in_the_feed() {
    let p = Project::fixture("show");
    let long = "Un titre ".repeat(40);
    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "title = \"", &format!("title = \"{long}"));
    p.ok(&["build"]);
    let feed = p.read("build/current/www/feed.xml");
    let doc = Document::parse(&feed).unwrap();
    let channel = child(doc.root_element(), None, "channel").unwrap();
    for item in children(channel, None, "item") {
        for title in [text(item, None, "title"), text(item, Some(NS_ITUNES), "title")] {
            assert!(title.chars().count() <= 255, "{} characters: {title}", title.chars().count());
        }
    }
    assert!(feed.contains("Un titre Un titre"), "the start of the title is there");
}

/// Each partner and method has its own feed: its episodes only, its page as link, the
/// `feed_guid` of its page as `podcast:guid`; items byte for byte those of the main feed.
#[test]
fn partners_and_methods_have_feeds_of_their_own() {
    let (p, feed) = built();
    let solucracy = p.read("build/current/www/partenaires/solucracy/feed.xml");
    insta::assert_snapshot!(solucracy);
    let main = rss::Channel::read_from(feed.as_bytes()).unwrap();
    for (path, guid, title) in [
        ("partenaires/solucracy", "8b2c6e4d-1a9f-4c3b-8e7d-5f0a2b1c9d03", "Veillées d'essai — Solucracy"),
        ("partenaires/la-traverse", "2e7f9a1b-6c4d-4b8e-a3f5-9d1c0e2b8a04", "Veillées d'essai — La Traverse"),
        (
            "methodes/cartographie-sensible",
            "6f4a2d19-8c3b-4f0e-b5a7-1e9d3c2b7a02",
            "Veillées d'essai — Cartographie sensible",
        ),
        (
            "methodes/recensement-des-problemes",
            "3c1e8f0a-2b7d-4e55-9a61-7d2f0c9b8e01",
            "Veillées d'essai — Recensement des problèmes",
        ),
    ] {
        let text = p.read(&format!("build/current/www/{path}/feed.xml"));
        let scoped = rss::Channel::read_from(text.as_bytes()).unwrap();
        assert_eq!(scoped.title(), title);
        assert_eq!(scoped.link(), format!("https://veillee.example.org/{path}/"));
        assert_eq!(scoped.extensions()["podcast"]["guid"][0].value(), Some(guid), "{path}");
        assert!(scoped.itunes_ext().is_some() && !scoped.items().is_empty(), "{path}");
        for item in scoped.items() {
            let same = main.items().iter().find(|i| i.guid() == item.guid()).expect("an item of the main feed");
            assert_eq!(same, item, "{path}: the item as the main feed has it");
        }
        // The page says where the feed is.
        let page = p.read(&format!("build/current/www/{path}/index.html"));
        assert!(page.contains(&format!("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"{}\" href=\"https://veillee.example.org/{path}/feed.xml\">", title.replace('\'', "&#39;"))), "{path}");
    }
    // An episode's new partner: its feed is rendered again, the others are not.
    p.edit(
        "episodes/cartographie-sensible-a-jazeneuil.md",
        "partners = [\"la-traverse\"]",
        "partners = [\"la-traverse\", \"solucracy\"]",
    );
    let report = p.ok(&["build", "--verbose"]);
    assert!(report.contains("re-written   partenaires/solucracy/feed.xml"), "{report}");
    assert!(!report.contains("methodes/recensement-des-problemes/feed.xml"), "{report}");
    assert_eq!(
        rss::Channel::read_from(p.read("build/current/www/partenaires/solucracy/feed.xml").as_bytes())
            .unwrap()
            .items()
            .len(),
        2
    );
}

/// Above channel.toml's `feed_page_size`, the main feed is paged (RFC 5005 §3): every item on
/// exactly one page, newest first, the pages linked first/previous/next/last; without it, one
/// complete feed; `new_feed_url` in the main feed only.
#[test]
fn a_long_feed_is_paged_when_asked() {
    let p = Project::fixture("show");
    let draft = p.read("episodes/brouillon.md");
    for n in 10..22 {
        let text = draft
            .replace("Un brouillon", &format!("Archive {n}"))
            .replace("1c2d3e4f5a6b", &format!("0000000000{n}"))
            .replace("2024-07-01T10:00:00", &format!("2023-01-{n}T10:00:00"));
        p.write(&format!("episodes/archive-{n}.md"), text);
        std::fs::copy(p.file("episodes/brouillon.mp3"), p.file(&format!("episodes/archive-{n}.mp3"))).unwrap();
    }
    p.ok(&["publish", "--all", "--keep-dates"]);
    let complete = rss::Channel::read_from(p.read("build/current/www/feed.xml").as_bytes()).unwrap();
    assert_eq!(complete.items().len(), 16, "complete by default");
    assert!(!p.file("build/current/www/feed/2.xml").exists());

    p.edit(
        "feed/channel.toml",
        "[loudness]",
        "feed_page_size = 10\nnew_feed_url = \"https://ailleurs.example.org/feed.xml\"\n\n[loudness]",
    );
    p.ok(&["build"]);
    let first = p.read("build/current/www/feed.xml");
    let second = p.read("build/current/www/feed/2.xml");
    assert!(!p.file("build/current/www/feed/3.xml").exists());
    let links = |xml: &str| -> Vec<(String, String)> {
        let doc = Document::parse(xml).unwrap();
        let channel = child(doc.root_element(), None, "channel").unwrap();
        children(channel, Some(NS_ATOM), "link")
            .map(|l| (l.attribute("rel").unwrap().to_owned(), l.attribute("href").unwrap().to_owned()))
            .collect()
    };
    let u = |s: &str| format!("https://veillee.example.org/{s}");
    assert_eq!(
        links(&first),
        [
            ("self".into(), u("feed.xml")),
            ("first".into(), u("feed.xml")),
            ("next".into(), u("feed/2.xml")),
            ("last".into(), u("feed/2.xml"))
        ]
    );
    assert_eq!(
        links(&second),
        [
            ("self".into(), u("feed/2.xml")),
            ("first".into(), u("feed.xml")),
            ("previous".into(), u("feed.xml")),
            ("last".into(), u("feed/2.xml"))
        ]
    );
    let pages: Vec<rss::Channel> =
        [&first, &second].iter().map(|x| rss::Channel::read_from(x.as_bytes()).unwrap()).collect();
    assert_eq!((pages[0].items().len(), pages[1].items().len()), (10, 6));
    let paged: Vec<&rss::Item> = pages.iter().flat_map(rss::Channel::items).collect();
    assert_eq!(paged.len(), complete.items().len());
    for (a, b) in paged.iter().zip(complete.items()) {
        assert_eq!(*a, b, "the same items in the same order");
    }
    assert!(first.contains("<itunes:new-feed-url>https://ailleurs.example.org/feed.xml</itunes:new-feed-url>"));
    assert!(!p.read("build/current/www/partenaires/solucracy/feed.xml").contains("new-feed-url"));
    assert_eq!(p.ok(&["feed"]), first, "`veillee feed` prints the first page");

    // Checked: too small a page, a move to a plain http address.
    p.edit("feed/channel.toml", "feed_page_size = 10", "feed_page_size = 3");
    p.edit("feed/channel.toml", "https://ailleurs", "http://ailleurs");
    let err = p.fails(&["check"]);
    assert!(err.contains("feed_page_size") && err.contains("new_feed_url"), "{err}");
}
