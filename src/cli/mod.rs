//! The command line: one short function per command that calls the library's `Project` and
//! prints. Exit codes: 0 success, 1 bad input (the sources, a file), 2 usage (the arguments).

mod args;
mod progress;

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use veillee::generate::GenerateError;
use veillee::problem::Problems;
use veillee::project::{
    BuildOptions, ImportError, InitOptions, LoudnessProbed, NewPage, ProbeReport, Project, ProjectError, PublishError,
    PublishOptions,
};
use veillee::search::{Query, SearchError};
use veillee::serve::{ServeError, ServeOptions};
use veillee::transcript::ReadOptions;
use veillee::util::IoError;

use args::{Cli, Command, KindArg, NewCommand, TranscriptCommand};

/// An error of a command.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Problems(#[from] Problems),
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error(transparent)]
    Staff(#[from] veillee::project::StaffError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("the archive is damaged: see the files above")]
    Damaged,
    #[error(transparent)]
    Bag(#[from] veillee::archive::bag::BagError),
    #[error(transparent)]
    Feed(#[from] veillee::archive::import::FeedError),
    #[error(transparent)]
    Deploy(#[from] veillee::deploy::DeployError),
    #[error("{0}")]
    Work(String),
    #[error("some items were not imported (see above): run the import again once fixed")]
    Incomplete,
}

impl CliError {
    /// The problems in the sources, when that is what stopped the command.
    fn problems(&self) -> Option<&Problems> {
        match self {
            CliError::Problems(p)
            | CliError::Generate(GenerateError::Problems(p))
            | CliError::Publish(PublishError::Generate(GenerateError::Problems(p)))
            | CliError::Serve(ServeError::Generate(GenerateError::Problems(p)))
            | CliError::Import(ImportError::Problems(p))
            | CliError::Bag(veillee::archive::bag::BagError::Generate(GenerateError::Problems(p))) => Some(p),
            _ => None,
        }
    }
}

/// Runs the command line and returns the process exit code.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse_from(search_words_last(std::env::args_os().collect()));
    progress::install();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.problems() {
                Some(problems) => eprintln!("{problems}"),
                None => eprintln!("error: {e}"),
            }
            ExitCode::from(1)
        }
    }
}

/// `veillee search porte -ferney --json`: a `-word` is a word to exclude, not an option, and
/// the options may come anywhere. The search's options (as clap defines them) go first and the
/// words after a `--`, so that clap reads every word as one.
fn search_words_last(args: Vec<OsString>) -> Vec<OsString> {
    let mut command = Cli::command();
    // Built, so that the generated `-h`/`--help` are among the arguments.
    command.build();
    let takes_value = |cmd: &clap::Command, token: &str| -> Option<bool> {
        cmd.get_arguments().find_map(|a| {
            let long = token.strip_prefix("--").is_some_and(|t| a.get_long() == Some(t.split('=').next().unwrap_or(t)));
            let short = token.len() == 2 && token.starts_with('-') && a.get_short().is_some_and(|c| token.ends_with(c));
            (long || short).then(|| a.get_action().takes_values() && !token.contains('='))
        })
    };
    // The subcommand is the first token that is neither a global option nor its value.
    let mut i = 1;
    while i < args.len() {
        let token = args[i].to_string_lossy();
        match takes_value(&command, &token) {
            Some(true) => i += 2,
            Some(false) => i += 1,
            None => break,
        }
    }
    if args.get(i).is_none_or(|t| t != "search") || args[i + 1..].iter().any(|t| t == "--") {
        return args;
    }
    let search = command.find_subcommand("search").expect("the search subcommand");
    let (mut options, mut words) = (Vec::new(), Vec::new());
    let mut tail = args[i + 1..].iter();
    while let Some(token) = tail.next() {
        let known =
            takes_value(search, &token.to_string_lossy()).or_else(|| takes_value(&command, &token.to_string_lossy()));
        match known {
            Some(value) => {
                options.push(token.clone());
                if value {
                    options.extend(tail.next().cloned());
                }
            }
            None => words.push(token.clone()),
        }
    }
    let mut out: Vec<OsString> = args[..=i].to_vec();
    out.extend(options);
    out.push("--".into());
    out.extend(words);
    out
}

/// Prints to stdout; a closed pipe (`veillee build | head`) ends the program quietly, as for
/// any Unix filter, instead of panicking.
fn out(text: impl std::fmt::Display) -> Result<(), CliError> {
    stdout_result(write!(std::io::stdout(), "{text}"))
}

/// A reader that stopped reading (`| head`) ends the command quietly.
fn stdout_result(written: std::io::Result<()>) -> Result<(), CliError> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(IoError::new("stdout", e).into()),
        Ok(()) => Ok(()),
    }
}

fn outln(text: impl std::fmt::Display) -> Result<(), CliError> {
    out(format_args!("{text}\n"))
}

/// The project a one-shot command works on: `--root`, or the nearest above the working
/// directory.
fn project(root: Option<&Path>) -> Result<Project, CliError> {
    Ok(long_lived_project(root)?.short_lived())
}

/// The project of a command that runs until stopped (`serve`).
fn long_lived_project(root: Option<&Path>) -> Result<Project, CliError> {
    Ok(Project::open(&start_dir(root)?)?)
}

/// Where a command starts: `--root`, else the working directory.
fn start_dir(root: Option<&Path>) -> Result<PathBuf, IoError> {
    match root {
        Some(r) => Ok(r.to_path_buf()),
        None => std::env::current_dir().map_err(|e| IoError::new(".", e)),
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let root = cli.root.as_deref();
    match cli.command {
        Command::Init(a) => init(root, *a),
        Command::New { page } => new(&project(root)?, page),
        Command::Check => check(&project(root)?),
        Command::Publish { slug, all: _, keep_dates, new_version, reason } => publish(
            &project(root)?,
            &PublishOptions { slug, new_version, reason, keep_dates, ..PublishOptions::default() },
        ),
        Command::Retract { slug, reason, keep_sources } => retract(&project(root)?, &slug, &reason, keep_sources),
        Command::Archive { command: args::ArchiveCommand::Log { slug } } => {
            let entries = project(root)?.archive_log(slug.as_deref())?;
            match (entries.is_empty(), slug) {
                (true, Some(slug)) => {
                    outln(format_args!("nothing in feed/archive.toml for `{slug}`: it was never published"))
                }
                (true, None) => outln("feed/archive.toml is empty: nothing was published yet"),
                _ => outln(entries.iter().map(veillee::project::log_line).collect::<Vec<_>>().join("\n")),
            }
        }
        Command::Archive { command: args::ArchiveCommand::Verify } => {
            let report = project(root)?.archive_verify()?;
            out(&report)?;
            if report.damaged() { Err(CliError::Damaged) } else { Ok(()) }
        }
        Command::Archive { command: args::ArchiveCommand::Export { out } } => {
            let done = project(root)?.archive_export(&out)?;
            outln(format_args!(
                "wrote the bag {}: {} files, {:.1} MB ({} episodes; {} retracted, their records only)",
                done.dir.display(),
                done.files,
                done.bytes as f64 / 1e6,
                done.episodes,
                done.retracted
            ))
        }
        Command::Archive { command: args::ArchiveCommand::Restore { bag, dir } } => {
            let done = Project::archive_restore(&bag, &dir)?;
            outln(format_args!(
                "checked {} files of the bag; restored {} sources to {}: run `veillee --root {} build`",
                done.checked,
                done.sources,
                done.dir.display(),
                done.dir.display()
            ))
        }
        Command::Master { slug, from } => {
            let done = project(root)?.master(&slug, &from).map_err(|e| CliError::Work(e.to_string()))?;
            mastered(&done)?;
            if done.published {
                outln(format_args!(
                    "{slug} is published: record its new audio with `veillee publish {slug} --new-version --reason \"mastered\"`"
                ))?;
            }
            Ok(())
        }
        Command::Import { feed, dry_run } => import(&project(root)?, &feed, dry_run),
        Command::Deploy { target, verbose } => {
            let (deployed, build) = project(root)?.deploy(&target)?;
            out(build.summary())?;
            if verbose { out(deployed.verbose()) } else { out(deployed) }
        }
        Command::Build { base_url, verbose } => {
            let report = project(root)?.build(&BuildOptions { base_url, drafts: false })?;
            if verbose { out(report.verbose()) } else { out(report) }
        }
        Command::Feed { base_url } => {
            let feed = project(root)?.feed(&BuildOptions { base_url, drafts: false })?;
            stdout_result(feed.write_to(&mut std::io::stdout().lock()))
        }
        Command::Probe { files, json, loudness: false } => probe(&files, json),
        Command::Probe { files, json, loudness: true } => {
            // In a show, its targets and its cache; anywhere else, Apple's targets.
            let probed = match Project::open(&start_dir(root)?) {
                Ok(project) => project.probe_loudness(&files),
                Err(_) => Project::probe_loudness_anywhere(&files),
            };
            probe_loudness(&probed, json)
        }
        Command::Search { words, partner, method, territory, year, speaker, limit, json } => {
            let query = Query { q: words.join(" "), partner, method, territory, year, speaker, limit: Some(limit) };
            let results = project(root)?.search(&query)?;
            if json {
                outln(serde_json::to_string_pretty(&results).expect("search results serialize"))
            } else {
                out(veillee::search::text_report(&results))
            }
        }
        Command::Transcript { command: TranscriptCommand::Import { slug, file, encoding, format } } => {
            out(project(root)?.import_transcript(&slug, &file, &ReadOptions { encoding, format })?)
        }
        Command::Staff { command } => {
            let p = project(root)?;
            match command {
                args::StaffCommand::Add { name, email, role } => outln(p.staff_add(&name, &email, role)?),
                args::StaffCommand::List => {
                    let staff = p.staff_list()?;
                    if staff.is_empty() {
                        outln("no staff yet: `veillee staff add NAME --email ADDRESS --role author|editor`")
                    } else {
                        let lines: Vec<String> = staff
                            .iter()
                            .map(|m| format!("{}  {} <{}>  {}  added {}", m.id, m.name, m.email, m.role, m.added))
                            .collect();
                        outln(lines.join("\n"))
                    }
                }
                args::StaffCommand::Revoke { name } => {
                    let gone = p.staff_revoke(&name)?;
                    outln(format!("revoked {} <{}>: their token no longer opens /admin/", gone.name, gone.email))
                }
            }
        }
        Command::Serve { addr, preview, drafts, watch } => {
            serve(&long_lived_project(root)?, &ServeOptions { addr, preview, drafts, watch })
        }
    }
}

fn init(root: Option<&Path>, a: args::InitArgs) -> Result<(), CliError> {
    let dir = start_dir(root)?;
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
    for path in Project::init(&dir, &options)? {
        outln(format_args!("created {}", path.display()))?;
    }
    if options.cover.is_none() {
        outln("next: put a square cover of 1400 to 3000 px at feed/cover.jpg, then `veillee new episode \"Titre\"`")?;
    }
    Ok(())
}

fn new(project: &Project, page: NewCommand) -> Result<(), CliError> {
    use veillee::catalog::TerritoryKind;
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
    let path = project.new_page(&page, &title)?;
    outln(format_args!("created {}", project.relative(&path).display()))
}

fn check(project: &Project) -> Result<(), CliError> {
    let report = project.check()?;
    if !report.warnings.0.is_empty() {
        eprintln!("{}", report.warnings);
    }
    outln(report)
}

/// What `master` wrote, and the levels before and after.
fn mastered(done: &veillee::project::MasterReport) -> Result<(), CliError> {
    let m = &done.mastered;
    outln(format_args!(
        "wrote {}: {:.1} LUFS, true peak {:.1} dBTP (the recording: {:.1} LUFS, {:.1} dBTP; gain {:+.1} dB), aimed at {} LUFS, {} dBTP, {} ({} bytes)",
        done.audio.display(),
        m.main.after.integrated_lufs,
        m.main.after.true_peak_dbtp,
        m.before.integrated_lufs,
        m.before.true_peak_dbtp,
        m.main.gain_db,
        done.settings.target_lufs,
        done.settings.true_peak_db,
        m.main.format,
        m.main.mp3.len()
    ))?;
    if let (Some(path), Some(l)) = (&done.light, &m.light) {
        outln(format_args!(
            "wrote {} (the light version): {:.1} LUFS, true peak {:.1} dBTP, {} ({} bytes)",
            path.display(),
            l.after.integrated_lufs,
            l.after.true_peak_dbtp,
            l.format,
            l.mp3.len()
        ))?;
    }
    Ok(())
}

fn publish(project: &Project, options: &PublishOptions) -> Result<(), CliError> {
    let done = project.publish(options)?;
    for m in &done.mastered {
        mastered(m)?;
    }
    for e in &done.entries {
        outln(format_args!(
            "{} {} ({}): {}, out on {}",
            e.action.as_str(),
            e.slug,
            e.guid,
            e.media_name,
            e.pub_date.strftime("%Y-%m-%d %H:%M UTC")
        ))?;
    }
    if done.entries.is_empty() {
        outln("nothing to record: no published episode changed")?;
    }
    history(&done.history)?;
    out(done.build)
}

fn import(project: &Project, feed: &str, dry_run: bool) -> Result<(), CliError> {
    use veillee::project::Outcome;
    let report = project.import(&veillee::project::ImportOptions { source: feed.to_owned(), dry_run })?;
    outln(format_args!(
        "« {} », {} items in {}",
        report.title,
        report.items.len() + report.refused.len(),
        report.source
    ))?;
    for (p, outcome) in &report.items {
        let date = p.date.strftime("%Y-%m-%d");
        match outcome {
            Outcome::Planned => {
                outln(format_args!(
                    "  would import  {date}  « {} »  guid {}  {} ({} bytes announced)",
                    p.title, p.guid, p.enclosure, p.length
                ))?;
                for n in &p.made_up {
                    outln(format_args!("      note: {n}"))?;
                }
            }
            Outcome::Imported { slug, bytes, notes } => {
                outln(format_args!("  imported      {date}  {slug}  ({bytes} bytes)  guid {}", p.guid))?;
                for n in notes {
                    outln(format_args!("      note: {n}"))?;
                }
            }
            Outcome::Resumed { slug } => {
                outln(format_args!("  resumed       {date}  {slug} (left by a run cut short)"))?;
            }
            Outcome::Already { slug } => outln(format_args!("  already here  {date}  {slug}"))?,
            Outcome::Failed { why } => outln(format_args!("  NOT imported  {date}  « {} »: {why}", p.title))?,
        }
    }
    for r in &report.refused {
        outln(format_args!("  refused       item {} « {} »: {}", r.number, r.name, r.why))?;
    }
    if let Some((guid, taken)) = &report.podcast_guid {
        if *taken {
            outln(format_args!("the old feed's podcast:guid {guid} is now this show's (feed/channel.toml)"))?;
        } else if !dry_run {
            outln(format_args!("the old feed's podcast:guid is {guid}; this show keeps its own"))?;
        }
    }
    if let Some(published) = &report.published {
        history(&published.history)?;
        out(&published.build)?;
        outln("\nOn the old host, so that subscribers follow without downloading anything again:")?;
        outln(format_args!(
            "  1. add to its feed's <channel>: <itunes:new-feed-url>{}</itunes:new-feed-url>",
            report.new_feed_url
        ))?;
        outln(format_args!(
            "  2. keep that feed online a few weeks, then answer its address with a 301 redirect to {}",
            report.new_feed_url
        ))?;
    }
    if report.complete() || dry_run { Ok(()) } else { Err(CliError::Incomplete) }
}

fn retract(project: &Project, slug: &str, reason: &str, keep_sources: bool) -> Result<(), CliError> {
    let done = project.retract(slug, reason, keep_sources, None)?;
    if done.recorded {
        outln(format_args!(
            "retracted {} ({}): out of the feed, the site, the search and www",
            done.entry.slug, done.entry.guid
        ))?;
    } else {
        outln(format_args!(
            "{} was retracted on {}; its sources are deleted now",
            done.entry.slug,
            done.entry.recorded_at.strftime("%Y-%m-%d %H:%M UTC")
        ))?;
    }
    for file in &done.deleted {
        outln(format_args!("deleted {}", file.display()))?;
    }
    if keep_sources {
        outln("its sources are kept, and stay out of every output")?;
    }
    history(&done.history)?;
    out(done.build)
}

/// The commit an operation made, or why git refused it.
fn history(h: &veillee::project::History) -> Result<(), CliError> {
    match h {
        veillee::project::History::Committed(_) => outln(h),
        veillee::project::History::Failed(_) => {
            eprintln!("{h}");
            Ok(())
        }
        _ => Ok(()),
    }
}

fn probe(files: &[PathBuf], json: bool) -> Result<(), CliError> {
    let probed = Project::probe(files);
    if json {
        let report: Vec<ProbeReport> = probed.files.iter().map(|(f, facts)| ProbeReport::new(f, facts)).collect();
        outln(serde_json::to_string_pretty(&report).expect("probe reports serialize"))?;
    } else {
        for (file, f) in &probed.files {
            outln(format_args!(
                "{}: {} {} {} Hz {} ch {} kbit/s, {} s ({}), {} bytes, {}, blake3 {}",
                file.display(),
                f.container,
                f.codec,
                f.sample_rate,
                f.channels,
                f.bitrate / 1000,
                veillee::util::time::seconds(f.duration_ms),
                veillee::util::time::clock(f.duration_ms),
                f.length,
                f.mime,
                &f.blake3[..16]
            ))?;
        }
    }
    if probed.problems.0.is_empty() { Ok(()) } else { Err(probed.problems.into()) }
}

fn probe_loudness(probed: &LoudnessProbed, json: bool) -> Result<(), CliError> {
    if json {
        outln(serde_json::to_string_pretty(&probed.reports()).expect("loudness reports serialize"))?;
    } else {
        let t = &probed.targets;
        let db = |x: Option<f64>| x.map_or_else(|| "-inf".to_owned(), |x| format!("{x:.1}"));
        for (file, facts, l) in &probed.files {
            outln(format_args!(
                "{}: {} LUFS integrated (target {:.1} ± {:.1}), {:.1} LU range, {} dBTP true peak (max {:.1}), \
                 silence {} s at the start and {} s at the end, {} clipped, {} Hz {} ch {} kbit/s, {} s",
                file.display(),
                db(l.integrated_lufs),
                t.integrated_lufs,
                t.tolerance_lu,
                l.loudness_range_lu,
                db(l.true_peak_dbtp),
                t.true_peak_dbtp,
                veillee::util::time::seconds(l.head_silence_ms),
                veillee::util::time::seconds(l.tail_silence_ms),
                l.clipped,
                l.sample_rate,
                l.channels,
                facts.bitrate / 1000,
                veillee::util::time::seconds(facts.duration_ms),
            ))?;
        }
    }
    let errors = probed.problems.errors();
    if errors > 0 {
        return Err(probed.problems.clone().into());
    }
    if !probed.problems.0.is_empty() {
        eprintln!("{}", probed.problems);
    }
    Ok(())
}

fn serve(project: &Project, options: &ServeOptions) -> Result<(), CliError> {
    let server = project.serve(options)?;
    // A few lines, then the address: the lists are `build`'s.
    if let Some(report) = server.report() {
        out(report.summary())?;
    }
    if let Some(problems) = server.problems() {
        eprintln!("{problems}");
    }
    outln(server.banner())?;
    std::io::stdout().flush().map_err(|e| IoError::new("stdout", e))?;
    server.run()?;
    Ok(())
}
