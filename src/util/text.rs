//! Text helpers: control characters, HTML escaping, cutting at a word, typo suggestions, lines.

/// Removes control characters that XML 1.0 forbids (all C0 but tab, newline and return).
pub fn strip_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_forbidden) {
        s.chars().filter(|c| !is_forbidden(*c)).collect::<String>().into()
    } else {
        s.into()
    }
}

fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20)
        || matches!(c, '\u{7f}' | '\u{fffe}' | '\u{ffff}')
}

/// Text for HTML content and double- or single-quoted attributes.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Plain text cut at a word so that it fits in `max` bytes.
pub fn truncate_text(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = 0;
    for (i, _) in text.match_indices(' ') {
        if i + '…'.len_utf8() > max {
            break;
        }
        end = i;
    }
    if end == 0 {
        end = text.floor_char_boundary(max - '…'.len_utf8());
    }
    format!("{}…", &text[..end])
}

/// The known name closest to `name`, if it is close enough to be a typo.
pub fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 3) && d < k.len())
        .min()
        .map(|(_, k)| k.to_owned())
}

/// Maps byte offsets of a text to 1-based line numbers.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_a_word() {
        assert_eq!(truncate_text("abc def ghi", 9), "abc…");
        assert_eq!(truncate_text("abc", 9), "abc");
        assert!(truncate_text(&"é".repeat(3000), 4000).len() <= 4000);
    }

    #[test]
    fn closest_finds_typos_only() {
        assert_eq!(closest("titel", ["title", "date"]), Some("title".into()));
        assert_eq!(
            closest("cartographie-sensibel", ["cartographie-sensible"]).as_deref(),
            Some("cartographie-sensible")
        );
        assert_eq!(closest("zzz", ["title", "date"]), None);
    }

    #[test]
    fn controls() {
        assert_eq!(strip_controls("a\u{1}b\tc"), "ab\tc");
    }
}
