//! The public URLs of everything Veillée publishes (ARCHITECTURE.md, "URLs"), in one place so
//! that the feed, the pages and the server agree.

/// The two roots every URL hangs from, without trailing slashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    /// The website and the feed.
    pub base: String,
    /// The audio files (a CDN, or `base`).
    pub media_base: String,
}

impl Urls {
    pub fn new(base: &str, media_base: &str) -> Self {
        Urls { base: base.trim_end_matches('/').to_owned(), media_base: media_base.trim_end_matches('/').to_owned() }
    }

    pub fn home(&self) -> String {
        format!("{}/", self.base)
    }

    pub fn feed(&self) -> String {
        format!("{}/feed.xml", self.base)
    }

    pub fn episode(&self, slug: &str) -> String {
        format!("{}{}", self.base, episode_path(slug))
    }

    pub fn media(&self, name: &str) -> String {
        format!("{}/media/{name}", self.media_base)
    }

    pub fn image(&self, name: &str) -> String {
        format!("{}/images/{name}", self.base)
    }

    pub fn transcript(&self, slug: &str, ext: &str) -> String {
        format!("{}/transcripts/{slug}.{ext}", self.base)
    }

    pub fn chapters(&self, slug: &str) -> String {
        format!("{}/chapters/{slug}.chapters.json", self.base)
    }

    pub fn method(&self, slug: &str) -> String {
        format!("{}/methodes/{slug}/", self.base)
    }

    pub fn partner(&self, slug: &str) -> String {
        format!("{}/partenaires/{slug}/", self.base)
    }

    pub fn territory(&self, slug: &str) -> String {
        format!("{}/territoires/{slug}/", self.base)
    }
}

/// The path of an episode page, from the site root.
pub fn episode_path(slug: &str) -> String {
    format!("/episodes/{slug}/")
}
