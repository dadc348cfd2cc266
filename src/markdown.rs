//! Show notes and page texts: Markdown to sanitized HTML, and plain-text summaries.

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// Markdown to HTML with anything unsafe removed (scripts, event handlers, foreign tags).
pub(crate) fn to_html(markdown: &str) -> String {
    blocks(markdown).concat()
}

/// The sanitized HTML of each top-level block (paragraph, list, heading…), so that a text can be
/// cut between blocks.
pub(crate) fn blocks(markdown: &str) -> Vec<String> {
    render(markdown, Flavour::Page, None)
}

/// Show notes as the outputs need them, rendered once per episode: the page's HTML (its links as
/// written: they resolve on the page), and Apple's subset for a feed's `description`. The feed
/// has no base address: where a link or image of the notes is relative, [`Notes::for_feed`]
/// renders both again with the episode page's address as base.
#[derive(Debug, Clone)]
pub(crate) struct Notes {
    /// Sanitized HTML, one string per top-level block.
    pub page: Vec<String>,
    /// The same reduced to `<p> <ol> <ul> <li> <a>`, the tags Apple allows in a description
    /// (made when a feed asks).
    apple: std::sync::OnceLock<Vec<String>>,
    /// Some link or image is relative (or raw HTML may hold one).
    relative: bool,
}

impl Notes {
    pub(crate) fn new(markdown: &str) -> Self {
        let mut relative = false;
        let page = render_with(markdown, Flavour::Page, None, |e| relative = relative || is_relative(e));
        Notes { page, apple: std::sync::OnceLock::new(), relative }
    }

    /// The blocks of a description, as written.
    pub(crate) fn apple(&self, markdown: &str) -> &[String] {
        self.apple.get_or_init(|| render(markdown, Flavour::Apple, None))
    }

    /// The HTML of `content:encoded` and the blocks of `description`, every URL absolute against
    /// `page_url` (the episode's page).
    pub(crate) fn for_feed(&self, markdown: &str, page_url: &str) -> (Cow<'_, [String]>, Cow<'_, [String]>) {
        match ammonia::Url::parse(page_url) {
            Ok(base) if self.relative => (
                Cow::Owned(render(markdown, Flavour::Page, Some(&base))),
                Cow::Owned(render(markdown, Flavour::Apple, Some(&base))),
            ),
            _ => (Cow::Borrowed(&self.page), Cow::Borrowed(self.apple(markdown))),
        }
    }
}

/// An event that links or points to an address relative to the page.
fn is_relative(event: &Event<'_>) -> bool {
    match event {
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => !is_absolute(dest_url),
        // Rendered as a link to `#name` on the page.
        Event::FootnoteReference(_) => true,
        Event::Html(h) | Event::InlineHtml(h) => {
            let h = h.to_ascii_lowercase();
            h.contains("href") || h.contains("src")
        }
        _ => false,
    }
}

/// A URL with a scheme (`https:`, `mailto:`): it means the same on every page and in a feed.
fn is_absolute(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// Every safe tag.
    Page,
    /// Headings as paragraphs, no emphasis, code as text, quotes unwrapped, table rows as
    /// paragraphs: what a `description` may hold.
    Apple,
}

fn render(markdown: &str, flavour: Flavour, base: Option<&ammonia::Url>) -> Vec<String> {
    render_with(markdown, flavour, base, |_| {})
}

/// [`render`], showing each event of the notes as written to `seen` (one parse serves both).
fn render_with(
    markdown: &str,
    flavour: Flavour,
    base: Option<&ammonia::Url>,
    mut seen: impl FnMut(&Event<'_>),
) -> Vec<String> {
    let owned;
    let builder = match (flavour, base) {
        (Flavour::Page, None) => &*SANITIZER,
        (Flavour::Apple, None) => &*APPLE,
        (flavour, Some(base)) => {
            let mut rules = rules(flavour);
            rules.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
            owned = rules;
            &owned
        }
    };
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut depth = 0usize;
    let mut notes = Footnotes::default();
    for event in Parser::new_ext(markdown, options()) {
        seen(&event);
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match flavour {
            Flavour::Page => current.push(notes.link(event)),
            Flavour::Apple => current.extend(apple(notes.link(event))),
        }
        if depth == 0 {
            let mut raw = String::new();
            html::push_html(&mut raw, current.drain(..));
            let clean = builder.clean(&raw).to_string();
            if !clean.trim().is_empty() {
                out.push(clean);
            }
        }
    }
    out
}

/// Footnotes that lead to their note: pulldown-cmark names them by their labels, which ammonia
/// would strip (no `id` survives unless allowed) or could let clash with the page's own ids. They
/// are numbered in the order they are met and written as HTML with ids the sanitizer keeps,
/// prefixed with [`ID_PREFIX`] like every id of the notes.
#[derive(Default)]
struct Footnotes(Vec<String>);

/// What the sanitizer puts before every id of the notes, so that none is one of the page's.
const ID_PREFIX: &str = "note-";

impl Footnotes {
    fn number(&mut self, label: &str) -> usize {
        match self.0.iter().position(|l| l == label) {
            Some(i) => i + 1,
            None => {
                self.0.push(label.to_owned());
                self.0.len()
            }
        }
    }

    fn link<'a>(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::FootnoteReference(label) => {
                let n = self.number(&label);
                Event::InlineHtml(format!("<sup><a href=\"#{ID_PREFIX}{n}\" id=\"ref-{n}\">{n}</a></sup>").into())
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let n = self.number(&label);
                Event::Html(format!("<div id=\"{n}\"><p><a href=\"#{ID_PREFIX}ref-{n}\">{n}.</a></p>").into())
            }
            Event::End(TagEnd::FootnoteDefinition) => Event::Html("</div>".into()),
            other => other,
        }
    }
}

/// One event of the notes as Apple's subset has it (nothing, or another event).
fn apple(event: Event<'_>) -> Option<Event<'_>> {
    Some(match event {
        Event::Start(Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::TableRow | Tag::TableHead) => {
            Event::Start(Tag::Paragraph)
        }
        Event::End(TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::TableRow | TagEnd::TableHead) => {
            Event::End(TagEnd::Paragraph)
        }
        Event::Start(
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::BlockQuote(_) | Tag::Table(_) | Tag::TableCell,
        )
        | Event::End(
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::BlockQuote(_) | TagEnd::Table,
        ) => return None,
        Event::End(TagEnd::TableCell) => Event::Text(" ".into()),
        Event::Code(code) => Event::Text(code),
        Event::HardBreak => Event::SoftBreak,
        other => other,
    })
}

/// Building ammonia's rules costs more than cleaning a paragraph: they are built once (and
/// again only for the feed's notes with relative links).
static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| rules(Flavour::Page));
static APPLE: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| rules(Flavour::Apple));

fn rules(flavour: Flavour) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    match flavour {
        Flavour::Page => builder
            .link_rel(Some("noopener"))
            .add_tag_attributes("div", ["id"])
            .add_tag_attributes("a", ["id"])
            .id_prefix(Some(ID_PREFIX)),
        // The tags Apple Podcasts allows in a `description`, and a link's address alone.
        Flavour::Apple => builder
            .tags(["p", "ol", "ul", "li", "a"].into())
            .tag_attributes([("a", ["href"].into())].into())
            .generic_attributes(std::collections::HashSet::new())
            .link_rel(None),
    };
    builder
}

/// The text of the first paragraph, without markup: the default summary of an episode.
pub(crate) fn first_paragraph(markdown: &str) -> String {
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
pub(crate) fn plain_text(markdown: &str) -> String {
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
    fn footnotes_lead_to_their_note_and_back() {
        let html =
            to_html("Une note[^a] et une autre[^b].\n\n[^b]: Deux.\n\n[^a]: Une.\n\n<div id=\"lecteur\">x</div>");
        assert!(html.contains("<sup><a href=\"#note-1\" id=\"note-ref-1\" rel=\"noopener\">1</a></sup>"), "{html}");
        assert!(html.contains("<div id=\"note-1\"><p><a href=\"#note-ref-1\" rel=\"noopener\">1.</a></p>"), "{html}");
        assert!(html.contains("<div id=\"note-2\">"), "{html}");
        // A page's own ids cannot be taken by the notes.
        assert!(html.contains("<div id=\"note-lecteur\">") && !html.contains("id=\"lecteur\""), "{html}");
    }

    #[test]
    fn summary_is_first_paragraph() {
        assert_eq!(first_paragraph("Une *belle*\nhistoire.\n\nSuite."), "Une belle histoire.");
    }
}
