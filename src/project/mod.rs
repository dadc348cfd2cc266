//! The library's front door: a show on disk, the clock, and one method per operation.
//!
//! The command line (in the binary) and the server's handlers call these methods and nothing
//! below them, so that an operation has the same checks and the same messages wherever it is
//! started from (Zola's `Site`, mdBook's `MDBook` are the shape):
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let project = veillee::project::Project::open(std::path::Path::new("."))?;
//! let report = project.check()?;
//! println!("{report}");
//! # Ok(()) }
//! ```

mod archive;
mod build;
mod check;
mod deploy;
mod episodes;
mod history;
mod import;
mod master;
mod probe;
mod publish;
mod scaffold;
mod search;
mod staff;
mod staging;
mod stamp;
mod transcripts;

use std::path::{Path, PathBuf};

pub use archive::{Retracted, log_line};
pub use build::{BuildOptions, Feed};
pub use check::CheckReport;
pub use episodes::{
    Changed, Choices, EpisodeDetails, EpisodeRow, EpisodeText, Mastering, Review, TranscriptFacts, Upload, WorkError,
};
pub use history::{History, Identity};
pub use import::{ImportOptions, ImportReport, Outcome};
pub use master::MasterReport;
pub use probe::ProbeReport;
pub use probe::{LoudnessProbed, LoudnessReport, Probed};
pub use publish::Published;
pub use publish::{PublishError, PublishOptions};
pub use scaffold::{InitOptions, NewPage};
pub use search::{OpenGeneration, PageError};
pub use staff::{NewStaff, Role, STAFF_FILE, StaffError, StaffMember};
pub use staging::{Staging, UPLOADS_DIR};
pub use transcripts::ImportError;

use crate::catalog::{Catalog, LoadOptions};
use crate::problem::Problems;
use crate::util::IoError;

/// Errors of opening a project and of `init` and `new`: usage mistakes rather than bad sources.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(
        "no feed/channel.toml in {} or any parent directory — run `veillee init` to create a show, or pass --root",
        .start.display()
    )]
    NoRoot { start: PathBuf },
    #[error("{} already exists — choose another title or edit the existing file", .path.display())]
    Exists { path: PathBuf },
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(
        "the slug `{slug}` was published before (see feed/archive.toml): a new episode needs another title, so that old links and downloads never point to it"
    )]
    SlugUsed { slug: String },
    #[error("feed/archive.toml cannot be read:\n{0}")]
    Ledger(Problems),
    #[error("invalid {what} `{value}`: {why}")]
    Invalid { what: &'static str, value: String, why: &'static str },
    #[error("SOURCE_DATE_EPOCH=`{0}` is not a number of seconds")]
    Clock(String),
}

/// Where the time of an operation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, read when an operation needs it.
    System,
    /// A fixed time: `SOURCE_DATE_EPOCH` (reproducible builds) or a test's.
    Fixed(jiff::Timestamp),
}

impl Clock {
    /// `SOURCE_DATE_EPOCH` when set, else the system clock.
    pub(crate) fn from_env() -> Result<Clock, ProjectError> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|s| jiff::Timestamp::from_second(s).ok())
                .map(Clock::Fixed)
                .ok_or(ProjectError::Clock(v)),
            Err(_) => Ok(Clock::System),
        }
    }

    pub fn now(self) -> jiff::Timestamp {
        match self {
            Clock::System => jiff::Timestamp::now(),
            Clock::Fixed(t) => t,
        }
    }
}

/// A show on disk and how to work on it.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
    clock: Clock,
    load: LoadOptions,
    /// The process ends after the operation: big values are not freed piece by piece.
    short_lived: bool,
}

impl Project {
    /// The show at `start` or the nearest directory above it holding `feed/channel.toml`, with
    /// the clock of [`Clock::from_env`] and probes cached under `.veillee/`.
    pub fn open(start: &Path) -> Result<Project, ProjectError> {
        let start = start.canonicalize().map_err(|e| IoError::new(start, e))?;
        let root = start
            .ancestors()
            .find(|dir| dir.join("feed/channel.toml").is_file())
            .ok_or_else(|| ProjectError::NoRoot { start: start.clone() })?;
        Ok(Project::at(root).with_clock(Clock::from_env()?))
    }

    /// The show whose root is exactly `root` (nothing is looked for or checked), on the system
    /// clock.
    pub fn at(root: &Path) -> Project {
        Project {
            root: root.to_path_buf(),
            clock: Clock::System,
            load: LoadOptions::for_root(root),
            short_lived: false,
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// For a process that ends right after one operation (the command line): the catalog is
    /// then not freed piece by piece, which costs a tenth of an unchanged build of 10,000
    /// episodes.
    pub fn short_lived(mut self) -> Self {
        self.short_lived = true;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The time an operation happens at, in whole seconds (the ledger's precision).
    pub fn now(&self) -> jiff::Timestamp {
        let now = self.clock.now();
        jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
    }

    /// Reads and checks every source.
    pub(crate) fn load(&self) -> Result<Catalog, Problems> {
        Catalog::load(&self.root, &self.load)
    }

    /// A watch on the sources (every file of feed/, episodes/, transcripts/ and site/ with its
    /// identity), for `serve --watch`.
    pub fn watch_sources(&self) -> SourceWatch {
        SourceWatch(stamp::Sources::list(self.root()))
    }

    /// Lets go of a value the operation is done with (see [`Project::short_lived`]).
    fn release<T>(&self, value: T) {
        if self.short_lived {
            std::mem::forget(value);
        }
    }

    /// A path for messages: relative to the root when it is inside it.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// The sources as last listed ([`Project::watch_sources`]).
#[derive(Debug)]
pub struct SourceWatch(Option<stamp::Sources>);

impl SourceWatch {
    /// Whether a source file was added, removed or changed since the last call (or the watch
    /// began): one `stat` per file, no file read.
    pub fn changed(&mut self, project: &Project) -> bool {
        let now = stamp::Sources::list(project.root());
        let changed = match (&self.0, &now) {
            (Some(before), Some(after)) => !before.same_files(after),
            (None, None) => false,
            _ => true,
        };
        self.0 = now;
        changed
    }
}
