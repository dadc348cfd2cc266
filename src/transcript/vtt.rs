//! A WebVTT reader (W3C WebVTT): header, NOTE/STYLE/REGION blocks, cue ids and settings,
//! `<v Speaker>` voice spans, other tags and entities, LF/CRLF/CR line ends.

use super::{Cue, Transcript, TranscriptError};

type Failure = (usize, TranscriptError);

/// Parses a WebVTT document; an error carries the 1-based line where it is.
pub fn parse_vtt(text: &str) -> Result<Transcript, Failure> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        text
    };
    if text.trim().is_empty() {
        return Err((1, TranscriptError::Empty));
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let header = lines[0];
    let header_ok = header == "WEBVTT" || header.strip_prefix("WEBVTT").is_some_and(|r| r.starts_with([' ', '\t']));
    if !header_ok {
        return Err((1, TranscriptError::MissingHeader));
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
            _ => return Err((start + 1, TranscriptError::MissingTiming)),
        };
        let line = start + timing_index + 1;
        let (start_ms, end_ms) = parse_timing(timing).map_err(|e| (line, e))?;
        let payload = &block[timing_index + 1..];
        let (voice, text) = parse_payload(payload);
        if text.trim().is_empty() {
            return Err((line, TranscriptError::EmptyCue));
        }
        cues.push(Cue { start_ms, end_ms, voice, text, line });
    }
    Ok(Transcript { cues })
}

fn is_keyword(line: &str, keyword: &str) -> bool {
    line == keyword || line.strip_prefix(keyword).is_some_and(|r| r.starts_with([' ', '\t']))
}

fn parse_timing(line: &str) -> Result<(u64, u64), TranscriptError> {
    let (left, right) = line.split_once("-->").ok_or(TranscriptError::MissingTiming)?;
    let start_text = left.trim();
    let end_text = right.split_whitespace().next().unwrap_or("");
    let start =
        parse_timestamp(start_text).ok_or_else(|| TranscriptError::BadTimestamp { value: start_text.into() })?;
    let end = parse_timestamp(end_text).ok_or_else(|| TranscriptError::BadTimestamp { value: end_text.into() })?;
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
    Some(((h * 60 + m) * 60 + sec) * 1000 + millis.parse::<u64>().ok()?)
}

/// Text without tags, with entities decoded, and the first voice span's name.
fn parse_payload(lines: &[&str]) -> (Option<String>, String) {
    let mut voice = None;
    let mut out = String::new();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut rest = *line;
        while let Some(lt) = rest.find('<') {
            out.push_str(&decode_entities(&rest[..lt]));
            let Some(gt) = rest[lt..].find('>') else {
                // An unclosed `<` is text, as browsers treat it.
                out.push_str(&decode_entities(&rest[lt..]));
                rest = "";
                break;
            };
            let tag = &rest[lt + 1..lt + gt];
            if voice.is_none()
                && let Some(annotation) = tag.strip_prefix('v').filter(|t| t.starts_with([' ', '\t', '.']))
            {
                // `<v.loud Esme Rose>`: classes up to the first white space, then the name.
                let name = annotation.split_once([' ', '\t']).map_or("", |(_, name)| name).trim();
                if !name.is_empty() {
                    voice = Some(decode_entities(name));
                }
            }
            rest = &rest[lt + gt + 1..];
        }
        out.push_str(&decode_entities(rest));
    }
    (voice, out.trim().to_owned())
}

fn decode_entities(s: &str) -> String {
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

    #[test]
    fn full_document() {
        let text = "\u{feff}WEBVTT - demo\r\nKind: captions\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\nNOTE a comment\r\n\r\nintro\r\n00:00.500 --> 00:04.000 align:start\r\n<v.loud Camille Dupont>Bonjour &amp; bienvenue\r\nà Léaz</v>\r\n\r\n01:00:00.000 --> 01:00:01.250\r\n<i>Merci</i> &lt;3\r\n";
        let t = parse_vtt(text).unwrap();
        assert_eq!(t.cues.len(), 2);
        assert_eq!(t.cues[0].start_ms, 500);
        assert_eq!(t.cues[0].voice.as_deref(), Some("Camille Dupont"));
        assert_eq!(t.cues[0].text, "Bonjour & bienvenue\nà Léaz");
        assert_eq!(t.cues[0].line, 10);
        assert_eq!(t.cues[1].start_ms, 3_600_000);
        assert_eq!(t.cues[1].text, "Merci <3");
    }

    #[test]
    fn errors_carry_lines() {
        assert_eq!(parse_vtt("WEBVTTX\n").unwrap_err().0, 1);
        let e = parse_vtt("WEBVTT\n\n00:00:01,000 --> 00:00:02.000\nx\n").unwrap_err();
        assert_eq!(e, (3, TranscriptError::BadTimestamp { value: "00:00:01,000".into() }));
        let e = parse_vtt("WEBVTT\n\n00:02.000 --> 00:01.000\nx\n").unwrap_err();
        assert_eq!(e.0, 3);
        assert!(matches!(e.1, TranscriptError::EndBeforeStart { .. }));
        let e = parse_vtt("WEBVTT\n\nhello\nworld\n").unwrap_err();
        assert_eq!(e, (3, TranscriptError::MissingTiming));
        assert!(parse_timestamp("1:00:00.000").is_none());
        assert!(parse_timestamp("00:60.000").is_none());
    }
}
