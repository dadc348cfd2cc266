//! The command line: argument parsing, one library call per subcommand, error printing and
//! exit codes (0 success, 1 bad input, 2 usage).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::build::current_generation;
use crate::catalog::{Catalog, LoadOptions, TerritoryKind};
use crate::problem::Problems;
use crate::project::{self, InitOptions, NewPage};

/// Veillée publishes a podcast from plain files: the feed, the website, transcripts and archive.
///
/// A show is a directory with feed/channel.toml (the show), episodes/ (one Markdown file per
/// episode and its audio), transcripts/ (WebVTT) and site/ (method, partner and territory pages).
#[derive(Debug, Parser)]
#[command(name = "veillee", version, about, long_about)]
pub struct Cli {
    /// The show's directory (default: the nearest directory above holding feed/channel.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new show here: feed/channel.toml and the source directories.
    Init(Box<InitArgs>),
    /// Create an episode, method, partner or territory page from a title.
    New {
        #[command(subcommand)]
        page: NewCommand,
    },
    /// Check every source and print every problem (exit 1 if any is an error).
    Check,
    /// Publish an episode: check, build, and record it in feed/archive.toml (for good).
    ///
    /// The first publication sets its date for ever (the front matter's date if it is still
    /// to come, else now). To change a published episode's audio, record a new version with
    /// --new-version --reason; --all does it for every published episode that changed.
    Publish {
        /// The episode's slug (its file name in episodes/ without .md).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        slug: Option<String>,
        /// Record a new version of every published episode that changed.
        #[arg(long, requires = "new_version")]
        all: bool,
        /// Record a deliberate change of an already published episode.
        #[arg(long)]
        new_version: bool,
        /// Why the new version (kept in the ledger).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Import transcripts (WebVTT, SRT, whisper, whisperX, whisper.cpp or Podcast Index JSON).
    Transcript {
        #[command(subcommand)]
        command: TranscriptCommand,
    },
    /// Search every transcript and show notes of the last build (words are all required;
    /// "a phrase", -excluded).
    Search {
        /// What to look for, e.g. `"cartographie sensible" enfants`.
        #[arg(required = true, value_name = "WORDS")]
        words: Vec<String>,
        /// Only episodes with this partner (its slug).
        #[arg(long)]
        partner: Option<String>,
        /// Only episodes about this method (its slug).
        #[arg(long)]
        method: Option<String>,
        /// Only episodes about this territory (its slug).
        #[arg(long)]
        territory: Option<String>,
        /// Only episodes published this year.
        #[arg(long)]
        year: Option<u16>,
        /// Only passages said by this speaker.
        #[arg(long)]
        speaker: Option<String>,
        /// The most episodes to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON (the same as /api/search) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Benchmark: index the transcripts of a JSON list of episodes (benches/search.sh).
    #[command(hide = true)]
    BenchIndex {
        #[arg(long)]
        episodes: PathBuf,
        #[arg(long)]
        transcripts: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Benchmark: time queries (a JSON list of /api/search parameters) on a warm index.
    #[command(hide = true)]
    BenchQuery {
        #[arg(long)]
        index: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        #[arg(long, default_value_t = 200)]
        runs: usize,
        #[arg(long, default_value_t = 5)]
        warmup: usize,
    },
    /// Build the feed and the website into a new generation under build/.
    Build {
        /// Use this public address in the feed and pages instead of channel.toml's base_url.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Print the feed that `build` would write, without building anything else.
    Feed {
        /// Use this public address instead of channel.toml's base_url.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Print the exact facts of audio files (duration, codec, bitrate, …).
    Probe {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print JSON (seconds as decimals) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Build, then serve the website and the feed (HEAD and Range requests supported).
    Serve {
        /// The address to listen on; port 0 picks a free port (printed).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
        addr: String,
        /// Preview every episode, drafts and scheduled ones included (in build/preview, never
        /// published).
        #[arg(long)]
        drafts: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The show's title.
    #[arg(long)]
    pub title: String,
    /// What the show is about (shown by podcast apps).
    #[arg(long)]
    pub description: String,
    /// The public https address of the website (the feed will be <URL>/feed.xml).
    #[arg(long, value_name = "URL")]
    pub base_url: String,
    /// Who makes the show.
    #[arg(long)]
    pub author: String,
    /// The owner's email, used by directories to verify the show.
    #[arg(long)]
    pub email: String,
    /// The owner's name (default: the author).
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long, default_value = "fr")]
    pub language: String,
    /// One of Apple's categories.
    #[arg(long, default_value = "Society & Culture")]
    pub category: String,
    #[arg(long, default_value = "Documentary")]
    pub subcategory: Option<String>,
    /// A license identifier of the Podcasting 2.0 list.
    #[arg(long, default_value = "CC-BY-SA-4.0")]
    pub license: String,
    #[arg(long, default_value = "https://creativecommons.org/licenses/by-sa/4.0/")]
    pub license_url: String,
    /// The copyright line (default: "CC BY-SA 4.0 — <author>").
    #[arg(long)]
    pub copyright: Option<String>,
    /// A square RGB JPEG or PNG of 1400 to 3000 pixels, copied to feed/.
    #[arg(long, value_name = "FILE")]
    pub cover: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A new episode (episodes/<slug>.md with a fresh GUID).
    Episode { title: String },
    /// A new method page (site/methods/<slug>.md with its feed GUID).
    Method { title: String },
    /// A new partner page (site/partners/<slug>.md with its feed GUID).
    Partner { name: String },
    /// A new territory page (site/territories/<slug>.md).
    Territory {
        name: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Latitude, WGS84 decimal degrees.
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        /// Longitude, WGS84 decimal degrees.
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        /// INSEE code, only when known.
        #[arg(long)]
        insee: Option<String>,
        #[arg(long)]
        postcode: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TranscriptCommand {
    /// Write transcripts/<SLUG>.vtt from FILE: the format is found from the content, speaker
    /// labels (`<v …>`, `[SPEAKER_00]:`, `Name:`) are named through the episode's `speakers`.
    Import {
        /// The episode's slug (its file name in episodes/ without .md).
        slug: String,
        file: PathBuf,
        /// The file's character encoding (never guessed).
        #[arg(long, value_enum, default_value = "utf-8")]
        encoding: crate::transcript::Encoding,
        /// Read the file as this format instead of the one its content shows.
        #[arg(long, value_enum)]
        format: Option<crate::transcript::Format>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Commune,
    Epci,
    Departement,
}

/// Prints to stdout; a closed pipe (`veillee build | head`) ends the program quietly, as for
/// any Unix filter, instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(CliError::Other(format!("cannot write to stdout: {e}")));
        }
    }};
}

macro_rules! outln {
    ($($arg:tt)*) => {{
        out!($($arg)*);
        out!("\n");
    }};
}

/// An error of a command, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Problems(#[from] Problems),
    #[error(transparent)]
    Project(#[from] project::ProjectError),
    #[error(transparent)]
    Build(#[from] crate::build::BuildError),
    #[error(transparent)]
    Publish(#[from] crate::archive::PublishError),
    #[error(transparent)]
    Import(#[from] crate::transcript::ImportError),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    #[error("{0}")]
    Other(String),
}

impl CliError {
    /// The problems in the sources, when that is what stopped the command.
    fn problems(&self) -> Option<&Problems> {
        use crate::archive::PublishError;
        use crate::build::BuildError;
        match self {
            CliError::Problems(p)
            | CliError::Build(BuildError::Problems(p))
            | CliError::Publish(PublishError::Build(BuildError::Problems(p)))
            | CliError::Import(crate::transcript::ImportError::Problems(p)) => Some(p),
            _ => None,
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.problems().is_some() => {
            eprintln!("{}", e.problems().unwrap_or(&Problems::default()));
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::from(1)
        }
    }
}

/// The clock, or `SOURCE_DATE_EPOCH` when set (reproducible builds).
pub fn now() -> Result<jiff::Timestamp, CliError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .ok_or_else(|| CliError::Other(format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds"))),
        Err(_) => Ok(jiff::Timestamp::now()),
    }
}

fn root(cli_root: Option<&Path>) -> Result<PathBuf, CliError> {
    match cli_root {
        Some(r) => Ok(project::find_root(r)?),
        None => {
            let cwd = std::env::current_dir().map_err(|e| CliError::Other(e.to_string()))?;
            Ok(project::find_root(&cwd)?)
        }
    }
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Init(a) => {
            let dir = match &cli.root {
                Some(r) => r.clone(),
                None => std::env::current_dir().map_err(|e| CliError::Other(e.to_string()))?,
            };
            let copyright = a.copyright.clone().unwrap_or_else(|| format!("CC BY-SA 4.0 — {}", a.author));
            let options = InitOptions {
                owner_name: a.owner.clone().unwrap_or_else(|| a.author.clone()),
                title: a.title,
                description: a.description,
                base_url: a.base_url,
                author: a.author,
                owner_email: a.email,
                language: a.language,
                category: a.category,
                subcategory: a.subcategory,
                license_id: a.license,
                license_url: a.license_url,
                copyright,
                cover: a.cover,
            };
            for path in project::init(&dir, &options)? {
                outln!("created {}", path.display());
            }
            if options.cover.is_none() {
                outln!(
                    "next: put a square cover of 1400 to 3000 px at feed/cover.jpg, then `veillee new episode \"Titre\"`"
                );
            }
            Ok(())
        }
        Command::New { page } => {
            let root = root(cli.root.as_deref())?;
            let (page, title) = match page {
                NewCommand::Episode { title } => (NewPage::Episode, title),
                NewCommand::Method { title } => (NewPage::Method, title),
                NewCommand::Partner { name } => (NewPage::Partner, name),
                NewCommand::Territory { name, kind, lat, lon, insee, postcode } => {
                    let kind = match kind {
                        KindArg::Commune => TerritoryKind::Commune,
                        KindArg::Epci => TerritoryKind::Epci,
                        KindArg::Departement => TerritoryKind::Departement,
                    };
                    (NewPage::Territory { kind, lat, lon, insee, postcode }, name)
                }
            };
            let path = project::new_page(&root, &page, &title, now()?)?;
            outln!("created {}", path.strip_prefix(&root).unwrap_or(&path).display());
            Ok(())
        }
        Command::Check => {
            let root = root(cli.root.as_deref())?;
            let catalog = Catalog::load(&root, &LoadOptions::for_root(&root))?;
            crate::build::check_published_media(&catalog)?;
            if !catalog.warnings.0.is_empty() {
                eprintln!("{}", catalog.warnings);
            }
            outln!(
                "ok: {} episodes, {} methods, {} partners, {} territories",
                catalog.episodes.len(),
                catalog.methods.len(),
                catalog.partners.len(),
                catalog.territories.len()
            );
            Ok(())
        }
        Command::Publish { slug, all: _, new_version, reason } => {
            let root = root(cli.root.as_deref())?;
            let options = crate::archive::PublishOptions { slug, new_version, reason, now: now()? };
            let done = crate::archive::publish(&root, &options)?;
            for e in &done.entries {
                outln!(
                    "{} {} ({}): {}, out on {}",
                    e.action.as_str(),
                    e.slug,
                    e.guid,
                    e.media_name,
                    e.pub_date.strftime("%Y-%m-%d %H:%M UTC")
                );
            }
            if done.entries.is_empty() {
                outln!("nothing to record: no published episode changed");
            }
            out!("{}", done.build);
            Ok(())
        }
        Command::Build { base_url } => {
            let root = root(cli.root.as_deref())?;
            let report = crate::build::build_and_exit(
                &root,
                &crate::build::BuildOptions { base_url, now: now()?, drafts: false },
            )?;
            out!("{report}");
            Ok(())
        }
        Command::Probe { files, json } => probe(&files, json),
        Command::Search { words, partner, method, territory, year, speaker, limit, json } => {
            let root = root(cli.root.as_deref())?;
            let query = crate::search::Query {
                q: words.join(" "),
                partner,
                method,
                territory,
                year,
                speaker,
                limit: Some(limit),
            };
            let generation = current_generation(&root).ok_or_else(|| {
                crate::search::SearchError::NoIndex(root.join("build/current/index").display().to_string())
            })?;
            let results = crate::search::Searcher::open(&generation.index())?.search(&query)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&results).map_err(|e| CliError::Other(e.to_string()))?);
            } else {
                out!("{}", crate::search::text_report(&results));
            }
            Ok(())
        }
        Command::BenchIndex { episodes, transcripts, out } => {
            let read = |p: &Path| std::fs::read(p).map_err(|e| CliError::Other(format!("{}: {e}", p.display())));
            let list = serde_json::from_slice(&read(&episodes)?).map_err(|e| CliError::Other(e.to_string()))?;
            let started = std::time::Instant::now();
            let (n, passages) = crate::search::bench::index_dir(list, &transcripts, &out).map_err(CliError::Other)?;
            outln!("indexed {n} episodes, {passages} passages in {:.3} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::BenchQuery { index, queries, runs, warmup } => {
            let bytes = std::fs::read(&queries).map_err(|e| CliError::Other(format!("{}: {e}", queries.display())))?;
            let list: Vec<crate::search::Query> =
                serde_json::from_slice(&bytes).map_err(|e| CliError::Other(e.to_string()))?;
            let timings = crate::search::bench::time_queries(&index, &list, runs, warmup).map_err(CliError::Other)?;
            outln!("{}", serde_json::to_string_pretty(&timings).map_err(|e| CliError::Other(e.to_string()))?);
            Ok(())
        }
        Command::Transcript { command: TranscriptCommand::Import { slug, file, encoding, format } } => {
            let root = root(cli.root.as_deref())?;
            let imported =
                crate::transcript::import(&root, &slug, &file, &crate::transcript::ReadOptions { encoding, format })?;
            out!("{imported}");
            Ok(())
        }
        Command::Feed { base_url } => {
            let root = root(cli.root.as_deref())?;
            let catalog = Catalog::load(&root, &LoadOptions::for_root(&root))?;
            let options = crate::build::BuildOptions { base_url, now: now()?, drafts: false };
            let feed = crate::build::feed_only(&catalog, &options)?;
            out!("{}", String::from_utf8_lossy(&feed));
            // The process ends here: the catalog need not be freed piece by piece.
            std::mem::forget(catalog);
            Ok(())
        }
        Command::Serve { addr, drafts } => {
            let root = root(cli.root.as_deref())?;
            crate::serve::run(&root, &crate::serve::ServeOptions { addr, drafts })
                .map_err(|e| CliError::Other(e.to_string()))
        }
    }
}

fn probe(files: &[PathBuf], json: bool) -> Result<(), CliError> {
    let mut problems = Problems::default();
    let mut out = Vec::new();
    for file in files {
        match crate::media::probe_file(file) {
            Ok(facts) => out.push((file, facts)),
            Err((offset, e)) => {
                let position = offset.map_or(crate::problem::Position::File, crate::problem::Position::Offset);
                problems.push(crate::problem::Problem::error(file, position, e));
            }
        }
    }
    if json {
        let report: Vec<ProbeReport> = out.iter().map(|(f, facts)| ProbeReport::new(f, facts)).collect();
        outln!("{}", serde_json::to_string_pretty(&report).map_err(|e| CliError::Other(e.to_string()))?);
    } else {
        for (file, f) in &out {
            outln!(
                "{}: {} {} {} Hz {} ch {} kbit/s, {} s ({}), {} bytes, {}, blake3 {}",
                file.display(),
                f.container,
                f.codec,
                f.sample_rate,
                f.channels,
                f.bitrate / 1000,
                crate::catalog::seconds(f.duration_ms),
                crate::catalog::clock(f.duration_ms),
                f.length,
                f.mime,
                &f.blake3[..16]
            );
        }
    }
    if problems.0.is_empty() { Ok(()) } else { Err(problems.into()) }
}

/// One file in `probe --json`.
#[derive(Debug, serde::Serialize)]
pub struct ProbeReport {
    pub file: String,
    pub container: String,
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub bitrate: u64,
    pub length: u64,
    pub mime: String,
    pub blake3: String,
    pub samples: u64,
    /// Seconds, exact to the sample.
    pub duration: f64,
    pub duration_source: crate::media::DurationSource,
}

impl ProbeReport {
    fn new(file: &Path, f: &crate::media::AudioFacts) -> Self {
        ProbeReport {
            file: file.display().to_string(),
            container: f.container.clone(),
            codec: f.codec.clone(),
            sample_rate: f.sample_rate,
            channels: f.channels,
            bitrate: f.bitrate,
            length: f.length,
            mime: f.mime.clone(),
            blake3: f.blake3.clone(),
            samples: f.samples,
            duration: f.duration_seconds(),
            duration_source: f.duration_source,
        }
    }
}
