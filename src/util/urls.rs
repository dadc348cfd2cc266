//! The public URLs of everything Veillée publishes (docs/ARCHITECTURE.md, "URLs"), in one place
//! so that the feed, the pages and the server agree.

/// The two roots every URL hangs from, without trailing slashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Urls {
    /// The website and the feed.
    pub base: String,
    /// The audio files (a CDN, or `base`).
    pub media_base: String,
}

impl Urls {
    pub(crate) fn new(base: &str, media_base: &str) -> Self {
        Urls { base: base.trim_end_matches('/').to_owned(), media_base: media_base.trim_end_matches('/').to_owned() }
    }

    /// The same addresses as paths from the site root (`/episodes/x/`), for links between pages:
    /// a build then works in a browser on any host. Media on another host (a CDN) stay absolute.
    #[must_use]
    pub(crate) fn relative(&self) -> Urls {
        let media_base = if self.media_base == self.base { String::new() } else { self.media_base.clone() };
        Urls { base: String::new(), media_base }
    }

    pub(crate) fn home(&self) -> String {
        format!("{}/", self.base)
    }

    pub(crate) fn feed(&self) -> String {
        format!("{}/feed.xml", self.base)
    }

    /// Page `n` of the main feed: `feed.xml`, then `feed/2.xml`…
    pub(crate) fn feed_page(&self, n: usize) -> String {
        if n <= 1 { self.feed() } else { format!("{}/feed/{n}.xml", self.base) }
    }

    pub(crate) fn method_feed(&self, slug: &str) -> String {
        format!("{}/methodes/{slug}/feed.xml", self.base)
    }

    pub(crate) fn partner_feed(&self, slug: &str) -> String {
        format!("{}/partenaires/{slug}/feed.xml", self.base)
    }

    pub(crate) fn episode(&self, slug: &str) -> String {
        format!("{}{}", self.base, episode_path(slug))
    }

    pub(crate) fn media(&self, name: &str) -> String {
        format!("{}/media/{name}", self.media_base)
    }

    pub(crate) fn image(&self, name: &str) -> String {
        format!("{}/images/{name}", self.base)
    }

    pub(crate) fn transcript(&self, slug: &str, ext: &str) -> String {
        format!("{}/transcripts/{slug}.{ext}", self.base)
    }

    pub(crate) fn chapters(&self, slug: &str) -> String {
        format!("{}/chapters/{slug}.chapters.json", self.base)
    }

    pub(crate) fn method(&self, slug: &str) -> String {
        format!("{}/methodes/{slug}/", self.base)
    }

    pub(crate) fn partner(&self, slug: &str) -> String {
        format!("{}/partenaires/{slug}/", self.base)
    }

    pub(crate) fn territory(&self, slug: &str) -> String {
        format!("{}/territoires/{slug}/", self.base)
    }
}

/// The path of an episode page, from the site root.
pub(crate) fn episode_path(slug: &str) -> String {
    format!("/episodes/{slug}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_between_pages_are_root_relative() {
        let urls = Urls::new("https://podcast.example.org/", "https://podcast.example.org");
        assert_eq!(urls.episode("a"), "https://podcast.example.org/episodes/a/");
        let links = urls.relative();
        assert_eq!(
            (links.home(), links.episode("a"), links.media("a.mp3")),
            ("/".into(), "/episodes/a/".into(), "/media/a.mp3".into())
        );
        let cdn = Urls::new("https://podcast.example.org", "https://cdn.example.net").relative();
        assert_eq!(cdn.media("a.mp3"), "https://cdn.example.net/media/a.mp3", "media on a CDN stay where they are");
    }
}
