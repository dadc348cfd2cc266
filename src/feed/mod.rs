//! The podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces, written with
//! quick-xml (exact element order, self-closing empty tags, CDATA), and JSON chapters.
//!
//! The rules are Apple's (required and recommended tags, descriptions under 4000 bytes in
//! `<p> <ol> <ul> <li> <a>`), the W3C feed validator's (RFC 2822 dates in GMT with the right
//! weekday, whole-second durations) and the Podcasting 2.0 namespace's; enclosure URLs are ASCII
//! and content-addressed, with exact lengths. tests/integration/feed.rs checks each.

mod chapters;
mod xml;

use std::io;

pub(crate) use chapters::chapters_json;

use crate::catalog::{Catalog, Episode, EpisodeType, MAX_TITLE, Person};
use crate::markdown;
use crate::transcript::OutFormat;
use crate::util::text::{truncate_chars, truncate_text};
use crate::util::time::seconds;
use crate::util::urls::Urls;
use xml::Xml;

pub const NS_ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
pub const NS_PODCAST: &str = "https://podcastindex.org/namespace/1.0";
pub const NS_ATOM: &str = "http://www.w3.org/2005/Atom";
pub const NS_CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub const NS_DC: &str = "http://purl.org/dc/elements/1.1/";

/// Apple cuts descriptions longer than this many bytes.
pub(crate) const MAX_DESCRIPTION_BYTES: usize = 4000;

/// An episode as it is published: its facts and where its files are.
#[derive(Debug, Clone)]
pub(crate) struct Item<'a> {
    pub episode: &'a Episode,
    /// `<slug>.<hash8>.<ext>` under `/media/`.
    pub media_name: String,
    pub media_length: u64,
    /// The digest of our tag on the published copy (`None`: the source copied as it is).
    pub tag_digest: Option<String>,
    pub has_transcript: bool,
    pub has_chapters: bool,
    /// `images/` name of the episode's own image, if it has one.
    pub image_name: Option<String>,
    /// The light version, if it has one.
    pub light: Option<LightItem>,
}

/// An episode's light version, as published: a tagged copy like the main MP3.
#[derive(Debug, Clone)]
pub(crate) struct LightItem {
    /// `<slug>.<hash8>.light.mp3` under `/media/`.
    pub media_name: String,
    pub media_length: u64,
    /// The digest of its tag (the main MP3's).
    pub tag_digest: String,
    /// The tagged copy's Subresource Integrity hash, `sha256-…`.
    pub sri: String,
    /// Bits per second.
    pub bitrate: u64,
}

/// Everything the feed is made from.
pub(crate) struct FeedInput<'a> {
    pub catalog: &'a Catalog,
    pub urls: &'a Urls,
    /// Published items, newest first.
    pub items: &'a [Item<'a>],
    /// `images/` name of the show's cover.
    pub cover_name: &'a str,
    /// What makes this feed other than the show's complete one.
    pub head: &'a FeedHead,
}

/// What sets a feed apart from the show's complete `feed.xml`: a scope (a partner's, a method's
/// episodes) or a page of the paged main feed.
#[derive(Debug, Clone, Default)]
pub(crate) struct FeedHead {
    pub scope: Option<Scope>,
    /// This feed's address (`atom:link rel="self"`); `None`: the main feed's.
    pub self_url: Option<String>,
    /// RFC 5005 §3 paging, which gPodder and AntennaPod follow.
    pub paging: Option<Paging>,
}

/// A feed of part of the show: its own title, page, description and `podcast:guid`.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub title: String,
    pub link: String,
    pub description: String,
    pub guid: String,
}

/// The links of one page of a paged feed.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// An episode's own author (podcast apps show it, its audio file's tag too): its partners, else
/// the show's author.
pub(crate) fn item_author(catalog: &Catalog, ep: &Episode) -> String {
    let partners: Vec<&str> =
        ep.partners.iter().filter_map(|p| catalog.partners.get(p)).map(|p| p.name.as_str()).collect();
    if partners.is_empty() { catalog.channel.author.clone() } else { partners.join(", ") }
}

/// An episode's summary, plain text: its own, else the first paragraph of its notes.
pub(crate) fn item_summary(ep: &Episode) -> String {
    ep.summary.clone().unwrap_or_else(|| markdown::first_paragraph(&ep.notes))
}

/// RFC 2822 in GMT: `Wed, 12 Jun 2024 07:00:00 GMT` (feedvalidator rejects `UTC` and `CEST`).
pub fn rfc2822(t: jiff::Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Renders `feed.xml` from its items, each rendered by [`render_item_alone`] (now or in an
/// earlier run), in the order of `input.items`.
pub(crate) fn render_feed_from<B: AsRef<[u8]>>(input: &FeedInput<'_>, items: &[B]) -> Vec<u8> {
    write_feed(input, items).expect("XML written to memory cannot fail")
}

/// One `<item>`, as the feed holds it: with the line break and indentation before it.
pub(crate) fn render_item_alone(input: &FeedInput<'_>, item: &Item<'_>) -> Vec<u8> {
    let mut x = Xml::new();
    // At the depth of the feed's items.
    let item_xml = (|| {
        x.open("rss", &[])?;
        x.open("channel", &[])?;
        let start = x.len();
        render_item(&mut x, input, item)?;
        Ok::<_, io::Error>(x.since(start).to_vec())
    })();
    item_xml.expect("XML written to memory cannot fail")
}

fn write_feed<B: AsRef<[u8]>>(input: &FeedInput<'_>, items: &[B]) -> io::Result<Vec<u8>> {
    let ch = &input.catalog.channel;
    let urls = input.urls;
    let head = input.head;
    let scope = head.scope.as_ref();
    let title = scope.map_or(ch.title.as_str(), |s| s.title.as_str());
    let link = scope.map_or_else(|| urls.home(), |s| s.link.clone());
    let mut x = Xml::new();
    x.declaration()?;
    let rss_attrs = [
        ("version", "2.0"),
        ("xmlns:itunes", NS_ITUNES),
        ("xmlns:podcast", NS_PODCAST),
        ("xmlns:atom", NS_ATOM),
        ("xmlns:content", NS_CONTENT),
        ("xmlns:dc", NS_DC),
    ];
    x.open("rss", &rss_attrs)?;
    x.open("channel", &[])?;
    x.text("title", title)?;
    x.text("link", &link)?;
    let self_url = head.self_url.clone().unwrap_or_else(|| urls.feed());
    x.empty("atom:link", &[("href", &self_url), ("rel", "self"), ("type", "application/rss+xml")])?;
    if let Some(p) = &head.paging {
        let mut links = vec![("first", &p.first)];
        links.extend(p.previous.as_ref().map(|u| ("previous", u)));
        links.extend(p.next.as_ref().map(|u| ("next", u)));
        links.push(("last", &p.last));
        for (rel, href) in links {
            x.empty("atom:link", &[("href", href), ("rel", rel), ("type", "application/rss+xml")])?;
        }
    }
    let description = scope.map_or(ch.description.as_str(), |s| s.description.as_str());
    x.text("description", &truncate_text(description, MAX_DESCRIPTION_BYTES))?;
    x.text("language", &ch.language)?;
    x.text("copyright", &ch.copyright)?;
    x.text("generator", concat!("Veillée ", env!("CARGO_PKG_VERSION")))?;
    // The newest item's date, never the build time: identical sources give an identical feed.
    if let Some(newest) = input.items.iter().map(|i| i.episode.pub_date()).max() {
        x.text("lastBuildDate", &rfc2822(newest))?;
        x.text("pubDate", &rfc2822(newest))?;
    }
    let cover_url = urls.image(input.cover_name);
    x.open("image", &[])?;
    x.text("url", &cover_url)?;
    x.text("title", title)?;
    x.text("link", &link)?;
    x.close("image")?;
    x.text("itunes:author", &ch.author)?;
    x.open("itunes:owner", &[])?;
    x.text("itunes:name", &ch.owner.name)?;
    x.text("itunes:email", &ch.owner.email)?;
    x.close("itunes:owner")?;
    x.empty("itunes:image", &[("href", &cover_url)])?;
    match &ch.subcategory {
        Some(sub) => {
            x.open("itunes:category", &[("text", &ch.category)])?;
            x.empty("itunes:category", &[("text", sub)])?;
            x.close("itunes:category")?;
        }
        None => x.empty("itunes:category", &[("text", &ch.category)])?,
    }
    x.text("itunes:explicit", bool_text(ch.explicit))?;
    x.text("itunes:type", if ch.show_type == crate::catalog::ShowType::Serial { "serial" } else { "episodic" })?;
    // A scoped feed is a feed of its own: the show's move is said in the show's feed.
    if let (Some(moved), None) = (&ch.new_feed_url, scope) {
        x.text("itunes:new-feed-url", moved)?;
    }
    x.text("podcast:guid", scope.map_or(ch.podcast_guid.as_str(), |s| s.guid.as_str()))?;
    x.text_with("podcast:locked", &[("owner", &ch.locked_owner)], if ch.locked { "yes" } else { "no" })?;
    // The spec asks for the identifier of its license list in lower case.
    x.text_with("podcast:license", &[("url", &ch.license.url)], &ch.license.id.to_ascii_lowercase())?;
    for f in &ch.funding {
        x.text_with("podcast:funding", &[("url", &f.url)], &f.text)?;
    }
    for host in &ch.hosts {
        person(&mut x, host)?;
    }
    if let Some(loc) = &ch.location {
        let geo = geo_uri(loc.lat, loc.lon);
        let mut attrs = vec![("rel", "creator"), ("geo", geo.as_str())];
        if let Some(osm) = &loc.osm {
            attrs.push(("osm", osm));
        }
        if let Some(country) = &loc.country {
            attrs.push(("country", country));
        }
        x.text_with("podcast:location", &attrs, &loc.name)?;
    }
    x.text("podcast:medium", ch.medium.as_str())?;
    if let Some(uf) = &ch.update_frequency {
        let mut attrs = Vec::new();
        if uf.complete {
            attrs.push(("complete", "true"));
        }
        if let Some(dtstart) = &uf.dtstart {
            attrs.push(("dtstart", dtstart.as_str()));
        }
        if let Some(rrule) = &uf.rrule {
            attrs.push(("rrule", rrule.as_str()));
        }
        x.text_with("podcast:updateFrequency", &attrs, &uf.text)?;
    }
    if !ch.podroll.is_empty() {
        x.open("podcast:podroll", &[])?;
        for item in &ch.podroll {
            let mut attrs = vec![("feedGuid", item.feed_guid.as_str())];
            if let Some(url) = &item.feed_url {
                attrs.push(("feedUrl", url));
            }
            if let Some(title) = &item.title {
                attrs.push(("title", title));
            }
            x.empty("podcast:remoteItem", &attrs)?;
        }
        x.close("podcast:podroll")?;
    }
    for txt in &ch.txt {
        let attrs: Vec<(&str, &str)> = txt.purpose.iter().map(|p| ("purpose", p.as_str())).collect();
        x.text_with("podcast:txt", &attrs, &txt.value)?;
    }
    image(&mut x, &cover_url, title, &ch.cover)?;
    for item in input.items.iter().filter(|i| i.episode.episode_type == EpisodeType::Trailer) {
        let ep = item.episode;
        let (date, length) = (rfc2822(ep.pub_date()), item.media_length.to_string());
        let url = urls.media(&item.media_name);
        let season = ep.season.map(|s| s.to_string());
        let mut attrs =
            vec![("pubdate", date.as_str()), ("url", url.as_str()), ("length", &length), ("type", &ep.audio.mime)];
        if let Some(season) = &season {
            attrs.push(("season", season));
        }
        x.text_with("podcast:trailer", &attrs, &ep.title)?;
    }
    // Something is always written in the channel before its items (its title at least), so the
    // writer stands where it does after an item.
    for item in items {
        x.raw(item.as_ref());
    }
    x.close("channel")?;
    x.close("rss")?;
    Ok(x.finish())
}

/// A bit rate measured over the file (95,999 bit/s) as its encoder's nominal one (96,000).
pub(crate) fn nominal_bitrate(bits_per_second: u64) -> u64 {
    (bits_per_second + 500) / 1000 * 1000
}

/// The light version as a `podcast:alternateEnclosure` (its SRI hash as `podcast:integrity`),
/// after the main file's own (`default`, the enclosure's URL): an app that reads the tag offers
/// the choice.
fn alternate_enclosures(x: &mut Xml, urls: &Urls, item: &Item<'_>, light: &LightItem) -> io::Result<()> {
    let ep = item.episode;
    let (length, bitrate) = (item.media_length.to_string(), nominal_bitrate(ep.audio.bitrate).to_string());
    let mut attrs = vec![("type", ep.audio.mime.as_str()), ("length", &length)];
    if ep.audio.bitrate > 0 {
        attrs.push(("bitrate", &bitrate));
    }
    attrs.extend([("default", "true"), ("title", "Standard")]);
    x.open("podcast:alternateEnclosure", &attrs)?;
    x.empty("podcast:source", &[("uri", &urls.media(&item.media_name))])?;
    x.close("podcast:alternateEnclosure")?;
    let (length, bitrate) = (light.media_length.to_string(), light.bitrate.to_string());
    let attrs = [("type", "audio/mpeg"), ("length", &length), ("bitrate", &bitrate), ("title", "Version légère")];
    x.open("podcast:alternateEnclosure", &attrs)?;
    x.empty("podcast:source", &[("uri", &urls.media(&light.media_name))])?;
    x.empty("podcast:integrity", &[("type", "sri"), ("value", &light.sri)])?;
    x.close("podcast:alternateEnclosure")
}

fn render_item(x: &mut Xml, input: &FeedInput<'_>, item: &Item<'_>) -> io::Result<()> {
    let ep = item.episode;
    let ch = &input.catalog.channel;
    let urls = input.urls;
    let page = urls.episode(&ep.slug);
    x.open("item", &[])?;
    let title = truncate_chars(&ep.title, MAX_TITLE);
    x.text("title", &title)?;
    x.text("link", &page)?;
    x.text_with("guid", &[("isPermaLink", "false")], &ep.guid)?;
    x.text("pubDate", &rfc2822(ep.pub_date()))?;
    // The feed has no base address: relative links of the notes are made absolute.
    let (content, apple) = ep.rendered_notes().for_feed(&ep.notes, &page);
    x.cdata("description", &description(&apple, &ep.notes, &page))?;
    x.cdata("content:encoded", &content.concat())?;
    let length = item.media_length.to_string();
    x.empty("enclosure", &[("url", &urls.media(&item.media_name)), ("length", &length), ("type", &ep.audio.mime)])?;
    if let Some(light) = &item.light {
        alternate_enclosures(x, urls, item, light)?;
    }
    x.text("itunes:title", &title)?;
    let author = item_author(input.catalog, ep);
    x.text("itunes:author", &author)?;
    // General readers (newsboat, Thunderbird) show RSS's `author`, which must be an email
    // address, or Dublin Core's creator: never the iTunes tag.
    x.text("dc:creator", &author)?;
    let summary = item_summary(ep);
    if !summary.is_empty() {
        x.text("itunes:summary", &truncate_text(&summary, MAX_DESCRIPTION_BYTES))?;
    }
    // Whole seconds, rounded: feedvalidator refuses fractions.
    x.text("itunes:duration", &((ep.audio.duration_ms + 500) / 1000).to_string())?;
    x.text("itunes:episodeType", ep.episode_type.as_str())?;
    if let Some(season) = ep.season {
        x.text("itunes:season", &season.to_string())?;
    }
    if let Some(number) = ep.number {
        x.text("itunes:episode", &number.to_string())?;
    }
    x.text("itunes:explicit", bool_text(ep.explicit.unwrap_or(ch.explicit)))?;
    let image_url = urls.image(item.image_name.as_deref().unwrap_or(input.cover_name));
    x.empty("itunes:image", &[("href", &image_url)])?;
    if let Some(season) = ep.season {
        x.text("podcast:season", &season.to_string())?;
    }
    if let Some(number) = ep.number {
        x.text("podcast:episode", &number.to_string())?;
    }
    if item.has_transcript {
        for format in OutFormat::ALL {
            let url = urls.transcript(&ep.slug, format.extension());
            let mut attributes = vec![("url", url.as_str()), ("type", format.mime()), ("language", &ch.language)];
            if format.timed() {
                attributes.push(("rel", "captions"));
            }
            x.empty("podcast:transcript", &attributes)?;
        }
    }
    if item.has_chapters {
        x.empty("podcast:chapters", &[("url", &urls.chapters(&ep.slug)), ("type", "application/json+chapters")])?;
    }
    for sb in &ep.soundbites {
        let (start, duration) = (seconds(sb.start_ms), seconds(sb.duration_ms));
        x.text_with(
            "podcast:soundbite",
            &[("startTime", &start), ("duration", &duration)],
            sb.title.as_deref().unwrap_or(""),
        )?;
    }
    // Item persons replace the channel's: restate the hosts, then add the episode's people.
    let mut persons: Vec<&Person> = ch.hosts.iter().collect();
    for p in &ep.persons {
        if !persons.iter().any(|h| h.name == p.name && h.role.eq_ignore_ascii_case(&p.role)) {
            persons.push(p);
        }
    }
    for p in persons {
        person(x, p)?;
    }
    for slug in &ep.territories {
        if let Some(t) = input.catalog.territories.get(slug) {
            let geo = geo_uri(t.facts.lat, t.facts.lon);
            let mut attrs = vec![("rel", "subject"), ("geo", geo.as_str())];
            if let Some(osm) = &t.facts.osm {
                attrs.push(("osm", osm));
            }
            attrs.push(("country", &t.facts.country));
            x.text_with("podcast:location", &attrs, &t.facts.name)?;
        }
    }
    if let (Some((_, cover)), Some(name)) = (&ep.image, &item.image_name) {
        image(x, &urls.image(name), &ep.title, cover)?;
    }
    x.close("item")
}

fn person(x: &mut Xml, p: &Person) -> io::Result<()> {
    let role = p.role.to_ascii_lowercase();
    let group = p.group.to_ascii_lowercase();
    let mut attrs = vec![("role", role.as_str()), ("group", group.as_str())];
    if let Some(img) = &p.img {
        attrs.push(("img", img));
    }
    if let Some(href) = &p.href {
        attrs.push(("href", href));
    }
    x.text_with("podcast:person", &attrs, &p.name)
}

fn image(x: &mut Xml, url: &str, alt: &str, cover: &crate::catalog::Cover) -> io::Result<()> {
    let (w, h) = (cover.width.to_string(), cover.height.to_string());
    x.empty(
        "podcast:image",
        &[
            ("href", url),
            ("alt", alt),
            ("aspect-ratio", "1/1"),
            ("width", &w),
            ("height", &h),
            ("type", cover.format.mime()),
            ("purpose", "artwork"),
        ],
    )
}

/// `geo:46.0981,5.8867` (RFC 5870).
fn geo_uri(lat: f64, lon: f64) -> String {
    format!("geo:{lat},{lon}")
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The notes as HTML, cut between blocks so that the whole, with a link to the full page, stays
/// under Apple's limit. A first block that is too long alone is cut as text at a word.
pub fn description(blocks: &[String], notes: &str, page_url: &str) -> String {
    let full: usize = blocks.iter().map(String::len).sum();
    if full <= MAX_DESCRIPTION_BYTES {
        return blocks.concat();
    }
    let more =
        format!("<p><a href=\"{}\">Lire la suite et la transcription</a></p>", quick_xml::escape::escape(page_url));
    let budget = MAX_DESCRIPTION_BYTES - more.len();
    let mut out = String::new();
    for block in blocks {
        if out.len() + block.len() > budget {
            break;
        }
        out.push_str(block);
    }
    if out.is_empty() {
        let text = markdown::first_paragraph(notes);
        let escaped_budget = budget - "<p>…</p>".len();
        let mut cut = String::new();
        for word in text.split_inclusive(' ') {
            let escaped = quick_xml::escape::escape(word);
            if cut.len() + escaped.len() > escaped_budget {
                break;
            }
            cut.push_str(&escaped);
        }
        out = format!("<p>{}…</p>", cut.trim_end());
    }
    out + &more
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_have_the_right_weekday() {
        let t: jiff::Timestamp = "2019-06-15T19:00:00Z".parse().unwrap();
        assert_eq!(rfc2822(t), "Sat, 15 Jun 2019 19:00:00 GMT");
        let t: jiff::Timestamp = "2024-06-12T09:00:00+02:00".parse().unwrap();
        assert_eq!(rfc2822(t), "Wed, 12 Jun 2024 07:00:00 GMT");
    }

    #[test]
    fn long_descriptions_are_cut_between_paragraphs() {
        let para = "Un paragraphe assez long pour remplir la description. ".repeat(10);
        let notes = (0..20).map(|i| format!("{i} {para}")).collect::<Vec<_>>().join("\n\n");
        let d = description(&markdown::blocks(&notes), &notes, "https://ex.org/episodes/a/");
        assert!(d.len() <= MAX_DESCRIPTION_BYTES, "{}", d.len());
        assert!(d.ends_with("<a href=\"https://ex.org/episodes/a/\">Lire la suite et la transcription</a></p>"));
        assert_eq!(d.matches("<p>").count(), d.matches("</p>").count());
        let one = "mot ".repeat(2000);
        let d = description(&markdown::blocks(&one), &one, "https://ex.org/e/");
        assert!(d.len() <= MAX_DESCRIPTION_BYTES);
        assert!(d.starts_with("<p>mot mot"));
        let short = description(&markdown::blocks("Court."), "Court.", "https://ex.org/e/");
        assert_eq!(short, "<p>Court.</p>\n");
    }
}
