//! SubRip (SRT): no formal standard, so read leniently (`,` or `.` before the milliseconds,
//! hours optional, a missing index or blank line tolerated) and written plainly.

use super::vtt::{Timestamp, parse_payload, parse_timing, wrap};
use super::{Cue, Failure, Speakers, Transcript, TranscriptError, cue, speaker_name};
use crate::problem::Position;

/// Parses SRT (its BOM already removed); an error carries the line where it is.
pub(super) fn parse(text: &str) -> Result<Vec<Cue>, Failure> {
    let lines: Vec<&str> = text.lines().collect();
    let blank = |l: &str| l.trim().is_empty();
    let index = |l: &str| !l.is_empty() && l.trim().bytes().all(|b| b.is_ascii_digit());
    let timing = |l: &str| l.contains("-->");
    // A cue starts at an index line followed by a time line, or at a time line.
    let starts_cue = |i: usize| timing(lines[i]) || (index(lines[i]) && lines.get(i + 1).is_some_and(|l| timing(l)));
    let mut cues = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if blank(lines[i]) {
            i += 1;
            continue;
        }
        if index(lines[i]) && lines.get(i + 1).is_some_and(|l| timing(l)) {
            i += 1;
        }
        if !timing(lines[i]) {
            return Err((Position::Line(i + 1), TranscriptError::MissingTiming));
        }
        let at = Position::Line(i + 1);
        let (start_ms, end_ms) = parse_timing(lines[i].trim(), parse_timestamp).map_err(|e| (at, e))?;
        i += 1;
        let from = i;
        while i < lines.len() && !blank(lines[i]) && !starts_cue(i) {
            i += 1;
        }
        let (voice, text) = parse_payload(&lines[from..i], false);
        cues.push(cue(start_ms, end_ms, voice.as_deref(), &text, at));
    }
    Ok(cues)
}

/// `hh:mm:ss,ttt`, also with a dot, one-digit hours, no hours, or fewer millisecond digits.
pub(super) fn parse_timestamp(s: &str) -> Option<u64> {
    let (clock, fraction) = s.split_once([',', '.'])?;
    if fraction.is_empty() || fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis = fraction.parse::<u64>().ok()? * 10u64.pow(3 - fraction.len() as u32);
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [m, s] => ("0", *m, *s),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let number = |p: &str, max: usize| {
        (!p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse::<u64>().ok())?
    };
    let (h, m, sec) = (number(h, 4)?, number(m, 2)?, number(sec, 2)?);
    if m >= 60 || sec >= 60 {
        return None;
    }
    super::within_limit(h, m, sec, millis)
}

/// Writes SRT: numbered cues, the speaker's name (mapped through `speaker`) as `Name: ` when
/// it changes, as the Podcast Index example does.
pub(crate) fn write_srt(transcript: &Transcript, speakers: &Speakers) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    for (n, cue) in transcript.cues.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}\n{} --> {}", n + 1, Timestamp(cue.start_ms, ','), Timestamp(cue.end_ms, ','));
        let name = cue.voice.as_deref().map(|v| speaker_name(speakers, v));
        // Named again when the text itself starts like a label (`A: …`), which would be read
        // as the speaker otherwise.
        let looks_labelled = super::labels::split_label(&cue.text).0.is_some();
        let mut prefix = name.filter(|n| Some(*n) != previous || looks_labelled).map(super::labels::srt_prefix);
        previous = name;
        wrap(&cue.text, 65, |line| {
            if let Some(p) = prefix.take() {
                out.push_str(&p);
            }
            out.push_str(line);
            out.push('\n');
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_reading() {
        let text = "1\n00:00:01,000 --> 00:00:02.5\nTravis: <i>Bonjour</i> {\\an8}à tous\n2\n0:00:03,000 --> 0:00:04,000\nsuite\n\n\n00:05,000 --> 00:06,000 X1:10\n[SPEAKER_01]: autre\n";
        let cues = parse(text).unwrap();
        assert_eq!(cues.len(), 3);
        assert_eq!((cues[0].start_ms, cues[0].end_ms), (1000, 2500));
        assert_eq!(cues[0].voice.as_deref(), Some("Travis"));
        assert_eq!(cues[0].text, "Bonjour à tous");
        assert_eq!(cues[1].at, Position::Line(5));
        assert_eq!(cues[2].voice.as_deref(), Some("SPEAKER_01"));
        let e = parse("1\n00:00:02,000 --> 00:00:01,000\nx\n").unwrap_err();
        assert_eq!(e.0, Position::Line(2));
        assert_eq!(parse("1\nbonjour\n").unwrap_err(), (Position::Line(1), TranscriptError::MissingTiming));
        // Only the tags subtitle tools write are tags; other `<` are text.
        let cues = parse("1\n00:00:01,000 --> 00:00:02,000\n<font color=\"red\">a</font> <3 b <> c <<i>i>\n").unwrap();
        assert_eq!(cues[0].text, "a <3 b <> c");
    }
}
