//! The HTML transcript: a page of its own, in the Podcast Index layout (`<cite>` when the
//! speaker changes, then `<time>` and `<p>` per passage), each time a link to that moment.

use super::{Speakers, Transcript, speaker_name};
use crate::markdown::html_escape;

/// What the page says around the transcript.
pub struct HtmlContext<'a> {
    pub title: &'a str,
    /// The episode page's address; times link to `<page>#t=<seconds>`.
    pub page: &'a str,
    pub language: &'a str,
}

/// `M:SS` or `H:MM:SS`.
fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Writes the HTML transcript; speakers named through `speakers`.
pub fn write_html(transcript: &Transcript, context: &HtmlContext<'_>, speakers: &Speakers) -> String {
    let title = html_escape(context.title);
    let page = html_escape(context.page);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Transcription — {title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p><a href=\"{page}\">Écouter l’épisode</a></p>\n",
        html_escape(context.language)
    );
    let mut previous = None;
    for passage in transcript.passages(60_000) {
        let name = passage.voice.map(|v| speaker_name(speakers, v));
        if let Some(name) = name
            && Some(name) != previous
        {
            out.push_str(&format!("<cite>{}:</cite>\n", html_escape(name)));
        }
        previous = name;
        let seconds = passage.start_ms / 1000;
        out.push_str(&format!(
            "<time datetime=\"PT{seconds}S\"><a href=\"{page}#t={seconds}\">{}</a></time>\n<p>{}</p>\n",
            clock(passage.start_ms),
            html_escape(&passage.text())
        ));
    }
    out.push_str("</body>\n</html>\n");
    out
}
