//! The plain chapters block of an episode:
//!
//! ```text
//! 00:00 Ouverture
//! 01:10 Quatre questions sur le pas de la porte [enquete-de-besoins]
//! 1:03:40 Ce que les habitants ont proposé
//! ```

use super::{ChapterFault, SourceError};
use crate::util::time::parse_timecode;

/// A chapter as written in the front matter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Chapter {
    pub start_ms: u64,
    pub title: String,
    /// The method page this chapter is about, from a trailing `[slug]`.
    pub method: Option<String>,
    /// The line of the episode file, for later checks.
    #[serde(skip)]
    pub line: usize,
}

/// Parses a chapters block; `first_line` is the file line of the block's first line.
pub(crate) fn parse_chapters(block: &str, first_line: usize) -> Result<Vec<Chapter>, (usize, SourceError)> {
    let mut chapters: Vec<Chapter> = Vec::new();
    for (i, raw) in block.lines().enumerate() {
        let line = first_line + i;
        let text = raw.trim();
        if text.is_empty() {
            continue;
        }
        let bad = |why| (line, SourceError::BadChapter { text: text.to_owned(), why });
        let (code, rest) = text.split_once(char::is_whitespace).ok_or_else(|| bad(ChapterFault::NoTitle))?;
        let start_ms = parse_timecode(code).ok_or_else(|| bad(ChapterFault::BadTimecode))?;
        let mut title = rest.trim();
        let mut method = None;
        if let Some(open) = title.rfind('[')
            && title.ends_with(']')
        {
            let slug = title[open + 1..title.len() - 1].trim();
            if slug.is_empty() || !super::slug::is_slug(slug) {
                return Err(bad(ChapterFault::BadMethod));
            }
            method = Some(slug.to_owned());
            title = title[..open].trim_end();
        }
        if title.is_empty() {
            return Err(bad(ChapterFault::EmptyTitle));
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
