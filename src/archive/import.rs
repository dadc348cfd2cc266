//! Importing an existing podcast: its feed read with the `rss` crate, each item planned (GUID kept
//! verbatim, or the enclosure URL when it has none; the title as plain text; the date however the
//! old host wrote it), and the files fetched over HTTP — resumed where a dropped connection left
//! them (`Range`), retried, checked against the length the server and the feed announce.
//!
//! What becomes of the plan (the sources written, the ledger entries) is `Project::import`'s.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::util::IoError;

/// How many times a download is tried before it is given up.
const ATTEMPTS: u32 = 4;

/// Why a feed cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("{source_name}: {why}")]
    Fetch { source_name: String, why: String },
    #[error("{source_name}: not an RSS feed: {why}")]
    NotAFeed { source_name: String, why: String },
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("the import was recorded, but its publication failed: {0}")]
    Publish(#[from] crate::archive::PublishError),
}

/// One item of the feed, as it will be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// Its place in the feed (1 = first).
    pub number: usize,
    pub guid: String,
    pub title: String,
    pub date: jiff::Timestamp,
    /// The date as the feed wrote it.
    pub date_text: String,
    /// The notes, HTML as the feed had them (sanitized when rendered).
    pub notes: String,
    pub enclosure: String,
    /// The length the feed announces (0: unknown).
    pub length: u64,
    pub mime: String,
    pub episode_type: Option<String>,
    pub season: Option<u32>,
    pub episode: Option<u32>,
    pub explicit: Option<bool>,
    /// `podcast:transcript`: the best one (WebVTT, SRT, then JSON) and its type.
    pub transcript: Option<(String, String)>,
    /// `podcast:chapters` (JSON).
    pub chapters: Option<String>,
    /// What was made up for it, and why (a missing title or date).
    pub made_up: Vec<String>,
}

/// An item that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub number: usize,
    /// Its title, or its GUID when it has no title.
    pub name: String,
    pub why: String,
}

/// What the feed holds.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub title: String,
    /// The old feed's `podcast:guid`.
    pub podcast_guid: Option<String>,
    pub items: Vec<Planned>,
    pub refused: Vec<Refused>,
    /// The next page of a paged feed (RFC 5005 `rel="next"`).
    pub next: Option<String>,
}

/// Plans the items of a feed (`bytes`, read from `source_name`) at `now`, in the feed's order. Items
/// after `first` in the show's order (a paged feed's later pages) are numbered from there.
pub fn plan(bytes: &[u8], source_name: &str, first: usize, now: jiff::Timestamp) -> Result<Plan, FeedError> {
    let channel = rss::Channel::read_from(bytes).map_err(|e| {
        let atom = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).contains("http://www.w3.org/2005/Atom\"");
        let why = if atom { format!("{e} (an Atom feed: Veillée imports RSS podcast feeds)") } else { e.to_string() };
        FeedError::NotAFeed { source_name: source_name.to_owned(), why }
    })?;
    let mut plan = Plan {
        title: plain_text(channel.title()),
        podcast_guid: ext_value(channel.extensions(), "podcast", "guid"),
        next: next_page(channel.extensions()).map(|n| absolute(source_name, &n)),
        ..Plan::default()
    };
    let mut seen = std::collections::HashMap::new();
    for (i, item) in channel.items().iter().enumerate() {
        let number = first + i;
        let mut made_up = Vec::new();
        let mut title = plain_text(item.title().unwrap_or_default());
        let guid = item.guid().map(|g| g.value().trim().to_owned()).filter(|g| !g.is_empty());
        let name =
            if title.is_empty() { guid.clone().unwrap_or_else(|| format!("item {number}")) } else { title.clone() };
        let mut refuse = |why: String| plan.refused.push(Refused { number, name: name.clone(), why });
        // The enclosure, or Media RSS's audio (`media:content`), which some hosts write instead.
        let media = || {
            let contents = item.extensions().values().filter_map(|m| m.get("content")).flatten();
            let audio = |c: &&rss::extension::Extension| c.attrs().get("type").is_some_and(|t| t.starts_with("audio/"));
            contents.filter(audio).find_map(|c| {
                let a = c.attrs();
                Some((a.get("url")?.clone(), a.get("fileSize").cloned().unwrap_or_default(), a.get("type")?.clone()))
            })
        };
        let found = match item.enclosure().filter(|e| !e.url().trim().is_empty()) {
            Some(e) => Some((e.url().to_owned(), e.length().to_owned(), e.mime_type().to_owned())),
            None => media(),
        };
        let Some((enclosure_url, enclosure_length, enclosure_type)) = found else {
            refuse("it has no enclosure: there is no audio to publish".into());
            continue;
        };
        let url = absolute(source_name, &enclosure_url);
        // An item without GUID is known by its enclosure's URL, as podcast apps know it.
        let guid = guid.unwrap_or_else(|| url.clone());
        if let Some(first) = seen.get(&guid) {
            refuse(format!("its GUID `{guid}` is item {first}'s too: apps would take both for one episode"));
            continue;
        }
        seen.insert(guid.clone(), number);
        // Without a usable date, the import's time, a second apart in the feed's order (newest
        // first), keeps the episodes in the order listeners knew.
        let date_text = item.pub_date().map(str::trim).unwrap_or_default().to_owned();
        let date = match parse_date(&date_text) {
            Some(d) => d,
            None => {
                made_up.push(if date_text.is_empty() {
                    "it had no pubDate: dated at the import, in the feed's order".to_owned()
                } else {
                    format!("its pubDate `{date_text}` is not a date: dated at the import, in the feed's order (correct `date` in its .md before publishing it elsewhere)")
                });
                now - jiff::SignedDuration::from_secs(number as i64)
            }
        };
        if title.is_empty() {
            let file = url.rsplit('/').next().unwrap_or_default().split(['?', '#']).next().unwrap_or_default();
            title = format!("Sans titre ({file})");
            made_up.push(format!("it had no title: « {title} »"));
        }
        let itunes = item.itunes_ext();
        let notes = item
            .content()
            .or(item.description())
            .or_else(|| itunes.and_then(|i| i.summary()))
            .unwrap_or_default()
            .trim()
            .to_owned();
        let podcast = item.extensions().get("podcast");
        let transcript = podcast.and_then(|p| p.get("transcript")).and_then(|list| {
            let of =
                |mime: &str| list.iter().find(|t| t.attrs().get("type").is_some_and(|m| m.eq_ignore_ascii_case(mime)));
            let best = of("text/vtt").or_else(|| of("application/x-subrip")).or_else(|| of("application/srt"));
            let best = best.or_else(|| of("application/json"));
            best.and_then(|t| Some((absolute(source_name, t.attrs().get("url")?), t.attrs().get("type")?.clone())))
        });
        let chapters = podcast
            .and_then(|p| p.get("chapters"))
            .and_then(|c| c.first())
            .and_then(|c| c.attrs().get("url").map(|u| absolute(source_name, u)));
        let number_of = |s: Option<&str>| s.and_then(|n| n.trim().parse::<u32>().ok()).filter(|n| *n > 0);
        plan.items.push(Planned {
            number,
            guid,
            title,
            date,
            date_text,
            notes,
            enclosure: url,
            length: enclosure_length.trim().parse().unwrap_or(0),
            mime: enclosure_type.trim().to_owned(),
            episode_type: itunes
                .and_then(|i| i.episode_type())
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| ["full", "trailer", "bonus"].contains(&t.as_str())),
            season: number_of(itunes.and_then(|i| i.season())),
            episode: number_of(itunes.and_then(|i| i.episode())),
            explicit: itunes.and_then(|i| i.explicit()).map(|e| matches!(e.trim(), "yes" | "true" | "explicit")),
            transcript,
            chapters,
            made_up,
        });
    }
    Ok(plan)
}

/// `href` made absolute against the feed's URL (as it stands when the feed is a file).
fn absolute(feed: &str, href: &str) -> String {
    let href = href.trim();
    match reqwest::Url::parse(feed).and_then(|base| base.join(href)) {
        Ok(url) if feed.starts_with("http") => url.to_string(),
        _ => href.to_owned(),
    }
}

/// The `rel="next"` link of a paged feed, under whatever prefix the Atom namespace has.
fn next_page(map: &rss::extension::ExtensionMap) -> Option<String> {
    let links = map.values().filter_map(|elements| elements.get("link")).flatten();
    links.filter(|l| l.attrs().get("rel").is_some_and(|r| r == "next")).find_map(|l| l.attrs().get("href").cloned())
}

/// The value of a namespaced element of the channel (`podcast:guid`).
fn ext_value(map: &rss::extension::ExtensionMap, ns: &str, name: &str) -> Option<String> {
    let value = map.get(ns)?.get(name)?.first()?.value()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A title as plain text: tags out, entities decoded, white space folded.
pub fn plain_text(html: &str) -> String {
    let text = ammonia::Builder::empty().clean(html).to_string();
    let text = quick_xml::escape::unescape(&text).map_or_else(|_| text.clone(), std::borrow::Cow::into_owned);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A feed's date, however the old host wrote it: RFC 2822 and its common departures (a wrong or
/// missing weekday, a named or missing zone, a full month name, the month before the day, a
/// two-digit year, no seconds, no time), W3C dates (`2003-12-31T10:14:55-08:00`, `2003-12`,
/// `2003`); `None` for anything else.
pub fn parse_date(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // RFC 2822 reads a zone name it does not define as UTC; ours (MET, CEST…) are known.
    let last = text.rsplit(' ').next().unwrap_or_default();
    let rfc_zones = ["GMT", "UT", "UTC", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"];
    let named = last.bytes().all(|b| b.is_ascii_alphabetic()) && zone_minutes(last).is_some();
    if named && !rfc_zones.contains(&last.to_ascii_uppercase().as_str()) {
        return loose_rfc2822(text);
    }
    if let Ok(t) = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(text) {
        return Some(t);
    }
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    if let Some(t) = w3c_date(text).or_else(|| spaced_iso(text)) {
        return Some(t);
    }
    loose_rfc2822(text)
}

/// `2004-07-08 23:56:58 -00:20`, as databases print dates; no zone is UTC.
fn spaced_iso(text: &str) -> Option<jiff::Timestamp> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (date, time, zone) = match words.as_slice() {
        [d, t] => (*d, *t, None),
        [d, t, z] => (*d, *t, Some(*z)),
        _ => return None,
    };
    let civil: jiff::civil::DateTime = format!("{date}T{time}").parse().ok()?;
    let minutes = zone.map_or(Some(0), zone_minutes)?;
    let offset = jiff::tz::Offset::from_seconds(minutes * 60).ok()?;
    civil.to_zoned_datetime(jiff::tz::TimeZone::fixed(offset)).ok().map(|z| z.timestamp())
}

/// `2003-12-31`, `2003-12`, `2003`: midnight UTC of their first day.
fn w3c_date(text: &str) -> Option<jiff::Timestamp> {
    let parts: Vec<&str> = text.split('-').collect();
    if parts.is_empty()
        || parts.len() > 3
        || !parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        || parts[0].len() != 4
    {
        return None;
    }
    let n = |i: usize| parts.get(i).map_or(Some(1), |p| p.parse::<i8>().ok());
    let date = jiff::civil::Date::new(parts[0].parse().ok()?, n(1)?, n(2)?).ok()?;
    midnight_utc(date)
}

fn midnight_utc(date: jiff::civil::Date) -> Option<jiff::Timestamp> {
    date.to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// RFC 2822 as hosts write it, field by field.
fn loose_rfc2822(text: &str) -> Option<jiff::Timestamp> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let spaced = text.replace(',', " ");
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    if words.first().is_some_and(|w| WEEKDAYS.iter().any(|d| w.to_ascii_lowercase().starts_with(d))) {
        words.remove(0);
    }
    let month_of = |w: &str| {
        let w = w.to_ascii_lowercase();
        (w.len() >= 3 && w.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| MONTHS.iter().position(|m| w.starts_with(m)))
            .flatten()
            .map(|i| i as i8 + 1)
    };
    let number = |w: &str| w.bytes().all(|b| b.is_ascii_digit()).then(|| w.parse::<i32>().ok()).flatten();
    // Day and month in either order, then the year.
    let (day, month, rest) = match words.as_slice() {
        [d, m, rest @ ..] if number(d).is_some() && month_of(m).is_some() => (number(d)?, month_of(m)?, rest),
        [m, d, rest @ ..] if month_of(m).is_some() && number(d).is_some() => (number(d)?, month_of(m)?, rest),
        _ => return None,
    };
    // asctime: the time, a zone maybe, then the year (`Sun Jan  4 16:29:06 2004`).
    let reordered: Vec<&str>;
    let rest = match rest {
        [t, y] if t.contains(':') && number(y).is_some() => {
            reordered = vec![y, t];
            &reordered[..]
        }
        [t, z, y] if t.contains(':') && number(y).is_some() => {
            reordered = vec![y, t, z];
            &reordered[..]
        }
        _ => rest,
    };
    let (year_word, rest) = rest.split_first()?;
    let year = match (number(year_word)?, year_word.len()) {
        (y, 2) if y < 50 => 2000 + y,
        (y, 2) => 1900 + y,
        (y, 4) => y,
        _ => return None,
    };
    let (time, zone) = match rest {
        [] => ("0:0:0", None),
        [t] if t.contains(':') => (*t, None),
        [t, z] if t.contains(':') => (*t, Some(*z)),
        _ => return None,
    };
    let fields: Vec<i8> = time.split(':').map(|f| f.parse::<i8>().ok()).collect::<Option<_>>()?;
    let (h, m, sec) = match fields.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let offset_minutes = match zone {
        None => 0,
        Some(z) => zone_minutes(z)?,
    };
    let civil =
        jiff::civil::DateTime::new(i16::try_from(year).ok()?, month, i8::try_from(day).ok()?, h, m, sec, 0).ok()?;
    let offset = jiff::tz::Offset::from_seconds(offset_minutes * 60).ok()?;
    civil.to_zoned_datetime(jiff::tz::TimeZone::fixed(offset)).ok().map(|z| z.timestamp())
}

/// A zone's offset from UTC in minutes: `+0100`, `-01:01`, `GMT+02:00`, `Etc/GMT`, or a name.
fn zone_minutes(zone: &str) -> Option<i32> {
    let upper = zone.to_ascii_uppercase();
    let named = [
        ("GMT", 0),
        ("UT", 0),
        ("UTC", 0),
        ("Z", 0),
        ("ETC/GMT", 0),
        ("ETC/UTC", 0),
        ("EST", -300),
        ("EDT", -240),
        ("CST", -360),
        ("CDT", -300),
        ("MST", -420),
        ("MDT", -360),
        ("PST", -480),
        ("PDT", -420),
        ("AT", -240),
        ("ET", -300),
        ("CT", -360),
        ("MT", -420),
        ("PT", -480),
        ("MET", 60),
        ("MEST", 120),
        ("CET", 60),
        ("CEST", 120),
        ("WET", 0),
        ("WEST", 60),
        ("BST", 60),
    ];
    if let Some((_, m)) = named.iter().find(|(n, _)| *n == upper) {
        return Some(*m);
    }
    let signed = upper.strip_prefix("GMT").or_else(|| upper.strip_prefix("UTC")).unwrap_or(&upper);
    let (sign, digits) = match signed.as_bytes().first()? {
        b'+' => (1, &signed[1..]),
        b'-' => (-1, &signed[1..]),
        _ => return None,
    };
    let digits = digits.replace(':', "");
    if !(digits.len() == 4 || digits.len() == 2) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
    (hours < 24 && minutes < 60).then_some(sign * (hours * 60 + minutes))
}

/// The HTTP client of an import: the system's certificates through rustls (ring), the proxy of
/// the environment, a timeout for a connection that stalls.
pub fn client() -> Result<reqwest::Client, String> {
    // ring rather than aws-lc-rs, which would need cmake and a C compiler to build; the lack of
    // post-quantum key exchange, why rustls deprecates it, is no concern for fetching a feed.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("Veillee/", env!("CARGO_PKG_VERSION"), " (podcast import)"))
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("no HTTP client: {e}"))
}

/// The bytes of a small file (a feed, a transcript, chapters) at `url`, retried.
pub async fn fetch(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        match client.get(url).send().await {
            Ok(r) if r.status().is_success() => match r.bytes().await {
                Ok(b) => return Ok(b.to_vec()),
                Err(e) => last = format!("the connection dropped: {e}"),
            },
            Ok(r) if r.status().is_server_error() => last = format!("HTTP {}", r.status()),
            Ok(r) => return Err(format!("HTTP {}", r.status())),
            Err(e) => last = describe(&e),
        }
        pause(attempt).await;
    }
    Err(format!("{last} ({ATTEMPTS} attempts)"))
}

/// Downloads `url` into `part`, resuming what a previous attempt (or run) left there, up to
/// [`ATTEMPTS`] times; returns its length when complete. `progress` is told each chunk's length.
pub async fn download(client: &reqwest::Client, url: &str, part: &Path, progress: &dyn Fn(u64)) -> Result<u64, String> {
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let have = std::fs::metadata(part).map_or(0, |m| m.len());
        let mut request = client.get(url);
        if have > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                last = describe(&e);
                pause(attempt).await;
                continue;
            }
        };
        let status = response.status();
        let resumed = status == reqwest::StatusCode::PARTIAL_CONTENT && have > 0;
        if status == reqwest::StatusCode::RANGE_NOT_SATISFIABLE && have > 0 {
            // What was there is the whole file, or the file changed: start over.
            let _ = std::fs::remove_file(part);
            last = "the server refused to resume".into();
            continue;
        }
        if status.is_server_error() {
            last = format!("HTTP {status}");
            pause(attempt).await;
            continue;
        }
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let expected = response.content_length().map(|n| if resumed { have + n } else { n });
        let mut file =
            match std::fs::OpenOptions::new().create(true).append(resumed).write(true).truncate(!resumed).open(part) {
                Ok(f) => f,
                Err(e) => return Err(format!("{}: {e}", part.display())),
            };
        if resumed {
            progress(0);
        }
        let mut written = if resumed { have } else { 0 };
        let mut response = response;
        let dropped = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(e) = file.write_all(&chunk) {
                        return Err(format!("{}: {e}", part.display()));
                    }
                    written += chunk.len() as u64;
                    progress(chunk.len() as u64);
                }
                Ok(None) => break None,
                Err(e) => break Some(format!("the connection dropped after {written} bytes: {e}")),
            }
        };
        if let Err(e) = file.sync_all() {
            return Err(format!("{}: {e}", part.display()));
        }
        match (dropped, expected) {
            (Some(why), _) => last = why,
            (None, Some(n)) if written < n => last = format!("the connection closed after {written} of {n} bytes"),
            (None, _) => return Ok(written),
        }
        pause(attempt).await;
    }
    Err(format!("{last} ({ATTEMPTS} attempts; run the import again to resume)"))
}

/// A short pause before the next attempt, twice as long each time (0.2, 0.4, 0.8 s); none
/// after the last.
async fn pause(attempt: u32) {
    if attempt < ATTEMPTS {
        tokio::time::sleep(Duration::from_millis(100 << attempt.min(5))).await;
    }
}

/// A request's failure, in a line.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

/// Where a download waits until complete: under `.veillee/imports/`, named by its URL.
pub fn part_path(root: &Path, url: &str) -> PathBuf {
    root.join(".veillee/imports").join(format!("{}.part", &crate::util::hash::blake3_hex(url.as_bytes())[..24]))
}

/// A Podcast Index chapters file as the lines of a front matter's `chapters`.
pub fn chapters_lines(json: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct File {
        chapters: Vec<Chapter>,
    }
    #[derive(serde::Deserialize)]
    struct Chapter {
        #[serde(rename = "startTime")]
        start: f64,
        title: Option<String>,
        #[serde(default = "yes")]
        toc: bool,
    }
    fn yes() -> bool {
        true
    }
    let file: File = serde_json::from_slice(json).ok()?;
    let mut lines = Vec::new();
    for c in file.chapters.iter().filter(|c| c.toc && c.start >= 0.0) {
        let title = plain_text(c.title.as_deref().unwrap_or_default());
        if title.is_empty() {
            continue;
        }
        let ms = (c.start * 1000.0).round() as u64;
        let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        let time = if frac == 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{h}:{m:02}:{s:02}.{frac:03}") };
        lines.push(format!("{time} {title}"));
    }
    if lines.is_empty() || !lines[0].starts_with("0:00:00 ") {
        // The show's chapters start at zero.
        if lines.is_empty() {
            return None;
        }
        lines.insert(0, "0:00:00 Début".into());
    }
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_old_hosts_write_them() {
        let t = |s: &str| parse_date(s).map(|t| t.to_string());
        assert_eq!(t("Tue, 04 Nov 2025 08:00:00 GMT").as_deref(), Some("2025-11-04T08:00:00Z"));
        assert_eq!(t("Mon, 04 Nov 2025 08:00:00 +0100").as_deref(), Some("2025-11-04T07:00:00Z"), "a wrong weekday");
        assert_eq!(t("4 November 2025 8:00 UTC").as_deref(), Some("2025-11-04T08:00:00Z"));
        assert_eq!(t("Tue, 4 Nov 2025 08:00:00 EST").as_deref(), Some("2025-11-04T13:00:00Z"));
        assert_eq!(t("2025-11-04T09:00:00+01:00").as_deref(), Some("2025-11-04T08:00:00Z"));
        assert_eq!(t("2025-11-04").as_deref(), Some("2025-11-04T00:00:00Z"));
        assert_eq!(t("Tue, 04 Nov 2025 08:00:00").as_deref(), Some("2025-11-04T08:00:00Z"), "no zone: UTC");
        assert_eq!(t("Tue, 04 Nov 2025 08:00:00 +zz:00"), None);
        assert_eq!(t("demain"), None);
    }

    /// feedparser's own date tests (its PyPI source package): the same instant, or no date.
    #[test]
    fn dates_of_feedparser_test_suite() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/feedparser-dates.tsv");
        let mut wrong = Vec::new();
        for line in std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.starts_with('#')) {
            let [_, text, expected] = line.split('\t').collect::<Vec<_>>()[..] else { panic!("{line}") };
            let got =
                parse_date(text).map_or_else(|| "none".to_owned(), |t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
            if got != expected {
                wrong.push(format!("{text:?}: {got}, feedparser {expected}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn titles_are_plain_text() {
        assert_eq!(plain_text("  <b>Léaz</b> &amp; <i>les</i>\n portes "), "Léaz & les portes");
        assert_eq!(plain_text("A &lt;b&gt; tag"), "A <b> tag");
    }

    #[test]
    fn chapters_from_json() {
        let json = br#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"},{"startTime":65.5,"title":"<b>La suite</b>"},{"startTime":90,"title":"cache","toc":false}]}"#;
        assert_eq!(chapters_lines(json).as_deref(), Some("0:00:00 Intro\n0:01:05.500 La suite"));
        assert_eq!(chapters_lines(b"{}"), None);
    }
}
