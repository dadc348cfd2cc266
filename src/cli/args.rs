//! The command line's arguments (clap derive): their doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Veillée publishes a podcast from plain files: the feed, the website, transcripts and archive.
///
/// A show is a directory with feed/channel.toml (the show), episodes/ (one Markdown file per
/// episode and its audio), transcripts/ (WebVTT) and site/ (method, partner and territory pages).
#[derive(Debug, Parser)]
#[command(name = "veillee", version, about, long_about)]
pub(super) struct Cli {
    /// The show's directory (default: the nearest directory above holding feed/channel.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
    /// to come, else now; with --keep-dates, the front matter's date even when past). To change
    /// a published episode's audio, record a new version with --new-version --reason. --all
    /// publishes every draft at once (a back catalog: one ledger write, one build); --all
    /// --new-version records a new version of every published episode that changed instead.
    Publish {
        /// The episode's slug (its file name in episodes/ without .md).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        slug: Option<String>,
        /// Every draft; with --new-version, every published episode that changed instead.
        #[arg(long)]
        all: bool,
        /// Date a first publication from its front matter even when that date is past (a back
        /// catalog arriving as sources), instead of now; the ledger entry says so.
        #[arg(long)]
        keep_dates: bool,
        /// Record a deliberate change of an already published episode.
        #[arg(long)]
        new_version: bool,
        /// Why the new version (kept in the ledger).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Take a published episode out of every output for good and delete its sources.
    ///
    /// For a guest who withdraws consent, or a legal request: the episode leaves the feed, the
    /// site, the search and www, media included. The ledger keeps its record (GUID, slug, title, dates, hashes and the reason), so its GUID
    /// and slug are never used again. What a retraction cannot reach (git history, exported
    /// bags, object storage and CDN caches, copies subscribers downloaded): docs/ARCHIVE.md.
    Retract {
        /// The episode's slug.
        slug: String,
        /// Why it is withdrawn (kept in the ledger, which is public with the sources).
        #[arg(long, value_name = "TEXT", required = true)]
        reason: String,
        /// Keep the episode's .md, audio, transcript and image in episodes/ and transcripts/.
        #[arg(long)]
        keep_sources: bool,
    },
    /// The archive: what the ledger recorded.
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
    /// Bring an existing podcast into this show from its feed (a URL or a file).
    ///
    /// Each item becomes an episode: its audio downloaded (resumed and retried, checked against
    /// the lengths announced), its transcript and chapters when the feed links them, its GUID
    /// kept verbatim (an item without one keeps its enclosure URL) and its date; then all are
    /// published at once, with their dates. Subscribers' apps see no new episode. Run again, it
    /// imports only what is new. It ends with what to change on the old host.
    Import {
        /// The feed: https://… or a file.
        feed: String,
        /// Only list what would be imported: nothing is downloaded or written.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import transcripts (WebVTT, SRT, whisper, whisperX, whisper.cpp or Podcast Index JSON).
    Transcript {
        #[command(subcommand)]
        command: TranscriptCommand,
    },
    /// Search every transcript and show notes of the last build (words are all required;
    /// "a phrase", -excluded).
    Search {
        /// What to look for, e.g. `"cartographie sensible" enfants -ferney`.
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
    /// Build the feed and the website into a new generation under build/.
    Build {
        /// Use this public address in the feed and pages instead of channel.toml's base_url.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// List every output rendered, written or removed (by default the first few of each).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Print the feed that `build` would write, without building anything else.
    Feed {
        /// Use this public address instead of channel.toml's base_url.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Build, then copy build/current/www to object storage (S3, Scaleway, OVH, MinIO…):
    /// only the files whose SHA-256 is not the object's, deleting objects www no longer has.
    ///
    /// Credentials and the store come from the environment: AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL (a store other than AWS). Point
    /// channel.toml's media_base_url at a CDN in front of it to serve the media from there.
    Deploy {
        /// s3://BUCKET or s3://BUCKET/PREFIX
        #[arg(value_name = "s3://BUCKET/PREFIX")]
        target: String,
        /// List every object uploaded or deleted (by default the first ten of each).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Make an episode's audio from a recording (WAV, FLAC, Ogg, M4A or MP3): brought to the
    /// loudness target (-16 LUFS, true peak at most -1 dBTP), mono 44,100 Hz, MP3 96 kbit/s
    /// with its gapless header, written as episodes/SLUG.mp3; the recording is left as it is.
    Master {
        slug: String,
        /// The recording (it may live outside the show).
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Print the exact facts of audio files (duration, codec, bitrate, …).
    ///
    /// With --loudness, decode them and measure their loudness (EBU R128), true peak, silence at
    /// the start and the end, and clipping, against the show's [loudness] targets (Apple's
    /// outside a show: -16 LUFS ± 1 LU, true peak at most -1 dBTP), with the ffmpeg command that
    /// fixes the level.
    Probe {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print JSON (seconds as decimals) instead of text.
        #[arg(long)]
        json: bool,
        /// Measure loudness and quality (decodes the whole file; kept by content in a show).
        #[arg(long)]
        loudness: bool,
    },
    /// The staff who prepare (authors) and publish (editors) episodes from /admin/.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Serve the website, the feed and the search (builds first if a source changed).
    ///
    /// Without --preview, serves build/current as built for channel.toml's base_url: what a
    /// deployment runs. With --preview, builds into build/preview for the address it listens on,
    /// so that a browser or a podcast app on this machine can follow every link and download
    /// every episode; nothing there is ever published.
    Serve {
        /// The address to listen on; port 0 picks a free port (printed).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
        addr: String,
        /// Build a local preview for this address in build/preview and serve it.
        #[arg(long)]
        preview: bool,
        /// Preview drafts and scheduled episodes too (implies --preview).
        #[arg(long)]
        drafts: bool,
        /// Build again whenever a source file changes (checked twice a second, one stat per file).
        #[arg(long)]
        watch: bool,
    },
}

#[derive(Debug, clap::Args)]
pub(super) struct InitArgs {
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
pub(super) enum NewCommand {
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
pub(super) enum StaffCommand {
    /// Add a staff member and print their token, once (only its SHA-256 is kept, in
    /// .veillee/staff.toml).
    Add {
        /// The name they are known by (shown in /admin/ and as the author of their commits).
        name: String,
        #[arg(long)]
        email: String,
        /// author: prepares drafts; editor: also publishes.
        #[arg(long, value_enum)]
        role: veillee::project::Role,
    },
    /// List the staff members (never their tokens).
    List,
    /// Remove a staff member: their token stops working at once.
    Revoke { name: String },
}

#[derive(Debug, Subcommand)]
pub(super) enum ArchiveCommand {
    /// Print the ledger's history, oldest first: publications, new versions with their
    /// reasons, retractions; of one episode (under every slug it had) or of all.
    Log { slug: Option<String> },
    /// Check that nothing the ledger guards was lost or altered (exit 1 if so).
    ///
    /// For the latest entry of every episode not retracted: the source audio's SHA-256 against
    /// the ledger's, the published media in build/current/www (there, and its audio the same as
    /// the source's, tags aside), and the ledger itself against its git history. The .md, a
    /// transcript or chapters corrected since the last publish, and re-tagged media are listed
    /// as edited, not as damage.
    Verify,
    /// Build, then write the show's archive bag (BagIt 1.0) to OUT, a new directory: the feed,
    /// the published media, transcripts and chapters, the episodes' metadata as JSON, and the
    /// sources with the ledger (never drafts, retracted episodes' files, .veillee/ or build/).
    Export { out: PathBuf },
    /// Check a bag whole, then make DIR (a new directory) a working show of its sources;
    /// `veillee build` there makes the bag's feed and media again, byte for byte.
    Restore { bag: PathBuf, dir: PathBuf },
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum TranscriptCommand {
    /// Write transcripts/<SLUG>.vtt from FILE: the format is found from the content, speaker
    /// labels (`<v …>`, `[SPEAKER_00]:`, `Name:`) are named through the episode's `speakers`.
    Import {
        /// The episode's slug (its file name in episodes/ without .md).
        slug: String,
        file: PathBuf,
        /// The file's character encoding (never guessed).
        #[arg(long, value_enum, default_value = "utf-8")]
        encoding: veillee::transcript::Encoding,
        /// Read the file as this format instead of the one its content shows.
        #[arg(long, value_enum)]
        format: Option<veillee::transcript::Format>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum KindArg {
    Commune,
    Epci,
    Departement,
}
