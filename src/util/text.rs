//! Text helpers: control characters, HTML escaping, cutting at a word, typo suggestions, lines.

/// Removes the control characters no text output may hold: C0 but tab, newline and return
/// (XML 1.0 forbids them), DEL, C1 (U+0080–U+009F: usually Windows-1252 text read as
/// Latin-1), and the noncharacters U+FFFE and U+FFFF.
pub(crate) fn strip_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_forbidden) {
        s.chars().filter(|c| !is_forbidden(*c)).collect::<String>().into()
    } else {
        s.into()
    }
}

/// See [`strip_controls`].
pub(crate) fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// The control characters of a source text: the first one, its line, and how many there are.
/// TOML escapes of them (`\u0085`) count: they would put one in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Controls {
    pub first: char,
    pub line: usize,
    pub count: usize,
}

/// The control characters of `text` (see [`Controls`]), or `None` (most texts: one pass over
/// the bytes, nothing allocated).
pub(crate) fn controls(text: &str) -> Option<Controls> {
    let bytes = text.as_bytes();
    // C0 and DEL are single bytes; C1 is 0xC2 then 0x80..0x9F; an escape starts with `\u00`.
    let suspect = |i: usize| {
        let b = bytes[i];
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
            || (b == b'\\' && escaped_control(&text[i..]).is_some())
    };
    let first = (0..bytes.len()).find(|&i| suspect(i))?;
    let count = (first..bytes.len()).filter(|&i| suspect(i)).count();
    let c = escaped_control(&text[first..]).unwrap_or_else(|| text[first..].chars().next().unwrap_or('\0'));
    Some(Controls { first: c, line: line_of(text, first), count })
}

/// The control character a TOML escape at the start of `s` (`\u0007`, `\U00000085`) stands for.
fn escaped_control(s: &str) -> Option<char> {
    let hex = s.strip_prefix("\\u").map(|h| h.get(..4)).or_else(|| s.strip_prefix("\\U").map(|h| h.get(..8)))??;
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    is_forbidden(c).then_some(c)
}

/// `text` without its control characters and without the TOML escapes of them; `None` when it
/// has none.
pub(crate) fn without_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\\'
            && let Some(len) = escaped_control(rest).map(|_| if rest.starts_with("\\u") { 6 } else { 10 })
        {
            rest = &rest[len..];
            continue;
        }
        if !is_forbidden(c) {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Text for HTML content and double- or single-quoted attributes.
pub(crate) fn html_escape(s: &str) -> String {
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

/// Plain text cut at a word so that it has at most `max` characters.
pub(crate) fn truncate_chars(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        // `…` counts as one: the cut keeps `max - 1` characters.
        Some(_) => {
            let limit = text.char_indices().nth(max - 1).map_or(text.len(), |(i, _)| i);
            truncate_text(text, limit + '…'.len_utf8()).into()
        }
    }
}

/// Plain text cut at a word so that it fits in `max` bytes.
pub(crate) fn truncate_text(text: &str, max: usize) -> String {
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
pub(crate) fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 3) && d < k.len())
        .min()
        .map(|(_, k)| k.to_owned())
}

/// Maps byte offsets of a text to 1-based line numbers.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_at_a_word() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("Un titre assez long", 12), "Un titre…");
        assert!(truncate_chars(&"é".repeat(300), 255).chars().count() <= 255);
    }

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
    fn control_characters() {
        assert_eq!(strip_controls("a\u{1}b\tc\u{85}d"), "ab\tcd");
        assert_eq!(controls("ok\nstill ok"), None);
        assert_eq!(controls("a\nb\u{85}c\u{92}"), Some(Controls { first: '\u{85}', line: 2, count: 2 }));
        assert_eq!(controls("t = \"a\\u0007b\"\n"), Some(Controls { first: '\u{7}', line: 1, count: 1 }));
        assert_eq!(controls("t = \"a\\u00e9\""), None, "an escape of a letter is no control");
        assert_eq!(without_controls("t = \"a\\u0007b\u{85}c\"\n"), "t = \"abc\"\n");
    }
}
