//! French formatting for the pages: dates, durations, sizes, numbers, the roles of people, and
//! the no-break spaces of French typography.

use std::borrow::Cow;

use crate::catalog::Episode;

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `12 juin 2024`, in the offset the date was written with.
pub(super) fn date_fr(e: &Episode) -> String {
    let local = e.offset.to_datetime(e.pub_date());
    format!("{} {} {}", day_fr(local.day()), MONTHS[(local.month() - 1) as usize], local.year())
}

/// `2026-03-12` as `12 mars 2026` (anything else as written).
pub(super) fn iso_date_fr(iso: &str) -> String {
    match iso.parse::<jiff::civil::Date>() {
        Ok(d) => format!("{} {} {}", day_fr(d.day()), MONTHS[(d.month() - 1) as usize], d.year()),
        Err(_) => iso.to_owned(),
    }
}

fn day_fr(day: i8) -> String {
    if day == 1 { "1er".to_owned() } else { day.to_string() }
}

/// `45 s`, `1 min 04 s`, `12 min`, `1 h 03`: seconds matter only for short episodes.
pub(super) fn duration_fr(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..600 => format!("{} min {:02} s", s / 60, s % 60),
        600..3600 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {:02}", s / 3600, s / 60 % 60),
    }
}

/// `8 ko`, `12,4 Mo`.
pub(super) fn size_fr(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} ko", bytes.div_ceil(1000))
    } else {
        format!("{:.1} Mo", bytes as f64 / 1_000_000.0).replace('.', ",")
    }
}

/// `796`, `6 197` (a narrow no-break space, as French typography writes thousands).
pub(super) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The taxonomy's roles people meet most, in French.
pub(super) fn role_fr(role: &str) -> &str {
    match role.to_ascii_lowercase().as_str() {
        "host" => "animation",
        "co-host" => "co-animation",
        "guest" => "invité·e",
        "guest host" => "animation invitée",
        "producer" => "production",
        "reporter" => "reportage",
        "narrator" => "narration",
        "editor" | "audio editor" => "montage",
        "sound designer" => "création sonore",
        "composer" | "theme music" => "musique",
        "transcriber" => "transcription",
        "translator" => "traduction",
        "researcher" => "recherche",
        _ => role,
    }
}

/// No-break space: before `:` (a full space, as French typography has it).
const NBSP: char = '\u{a0}';
/// Narrow no-break space: before `; ! ?` and inside `« »`.
const NNBSP: char = '\u{202f}';

/// A text with the no-break spaces French typography puts before `: ; ! ?` and inside `« »`,
/// so that no line starts with a colon or a closing guillemet. Only a space already written is
/// replaced before `: ; ! ?` (`12:30`, `https://` and `Quoi?` stay as written: guessing there
/// would break more than it mends); guillemets always get theirs.
pub(crate) fn typo(text: &str) -> Cow<'_, str> {
    // Bytes, not chars: a page's transcript asks this of every cue. 0xC2 leads `«` and `»`.
    if !text.bytes().any(|b| matches!(b, b':' | b';' | b'!' | b'?' | 0xC2)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    typo_into(text, &mut out);
    Cow::Owned(out)
}

fn typo_into(text: &str, out: &mut String) {
    let spaced = |s: &str| s.starts_with(char::is_whitespace) || s.starts_with("&nbsp;") || s.starts_with("&#");
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        match c {
            ' ' => out.push(match next {
                Some(':') => NBSP,
                Some(';' | '!' | '?' | '»') => NNBSP,
                _ => ' ',
            }),
            '«' => {
                out.push('«');
                if next == Some(' ') {
                    chars.next();
                    out.push(NNBSP);
                } else if next.is_some() && !spaced(&text[i + c.len_utf8()..]) {
                    out.push(NNBSP);
                }
            }
            '»' => {
                let after_space = out.ends_with(char::is_whitespace) || out.ends_with("&nbsp;");
                if !out.is_empty() && !after_space {
                    out.push(NNBSP);
                }
                out.push('»');
            }
            _ => out.push(c),
        }
    }
}

/// Elements whose text is shown as written: code, and what is not text.
const VERBATIM: [&str; 6] = ["code", "pre", "kbd", "samp", "script", "style"];

/// [`typo`] on the text of sanitized HTML (ammonia's output: well formed, no comments): tags and
/// attributes are left as they are, and so is the text inside code.
pub(crate) fn typo_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut verbatim = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..end];
            let closing = tag.starts_with("</");
            let name = tag.trim_start_matches(['<', '/']);
            let name = &name[..name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len())];
            if VERBATIM.iter().any(|v| v.eq_ignore_ascii_case(name)) {
                if closing {
                    verbatim = verbatim.saturating_sub(1);
                } else if !tag.ends_with("/>") {
                    verbatim += 1;
                }
            }
            out.push_str(tag);
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            if verbatim > 0 {
                out.push_str(&rest[..end]);
            } else {
                typo_into(&rest[..end], &mut out);
            }
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_typography() {
        assert_eq!(
            typo("Pourquoi ? Parce que ; enfin : oui !"),
            "Pourquoi\u{202f}? Parce que\u{202f}; enfin\u{a0}: oui\u{202f}!"
        );
        assert_eq!(
            typo("« Le village » et «\u{a0}la mairie\u{a0}»"),
            "«\u{202f}Le village\u{202f}» et «\u{a0}la mairie\u{a0}»"
        );
        assert_eq!(typo("«oui»"), "«\u{202f}oui\u{202f}»");
        // What is not French punctuation stays as written.
        assert_eq!(
            typo("À 12:30, voir https://example.org/?q=1 ou Quoi?"),
            "À 12:30, voir https://example.org/?q=1 ou Quoi?"
        );
        assert!(matches!(typo("Rien à changer."), Cow::Borrowed(_)));
        assert_eq!(
            typo_html(
                r#"<p>Lieu : <a href="/x?a=1">Lunas</a> !</p><pre><code>a : b ?</code></pre><p>« <em>ici</em> »</p>"#
            ),
            "<p>Lieu\u{a0}: <a href=\"/x?a=1\">Lunas</a>\u{202f}!</p><pre><code>a : b ?</code></pre><p>«\u{202f}<em>ici</em>\u{202f}»</p>"
        );
        assert_eq!(typo_html("<p>«&nbsp;déjà&nbsp;»</p>"), "<p>«&nbsp;déjà&nbsp;»</p>");
    }

    #[test]
    fn french_formats() {
        assert_eq!(duration_fr(45_000), "45 s");
        assert_eq!(duration_fr(63_969), "1 min 04 s");
        assert_eq!(duration_fr(12 * 60_000), "12 min");
        assert_eq!(duration_fr(3_820_000), "1 h 03");
        assert_eq!(group_thousands(46712), "46\u{202f}712");
        assert_eq!(group_thousands(796), "796");
        assert_eq!(size_fr(8377), "9 ko");
        assert_eq!(size_fr(12_400_000), "12,4 Mo");
        assert_eq!(iso_date_fr("2026-03-01"), "1er mars 2026");
        assert_eq!(iso_date_fr("2026-03-12"), "12 mars 2026");
    }
}
