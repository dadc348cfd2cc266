//! Reading a built generation: its pages, its redirects and its search index, for `search` and
//! for the server (which keeps one open and switches to the next as builds make them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Project;
use crate::generate::{Generation, current_generation, preview_generation};
use crate::search::{Query, SearchError, SearchResults, Searcher};
use crate::site::{Pages, TemplateError};

/// Why a page rendered on request could not be.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("the generation has no pages.json (built by an older version): build again")]
    NoPages,
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// A generation opened for reading.
#[derive(Debug)]
pub struct OpenGeneration {
    generation: Generation,
    /// Old path → new path (`_redirects.json`).
    redirects: BTreeMap<String, String>,
    /// The generation's search index, opened on its own directory.
    searcher: Result<Searcher, SearchError>,
    /// Its request-time pages, as it was built (`None` for a generation without them).
    pages: Option<Pages>,
    /// Keeps builds from deleting the generation while it is open.
    _hold: Option<std::fs::File>,
}

impl OpenGeneration {
    fn open(generation: Generation) -> Self {
        let redirects = std::fs::read(generation.www().join("_redirects.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let searcher = Searcher::open(&generation.index());
        let pages = std::fs::read(generation.pages())
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .and_then(|source| Pages::new(source).ok());
        let hold = generation.hold().ok();
        OpenGeneration { generation, redirects, searcher, pages, _hold: hold }
    }

    /// `gen-N` or `preview-N`.
    pub fn name(&self) -> &str {
        &self.generation.name
    }

    /// Its `www/`, resolved (not through the `current` link): every request answered from one
    /// generation, even while a build swaps the link.
    pub fn www(&self) -> PathBuf {
        self.generation.www()
    }

    /// Where an old page or file of a renamed episode moved to.
    pub fn redirect(&self, path: &str) -> Option<&str> {
        self.redirects.get(path).map(String::as_str)
    }

    /// Answers a search on this generation's index.
    pub fn search(&self, query: &Query) -> Result<SearchResults, SearchError> {
        self.searcher.as_ref().map_err(Clone::clone)?.search(query)
    }

    /// The passages of this generation's index that name a method of `catalog` in episodes not
    /// linked to it: (method slug, passage).
    pub(crate) fn method_mentions(&self, catalog: &crate::catalog::Catalog) -> Vec<(String, crate::search::Mention)> {
        let Ok(searcher) = &self.searcher else { return Vec::new() };
        crate::site::method_mentions(catalog, searcher)
            .into_iter()
            .flat_map(|(m, list)| list.into_iter().map(move |x| (m.clone(), x)))
            .collect()
    }

    /// Where this generation's media are served from, when it was built with a media host of
    /// its own (`media_base_url`), for the pages' Content-Security-Policy.
    pub fn media_base(&self) -> Option<&str> {
        self.pages.as_ref().map(Pages::media_base).filter(|m| !m.is_empty())
    }

    /// The search page of `results`, in this generation's theme.
    pub fn search_page(&self, results: &SearchResults) -> Result<String, PageError> {
        let pages = self.pages.as_ref().ok_or(PageError::NoPages)?;
        Ok(pages.search(results)?)
    }
}

impl Project {
    /// The generation `build/current` names, opened.
    pub fn open_current(&self) -> Option<OpenGeneration> {
        current_generation(self.root()).map(OpenGeneration::open)
    }

    /// The preview `build/preview` names, opened.
    pub fn open_preview(&self) -> Option<OpenGeneration> {
        preview_generation(self.root()).map(OpenGeneration::open)
    }

    /// Searches the last build's transcripts and show notes.
    pub fn search(&self, query: &Query) -> Result<SearchResults, SearchError> {
        let generation =
            self.open_current().ok_or_else(|| SearchError::NoIndex(Path::new("build/current/index").to_path_buf()))?;
        generation.search(query)
    }
}
