//! `transcript import`: another tool's transcript becomes an episode's WebVTT.

use std::path::{Path, PathBuf};

use super::Project;
use crate::catalog::{episode_speakers, slug};
use crate::problem::Problems;
use crate::transcript::{Imported, ReadOptions, convert};
use crate::util::{IoContext, IoError};

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no episode `{slug}` (episodes/{slug}.md){}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    NoEpisode { slug: String, suggestion: Option<String> },
    #[error(transparent)]
    Problems(#[from] Problems),
    #[error(transparent)]
    Io(#[from] IoError),
}

impl Project {
    /// Imports `file` as the transcript of episode `slug`: `transcripts/<slug>.vtt` is written to a
    /// temporary file and renamed, so a failed import leaves the old transcript as it was.
    pub fn import_transcript(&self, slug: &str, file: &Path, options: &ReadOptions) -> Result<Imported, ImportError> {
        let source = self.root().join("episodes").join(format!("{slug}.md"));
        if !slug::is_slug(slug) || !source.is_file() {
            let known: Vec<String> = std::fs::read_dir(self.root().join("episodes"))
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str()?.strip_suffix(".md").map(str::to_owned))
                .collect();
            let suggestion = crate::util::text::closest(slug, known.iter().map(String::as_str));
            return Err(ImportError::NoEpisode { slug: slug.to_owned(), suggestion });
        }
        let speakers = episode_speakers(&source).map_err(|p| Problems(vec![p.relative_to(self.root())]))?;
        let (vtt, mut imported) = convert(file, options, &speakers)?;
        let rel = PathBuf::from("transcripts").join(format!("{slug}.vtt"));
        let dest = self.root().join(&rel);
        imported.replaced = dest.exists();
        crate::util::fs::write_atomic(&dest, vtt.as_bytes()).at(&rel)?;
        imported.path = rel;
        Ok(imported)
    }
}
