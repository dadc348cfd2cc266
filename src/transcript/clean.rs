//! Cleaning cue text and labels as they are read: every reader gives the same plain text.

use super::{Cue, labels, vtt};
use crate::problem::Position;
use crate::util::text::is_forbidden;

/// Text lines trimmed with one space between words, blank ones dropped, control characters,
/// formatting tags and SSA codes removed,
/// `-->` made `->` (in WebVTT and SRT that arrow starts a cue: no format could carry it as text).
fn clean_text(text: &str) -> String {
    if is_clean(text) {
        return text.to_owned();
    }
    let mut text: String = text.chars().filter(|c| !is_forbidden(*c)).collect();
    // Until nothing changes: removing one kind can make another (`{<i>\an8}`, `-<b>->`), and
    // cleaning clean text must change nothing.
    loop {
        let mut next = vtt::strip_cue_tags(&strip_ass_tags(&text));
        while next.contains("-->") {
            next = next.replace("-->", "->");
        }
        if next == text {
            break;
        }
        text = next;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        // One space between words: writers re-wrap lines, and a label must not change length.
        for (i, word) in line.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Whether [`clean_text`] would leave `text` as it is (most cue text): it is then not rebuilt.
fn is_clean(text: &str) -> bool {
    // One pass: each character judged with the two before it (`\n` stands for a line start).
    let (mut prev, mut prev2) = ('\n', '\n');
    for c in text.chars() {
        let ok = match c {
            // No blank line, no space at a line's end.
            '\n' => !matches!(prev, '\n' | ' '),
            // No space at a line's start, never two.
            ' ' => !matches!(prev, '\n' | ' '),
            '<' | '{' => false,
            '>' => !(prev == '-' && prev2 == '-'),
            c if c.is_ascii() => !c.is_ascii_control(),
            c => !c.is_whitespace() && !is_forbidden(c),
        };
        if !ok {
            return false;
        }
        (prev2, prev) = (prev, c);
    }
    !matches!(prev, '\n' | ' ')
}

/// `{\an8}` and other SSA override codes some editors leave in SRT.
pub(super) fn strip_ass_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{\\") {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The longest time a transcript may hold: 100 hours (what no episode reaches; the JSON
/// readers' bound too, so that every format can carry every time).
pub(super) const MAX_MS: u64 = 100 * 3_600_000;

/// A time from its parts, if it is within [`MAX_MS`].
pub(super) fn within_limit(hours: u64, minutes: u64, seconds: u64, millis: u64) -> Option<u64> {
    let ms = hours.checked_mul(3_600_000)?.checked_add(minutes * 60_000 + seconds * 1000 + millis)?;
    (ms <= MAX_MS).then_some(ms)
}

/// A cue from its parts: the label split off the text, the text cleaned.
pub(super) fn cue(start_ms: u64, end_ms: u64, voice: Option<&str>, text: &str, at: Position) -> Cue {
    // Cleaned first: a label hidden behind a control character or a blank line is still found.
    let text = clean_text(text);
    // A voice that cleans to nothing (`<v ->`) is no voice: the text may still name one.
    let (voice, text) = match voice.and_then(labels::clean_label) {
        Some(v) => (Some(v), text),
        None => {
            let (label, rest) = labels::split_label(&text);
            (label.as_deref().and_then(labels::clean_label), rest.to_owned())
        }
    };
    Cue { start_ms, end_ms, voice, text, at }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path agrees with the slow one, and cleaning clean text changes nothing.
    #[test]
    fn cleaning_is_a_fixed_point() {
        for text in [
            "Bonjour à tous",
            "deux\nlignes",
            " espace",
            "a  b",
            "a\u{a0}b",
            "a\tb",
            "<i>x</i>",
            "{<i>\\an8}x",
            "a --> b",
            "a\n\nb",
            "a\r\nb",
            "x\u{1}y",
        ] {
            let once = clean_text(text);
            assert_eq!(clean_text(&once), once, "{text:?}");
            assert!(!is_clean(text) || once == text, "{text:?}");
        }
    }
}
