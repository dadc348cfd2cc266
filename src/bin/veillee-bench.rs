//! The search benchmark's two halves, run by benches/search.sh (built with `--features bench`):
//! `veillee-bench index` indexes the transcripts of a JSON list of episodes, `veillee-bench
//! query` times queries (a JSON list of /api/search parameters) on a warm index. For
//! benches/speed.sh, `veillee-bench pages` builds a project's pages alone; for benches/tag.sh,
//! `veillee-bench tag` writes a tagged copy of an MP3.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use veillee::search::{Query, bench};

#[derive(Debug, Parser)]
#[command(name = "veillee-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Index the transcripts `<transcripts>/<slug>.vtt` of the episodes listed in `--episodes`.
    Index {
        #[arg(long)]
        episodes: PathBuf,
        #[arg(long)]
        transcripts: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Load the project at `--root` and write its pages alone (no transcript file, index or
    /// media) into `--out`, which must not exist.
    Pages {
        #[arg(long)]
        root: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write `--out`: the MP3 `--src` with an ID3v2.3 tag of ten chapters and the cover `--cover`
    /// (what a build does for each episode's published copy).
    Tag {
        #[arg(long)]
        src: PathBuf,
        #[arg(long)]
        cover: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Time each query `--runs` times after `--warmup` untimed runs; print the timings as JSON.
    Query {
        #[arg(long)]
        index: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        #[arg(long, default_value_t = 200)]
        runs: usize,
        #[arg(long, default_value_t = 5)]
        warmup: usize,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Index { episodes, transcripts, out } => {
            let list: Vec<bench::BenchEpisode> =
                serde_json::from_slice(&read(&episodes)?).map_err(|e| format!("{}: {e}", episodes.display()))?;
            let started = std::time::Instant::now();
            let (n, passages) = bench::index_dir(&list, &transcripts, &out)?;
            println!("indexed {n} episodes, {passages} passages in {:.3} s", started.elapsed().as_secs_f64());
        }
        Command::Pages { root, out } => {
            let project = veillee::project::Project::open(&root).map_err(|e| e.to_string())?;
            let n = project.bench_pages(&out).map_err(|e| e.to_string())?;
            println!("wrote {n} pages in {}", out.display());
        }
        Command::Tag { src, cover, out } => {
            use veillee::media::tag;
            let jpeg = tag::cover_jpeg(&read(&cover)?).map_err(|e| e.to_string())?;
            let facts = tag::TagFacts {
                title: "Frapper aux portes à Léaz".into(),
                author: "Solucracy, La Traverse".into(),
                album: "Veillée".into(),
                year: 2026,
                summary: "Comment un village a mené son autodiagnostic de résilience.".into(),
                page_url: "https://podcast.example.org/episodes/frapper-aux-portes-a-leaz/".into(),
                duration_ms: 3_600_000,
                chapters: (0..10u64)
                    .map(|i| tag::TagChapter {
                        start_ms: i * 360_000,
                        end_ms: (i + 1) * 360_000,
                        title: format!("Chapitre {}", i + 1),
                        url: Some(format!("https://podcast.example.org/methodes/methode-{i}/")),
                    })
                    .collect(),
            };
            let id3 = tag::id3_tag(&facts, Some(&jpeg)).map_err(|e| e.to_string())?;
            let n = tag::write_tagged_mp3(&src, &id3, &out).map_err(|e| e.to_string())?;
            println!("wrote {n} bytes ({} of tag) to {}", id3.len(), out.display());
        }
        Command::Query { index, queries, runs, warmup } => {
            let list: Vec<Query> =
                serde_json::from_slice(&read(&queries)?).map_err(|e| format!("{}: {e}", queries.display()))?;
            let timings = bench::time_queries(&index, &list, runs, warmup)?;
            println!("{}", serde_json::to_string_pretty(&timings).map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}
