//! Time codes and the plain chapters block of an episode:
//!
//! ```text
//! 00:00 Ouverture
//! 01:10 Quatre questions sur le pas de la porte [enquete-de-besoins]
//! 1:03:40 Ce que les habitants ont proposé
//! ```

use super::SourceError;

/// A chapter as written in the front matter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Chapter {
    pub start_ms: u64,
    pub title: String,
    /// The method page this chapter is about, from a trailing `[slug]`.
    pub method: Option<String>,
    /// The line of the episode file, for later checks.
    #[serde(skip)]
    pub line: usize,
}

/// Parses `SS`, `MM:SS`, `H:MM:SS`, with optional `.mmm` milliseconds, into milliseconds.
pub fn parse_timecode(text: &str) -> Option<u64> {
    let text = text.trim();
    let (clock, millis) = match text.split_once('.') {
        Some((clock, frac)) => {
            if frac.is_empty() || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let scale = 10u64.pow(3 - frac.len() as u32);
            (clock, frac.parse::<u64>().ok()? * scale)
        }
        None => (text, 0),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let nums: Vec<u64> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    // Below the leading field, minutes and seconds are two digits under 60.
    for (p, n) in parts.iter().zip(&nums).skip(1) {
        if p.len() != 2 || *n >= 60 {
            return None;
        }
    }
    let seconds = nums.iter().fold(0u64, |acc, n| acc * 60 + n);
    Some(seconds * 1000 + millis)
}

/// Seconds as the Podcasting 2.0 formats want them: a decimal with no trailing zeros.
pub fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}", ms / 1000)
    } else {
        format!("{}.{:03}", ms / 1000, ms % 1000).trim_end_matches('0').to_owned()
    }
}

/// `H:MM:SS` or `MM:SS` for people.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Parses a chapters block; `first_line` is the file line of the block's first line.
pub fn parse_chapters(block: &str, first_line: usize) -> Result<Vec<Chapter>, (usize, SourceError)> {
    let mut chapters: Vec<Chapter> = Vec::new();
    for (i, raw) in block.lines().enumerate() {
        let line = first_line + i;
        let text = raw.trim();
        if text.is_empty() {
            continue;
        }
        let bad = |why| (line, SourceError::BadChapter { text: text.to_owned(), why });
        let (code, rest) = text.split_once(char::is_whitespace).ok_or_else(|| bad("no title after the time code"))?;
        let start_ms = parse_timecode(code).ok_or_else(|| bad("the time code must be MM:SS or H:MM:SS"))?;
        let mut title = rest.trim();
        let mut method = None;
        if let Some(open) = title.rfind('[')
            && title.ends_with(']')
        {
            let slug = title[open + 1..title.len() - 1].trim();
            if slug.is_empty() || !super::slug::is_slug(slug) {
                return Err(bad("the method in brackets must be a slug like [cartographie-sensible]"));
            }
            method = Some(slug.to_owned());
            title = title[..open].trim_end();
        }
        if title.is_empty() {
            return Err(bad("the title is empty"));
        }
        if let Some(prev) = chapters.last()
            && start_ms <= prev.start_ms
        {
            return Err((line, SourceError::ChaptersOutOfOrder { title: title.to_owned() }));
        }
        chapters.push(Chapter { start_ms, title: title.to_owned(), method, line });
    }
    if let Some(first) = chapters.first()
        && first.start_ms != 0
    {
        return Err((first.line, SourceError::ChaptersDoNotStartAtZero));
    }
    Ok(chapters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timecodes() {
        assert_eq!(parse_timecode("00:00"), Some(0));
        assert_eq!(parse_timecode("01:10"), Some(70_000));
        assert_eq!(parse_timecode("1:03:40"), Some(3_820_000));
        assert_eq!(parse_timecode("75"), Some(75_000));
        assert_eq!(parse_timecode("1:10.5"), Some(70_500));
        assert_eq!(parse_timecode("1:75"), None);
        assert_eq!(parse_timecode("1:5"), None);
        assert_eq!(parse_timecode("a:00"), None);
        assert_eq!(parse_timecode(""), None);
        assert_eq!(parse_timecode("1:00:00:00"), None);
    }

    #[test]
    fn seconds_are_short_decimals() {
        assert_eq!(seconds(70_000), "70");
        assert_eq!(seconds(70_500), "70.5");
        assert_eq!(seconds(1), "0.001");
        assert_eq!(clock(3_820_000), "1:03:40");
        assert_eq!(clock(70_000), "01:10");
    }

    #[test]
    fn chapters_block() {
        let block = "00:00 Ouverture\n01:10 Quatre questions [enquete-de-besoins]\n\n1:03:40 Fin\n";
        let ch = parse_chapters(block, 10).unwrap();
        assert_eq!(ch.len(), 3);
        assert_eq!(ch[1].method.as_deref(), Some("enquete-de-besoins"));
        assert_eq!(ch[1].title, "Quatre questions");
        assert_eq!(ch[2].line, 13);
        let err = parse_chapters("00:00 A\n00:00 B", 1).unwrap_err();
        assert_eq!(err.0, 2);
        let err = parse_chapters("00:10 A", 1).unwrap_err();
        assert_eq!(err.1, SourceError::ChaptersDoNotStartAtZero);
        assert!(parse_chapters("0:0 A", 1).is_err());
    }
}
