//! Show notes and page texts: Markdown to sanitized HTML, and plain-text summaries.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// Markdown to HTML with anything unsafe removed (scripts, event handlers, foreign tags).
pub fn to_html(markdown: &str) -> String {
    blocks(markdown).concat()
}

/// The sanitized HTML of each top-level block (paragraph, list, heading…), so that a text can be
/// cut between blocks.
pub fn blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut depth = 0usize;
    for event in Parser::new_ext(markdown, options()) {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        current.push(event);
        if depth == 0 {
            let mut raw = String::new();
            html::push_html(&mut raw, current.drain(..));
            let clean = sanitize(&raw);
            if !clean.trim().is_empty() {
                out.push(clean);
            }
        }
    }
    out
}

/// Building ammonia's rules costs more than cleaning a paragraph: they are built once.
static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.link_rel(Some("noopener"));
    builder
});

fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// The text of the first paragraph, without markup: the default summary of an episode.
pub fn first_paragraph(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_paragraph = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) if in_paragraph => break,
            Event::Text(t) | Event::Code(t) if in_paragraph => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_paragraph => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// The words of a text without markup, one line per block (what the search index reads).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow,
            ) if !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes() {
        let html = to_html("Bonjour <script>alert(1)</script> <a href=\"x\" onclick=\"y\">lien</a> & fin");
        assert!(!html.contains("script"));
        assert!(!html.contains("onclick"));
        assert!(html.contains("&amp; fin"));
    }

    #[test]
    fn summary_is_first_paragraph() {
        assert_eq!(first_paragraph("Une *belle*\nhistoire.\n\nSuite."), "Une belle histoire.");
    }
}
