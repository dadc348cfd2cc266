//! A WebVTT reader (W3C WebVTT): header, NOTE/STYLE/REGION blocks, cue ids and settings,
//! `<v Speaker>` voice spans, other tags and entities, LF/CRLF/CR line ends.

use super::{Cue, Failure, Speakers, Transcript, TranscriptError, cue, speaker_name};
use crate::problem::Position;

/// Parses a WebVTT document (its BOM already removed); an error carries the line where it is.
pub(super) fn parse(text: &str) -> Result<Vec<Cue>, Failure> {
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        text
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let header = lines[0];
    let header_ok = header == "WEBVTT" || header.strip_prefix("WEBVTT").is_some_and(|r| r.starts_with([' ', '\t']));
    if !header_ok {
        return Err((Position::Line(1), TranscriptError::MissingHeader));
    }
    let mut cues = Vec::new();
    let mut i = 1;
    // Header lines (e.g. `Kind: captions`) run to the first blank line.
    while i < lines.len() && !lines[i].is_empty() {
        i += 1;
    }
    while i < lines.len() {
        if lines[i].is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && !lines[i].is_empty() {
            i += 1;
        }
        let block = &lines[start..i];
        let first = block[0];
        if is_keyword(first, "NOTE") || is_keyword(first, "STYLE") || is_keyword(first, "REGION") {
            continue;
        }
        let (timing_index, timing) = match block.iter().position(|l| l.contains("-->")) {
            Some(t) if t <= 1 => (t, block[t]),
            _ => return Err((Position::Line(start + 1), TranscriptError::MissingTiming)),
        };
        let at = Position::Line(start + timing_index + 1);
        let (start_ms, end_ms) = parse_timing(timing, parse_timestamp).map_err(|e| (at, e))?;
        // A payload line with `-->` starts the next cue, blank line or not (W3C parser rules).
        let payload = &block[timing_index + 1..];
        let end = payload.iter().position(|l| l.contains("-->")).unwrap_or(payload.len());
        if end < payload.len() {
            i = start + timing_index + 1 + end;
        }
        let (voice, text) = parse_payload(&payload[..end], true);
        cues.push(cue(start_ms, end_ms, voice.as_deref(), &text, at));
    }
    Ok(cues)
}

/// Writes WebVTT: a voice span on every cue (labels mapped through `speaker`), text escaped as
/// the spec requires (`&`, `<`, `>`, so no `-->` either), lines of at most 65 characters.
pub fn write_vtt(transcript: &Transcript, speakers: &Speakers) -> String {
    use std::fmt::Write;
    let mut out = String::from("WEBVTT\n");
    for cue in &transcript.cues {
        let _ = writeln!(out, "\n{} --> {}", Timestamp(cue.start_ms, '.'), Timestamp(cue.end_ms, '.'));
        if let Some(v) = &cue.voice {
            out.push_str("<v ");
            escape(&mut out, speaker_name(speakers, v));
            out.push('>');
        }
        wrap(&cue.text, 65, |line| {
            escape(&mut out, line);
            out.push('\n');
        });
    }
    out
}

/// `HH:MM:SS.mmm`, or with another separator before the milliseconds (SRT's comma).
pub(crate) struct Timestamp(pub u64, pub char);

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (ms, sep) = (self.0, self.1);
        write!(f, "{:02}:{:02}:{:02}{sep}{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
    }
}

/// `HH:MM:SS.mmm`.
pub(crate) fn vtt_timestamp(ms: u64) -> String {
    Timestamp(ms, '.').to_string()
}

/// `&<>` as entities, appended to `out`.
fn escape(out: &mut String, text: &str) {
    let entity = |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        _ => None,
    };
    crate::util::text::escape_with(text, entity, |part| out.push_str(part));
}

/// Hands `line` each of the text's lines, cut at spaces to at most `width` characters where it
/// can be, words one space apart.
pub(super) fn wrap(text: &str, width: usize, mut line: impl FnMut(&str)) {
    let mut current = String::new();
    for source in text.lines() {
        // In characters, counted as the line grows.
        let mut length = 0;
        for word in source.split_whitespace() {
            let chars = if word.is_ascii() { word.len() } else { word.chars().count() };
            if length > 0 && length + 1 + chars > width {
                line(&current);
                current.clear();
                length = 0;
            }
            if length > 0 {
                current.push(' ');
                length += 1;
            }
            current.push_str(word);
            length += chars;
        }
        if length > 0 {
            line(&current);
            current.clear();
        }
    }
}

fn is_keyword(line: &str, keyword: &str) -> bool {
    line == keyword || line.strip_prefix(keyword).is_some_and(|r| r.starts_with([' ', '\t']))
}

/// `start --> end [settings]`, each time read by `timestamp`.
pub(super) fn parse_timing(line: &str, timestamp: fn(&str) -> Option<u64>) -> Result<(u64, u64), TranscriptError> {
    let (left, right) = line.split_once("-->").ok_or(TranscriptError::MissingTiming)?;
    let start_text = left.trim();
    let end_text = right.split_whitespace().next().unwrap_or("");
    let start = timestamp(start_text).ok_or_else(|| TranscriptError::BadTimestamp { value: start_text.into() })?;
    let end = timestamp(end_text).ok_or_else(|| TranscriptError::BadTimestamp { value: end_text.into() })?;
    if end <= start {
        return Err(TranscriptError::EndBeforeStart { start: start_text.into(), end: end_text.into() });
    }
    Ok((start, end))
}

/// `[hh:]mm:ss.ttt`: hours of two or more digits, then exactly two, two and three digits.
pub(crate) fn parse_timestamp(s: &str) -> Option<u64> {
    let (clock, millis) = s.split_once('.')?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [m, s] => ("0", *m, *s),
        [h, m, s] if h.len() >= 2 => (*h, *m, *s),
        _ => return None,
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty();
    if !digits(hours) || !digits(minutes) || !digits(seconds) || minutes.len() != 2 || seconds.len() != 2 {
        return None;
    }
    let (h, m, sec): (u64, u64, u64) = (hours.parse().ok()?, minutes.parse().ok()?, seconds.parse().ok()?);
    if m >= 60 || sec >= 60 {
        return None;
    }
    super::within_limit(h, m, sec, millis.parse().ok()?)
}

/// Text without tags, with entities decoded (WebVTT; SRT text is taken as it is, and only the
/// tags subtitle tools write there are tags: see [`is_cue_tag`]), and the first voice span's
/// name.
pub(super) fn parse_payload(lines: &[&str], entities: bool) -> (Option<String>, String) {
    let decode = |s: &str| if entities { decode_entities(s) } else { s.to_owned() };
    let mut voice = None;
    let mut out = String::new();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut rest = *line;
        while let Some(lt) = rest.find('<') {
            out.push_str(&decode(&rest[..lt]));
            let Some(gt) = rest[lt..].find('>') else {
                // An unclosed `<` is text, as browsers treat it.
                out.push_str(&decode(&rest[lt..]));
                rest = "";
                break;
            };
            let tag = &rest[lt + 1..lt + gt];
            if !entities && !is_cue_tag(tag) {
                // `a <b` or `<3` in SRT: text.
                out.push('<');
                rest = &rest[lt + 1..];
                continue;
            }
            if voice.is_none()
                && let Some(annotation) = tag.strip_prefix('v').filter(|t| t.starts_with([' ', '\t', '.']))
            {
                // `<v.loud Esme Rose>`: classes up to the first white space, then the name.
                let name = annotation.split_once([' ', '\t']).map_or("", |(_, name)| name).trim();
                if !name.is_empty() {
                    voice = Some(decode(name));
                }
            }
            rest = &rest[lt + gt + 1..];
        }
        out.push_str(&decode(rest));
    }
    (voice, out)
}

/// The inside of a formatting tag (`i`, `/b`, `font color="red"`, `v.loud Esme`): the WebVTT
/// tags and the ones subtitle editors put in SRT.
pub(super) fn is_cue_tag(inside: &str) -> bool {
    let name = inside.strip_prefix('/').unwrap_or(inside);
    let end = name.find(|c: char| c.is_whitespace() || c == '.').unwrap_or(name.len());
    matches!(name[..end].to_ascii_lowercase().as_str(), "i" | "b" | "u" | "font" | "v" | "c" | "ruby" | "rt" | "lang")
}

/// `text` without formatting tags (see [`is_cue_tag`]), however nested: no output format could
/// tell them from the tags it reads.
pub(super) fn strip_cue_tags(text: &str) -> String {
    let mut text = text.to_owned();
    loop {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        let mut changed = false;
        while let Some(lt) = rest.find('<') {
            out.push_str(&rest[..lt]);
            match rest[lt..].find('>') {
                Some(gt) if is_cue_tag(&rest[lt + 1..lt + gt]) => {
                    rest = &rest[lt + gt + 1..];
                    changed = true;
                }
                _ => {
                    out.push('<');
                    rest = &rest[lt + 1..];
                }
            }
        }
        out.push_str(rest);
        if !changed {
            return out;
        }
        text = out;
    }
}

/// HTML and WebVTT character references decoded (`&amp;`, `&lt;`, `&#39;`, `&#x27;`…).
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[1..e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                "lrm" => '\u{200e}',
                "rlm" => '\u{200f}',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_vtt(text: &str) -> Result<Transcript, Failure> {
        parse(text.strip_prefix('\u{feff}').unwrap_or(text)).map(|cues| Transcript { cues })
    }

    #[test]
    fn full_document() {
        let text = "\u{feff}WEBVTT - demo\r\nKind: captions\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\nNOTE a comment\r\n\r\nintro\r\n00:00.500 --> 00:04.000 align:start\r\n<v.loud Camille Dupont>Bonjour &amp; bienvenue\r\nà Léaz</v>\r\n\r\n01:00:00.000 --> 01:00:01.250\r\n<i>Merci</i> &lt;3\r\n";
        let t = parse_vtt(text).unwrap();
        assert_eq!(t.cues.len(), 2);
        assert_eq!(t.cues[0].start_ms, 500);
        assert_eq!(t.cues[0].voice.as_deref(), Some("Camille Dupont"));
        assert_eq!(t.cues[0].text, "Bonjour & bienvenue\nà Léaz");
        assert_eq!(t.cues[0].at, Position::Line(10));
        assert_eq!(t.cues[1].start_ms, 3_600_000);
        assert_eq!(t.cues[1].text, "Merci <3");
    }

    #[test]
    fn errors_carry_lines() {
        assert_eq!(parse_vtt("WEBVTTX\n").unwrap_err().0, Position::Line(1));
        let e = parse_vtt("WEBVTT\n\n00:00:01,000 --> 00:00:02.000\nx\n").unwrap_err();
        assert_eq!(e, (Position::Line(3), TranscriptError::BadTimestamp { value: "00:00:01,000".into() }));
        let e = parse_vtt("WEBVTT\n\n00:02.000 --> 00:01.000\nx\n").unwrap_err();
        assert_eq!(e.0, Position::Line(3));
        assert!(matches!(e.1, TranscriptError::EndBeforeStart { .. }));
        let e = parse_vtt("WEBVTT\n\nhello\nworld\n").unwrap_err();
        assert_eq!(e, (Position::Line(3), TranscriptError::MissingTiming));
        // A time line inside a payload starts the next cue.
        let t = parse_vtt("WEBVTT\n\n00:01.000 --> 00:02.000\nun\n00:03.000 --> 00:04.000\ndeux\n").unwrap();
        assert_eq!(t.cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["un", "deux"]);
        assert!(parse_timestamp("1:00:00.000").is_none());
        assert!(parse_timestamp("00:60.000").is_none());
        // Over 100 hours, or a number of hours that would overflow: refused, not wrapped.
        assert_eq!(parse_timestamp("100:00:00.000"), Some(360_000_000));
        assert!(parse_timestamp("100:00:00.001").is_none());
        assert!(parse_timestamp("99999999999999999:00:00.000").is_none());
    }
}
