//! JSON chapters 1.2 (Podcasting 2.0, `jsonChapters.md`) from the plain chapters block.

use serde::Serialize;

use crate::catalog::{Catalog, Episode};
use crate::util::urls::Urls;

/// The document served as `application/json+chapters`.
#[derive(Debug, Serialize)]
pub(crate) struct ChaptersJson {
    pub version: &'static str,
    pub title: String,
    #[serde(rename = "podcastName")]
    pub podcast_name: String,
    pub chapters: Vec<ChapterJson>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChapterJson {
    /// Seconds.
    #[serde(rename = "startTime")]
    pub start_time: f64,
    pub title: String,
    /// The method page the chapter is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The chapters of an episode. `urls` must be channel.toml's: these bytes are recorded in the
/// ledger, so they may not depend on where a build was served.
pub(crate) fn chapters_json(catalog: &Catalog, episode: &Episode, urls: &Urls) -> ChaptersJson {
    ChaptersJson {
        version: "1.2.0",
        title: episode.title.clone(),
        podcast_name: catalog.channel.title.clone(),
        chapters: episode
            .chapters
            .iter()
            .map(|c| ChapterJson {
                start_time: c.start_ms as f64 / 1000.0,
                title: c.title.clone(),
                url: c.method.as_ref().map(|m| urls.method(m)),
            })
            .collect(),
    }
}
