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
/// In its TOML part, the escapes of them (`\u0085`) count too: they would put one in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Controls {
    pub first: char,
    pub line: usize,
    pub count: usize,
}

/// The control characters of `text` (see [`Controls`]), escapes counted in its first
/// `toml_end` bytes only, or `None` (most texts: one pass over the bytes, nothing allocated).
pub(crate) fn controls(text: &str, toml_end: usize) -> Option<Controls> {
    let bytes = text.as_bytes();
    // C0 and DEL are single bytes; C1 is 0xC2 then 0x80..0x9F; U+FFFE and U+FFFF are EF BF BE
    // and EF BF BF; an escape starts with a backslash.
    let suspect = |i: usize| {
        let b = bytes[i];
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
            || (b == 0xef && bytes.get(i + 1) == Some(&0xbf) && bytes.get(i + 2).is_some_and(|n| *n >= 0xbe))
            || (b == b'\\' && i < toml_end && escaped_control(&text[i..]).is_some())
    };
    // The bytes that may start one, found by a loop simple enough to be vectorized.
    let maybe = |b: u8| b < 0x20 || matches!(b, 0x7f | 0xc2 | 0xef | b'\\');
    let mut from = 0;
    let first = loop {
        let i = from + bytes[from..].iter().position(|&b| maybe(b))?;
        if suspect(i) {
            break i;
        }
        from = i + 1;
    };
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

/// The character Windows-1252 puts at the code of a C1 control (U+0085 → `…`): what a text
/// written in Windows-1252 and read as Latin-1 meant. `None` for other characters and for the
/// five codes Windows-1252 leaves unassigned.
pub(crate) fn windows_1252(control: char) -> Option<String> {
    let byte = u8::try_from(control as u32).ok().filter(|b| (0x80..=0x9f).contains(b))?;
    let meant = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&[byte]).0.into_owned();
    (!meant.chars().any(char::is_control)).then_some(meant)
}

/// `text` without its control characters, nor the escapes of them in its first `toml_end`
/// bytes.
pub(crate) fn without_controls(text: &str, toml_end: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\\'
            && text.len() - rest.len() < toml_end
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
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    escape_with(s, html_entity, |part| out.push_str(part));
    out
}

/// `&<>"'` as HTML entities.
pub(crate) fn html_entity(b: u8) -> Option<&'static str> {
    Some(match b {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        b'\'' => "&#39;",
        _ => return None,
    })
}

/// Hands `out` the text of `s` in pieces, each ASCII byte that `entity` names replaced by its
/// entity: runs of plain text go whole, not character by character.
pub(crate) fn escape_with(s: &str, entity: impl Fn(u8) -> Option<&'static str>, mut out: impl FnMut(&str)) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(e) = entity(b) {
            out(&s[last..i]);
            out(e);
            last = i + 1;
        }
    }
    out(&s[last..]);
}

/// Plain text cut at a word so that it has at most `max` characters.
pub(crate) fn truncate_chars(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.char_indices().nth(max).is_none() {
        return text.into();
    }
    // `…` counts as one: the cut keeps at most `max - 1` characters, ending at a word if it can.
    let limit = text.char_indices().nth(max.saturating_sub(1)).map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    let end = head.rfind(' ').filter(|&i| i > 0).unwrap_or(limit);
    format!("{}…", head[..end].trim_end()).into()
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
        assert_eq!(truncate_chars(&"a".repeat(256), 255).chars().count(), 255, "one over: cut");
        let words = format!("{} fin", "mot ".repeat(63));
        assert!(truncate_chars(&words, 255).chars().count() <= 255 && truncate_chars(&words, 255).ends_with("mot…"));
        assert_eq!(truncate_chars(&"a".repeat(256), 255).chars().count(), 255, "one over: cut");
        let words = format!("{} fin", "mot ".repeat(63));
        assert!(truncate_chars(&words, 255).chars().count() <= 255 && truncate_chars(&words, 255).ends_with("mot…"));
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
        assert_eq!(controls("ok\nstill ok", 0), None);
        assert_eq!(controls("a\nb\u{85}c\u{92}", 0), Some(Controls { first: '\u{85}', line: 2, count: 2 }));
        assert_eq!(controls("t = \"a\\u0007b\"\n", 99), Some(Controls { first: '\u{7}', line: 1, count: 1 }));
        assert_eq!(controls("t = \"a\\u0007b\"\n", 0), None, "an escape outside TOML is text");
        assert_eq!(controls("t = \"a\\u00e9\"", 99), None, "an escape of a letter is no control");
        assert_eq!(controls("a\u{fffe}", 0).map(|c| c.first), Some('\u{fffe}'));
        assert_eq!(without_controls("t = \"a\\u0007b\u{85}c\"\n", 99), "t = \"abc\"\n");
        assert_eq!(without_controls("x\\u0007\u{85}", 0), "x\\u0007");
    }
}
