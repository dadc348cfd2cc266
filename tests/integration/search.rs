//! Search relevance: 20 hand-written French transcripts (tests/fixtures/search, in WebVTT,
//! SRT, whisperX and whisper.cpp JSON) imported into the search show
//! (tests/fixtures/projects/search) and built, all through the library's `Project`, then the
//! hand-written queries of tests/fixtures/search/queries with their expected episode and moment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use veillee::project::{BuildOptions, Clock, OpenGeneration};
use veillee::search::Query;
use veillee::transcript::ReadOptions;

use crate::util::{LATER, Project};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Queries {
    query: Vec<FixtureQuery>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureQuery {
    q: String,
    kind: String,
    partner: Option<String>,
    method: Option<String>,
    territory: Option<String>,
    year: Option<u16>,
    expect: Vec<Expected>,
    /// Episodes that must not be in the results at all (exclusions).
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    episode: String,
    at: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search")
}

fn later() -> Clock {
    Clock::Fixed(jiff::Timestamp::from_second(LATER).unwrap())
}

fn seconds(at: &str) -> f64 {
    let (m, s) = at.split_once(':').unwrap();
    m.parse::<f64>().unwrap() * 60.0 + s.parse::<f64>().unwrap()
}

/// The search show with its 20 transcripts imported, built once per test process.
fn searcher() -> &'static OpenGeneration {
    static SEARCHER: std::sync::OnceLock<(Project, OpenGeneration)> = std::sync::OnceLock::new();
    &SEARCHER
        .get_or_init(|| {
            let p = Project::fixture("search");
            let project = p.project().with_clock(later());
            let mut transcripts: Vec<PathBuf> =
                std::fs::read_dir(fixtures().join("transcripts")).unwrap().map(|e| e.unwrap().path()).collect();
            transcripts.sort();
            assert!(transcripts.len() >= 20, "the suite needs at least 20 transcripts");
            for file in &transcripts {
                let slug = file.file_stem().unwrap().to_string_lossy().into_owned();
                let imported = project.import_transcript(&slug, file, &ReadOptions::default()).unwrap();
                assert!(imported.warnings.0.is_empty(), "{}: {}", file.display(), imported.warnings);
            }
            let report = project.build(&BuildOptions::default()).unwrap();
            assert_eq!(report.episodes, 20, "{report}");
            let open = project.open_current().unwrap();
            (p, open)
        })
        .1
}

#[test]
fn relevance_recall_at_3_is_above_0_9() {
    let searcher = searcher();
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(fixtures().join("queries")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut total = 0;
    let mut found = 0;
    let mut misses = Vec::new();
    let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for file in files {
        let queries: Queries = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for fq in queries.query {
            let query = Query {
                q: fq.q.clone(),
                partner: fq.partner.clone(),
                method: fq.method.clone(),
                territory: fq.territory.clone(),
                year: fq.year,
                speaker: None,
                limit: Some(3),
            };
            let results = searcher.search(&query).unwrap();
            // An excluded episode must be in no result, not only out of the first three.
            let every = searcher.search(&Query { limit: Some(100), ..query.clone() }).unwrap();
            let excluded: Vec<&String> =
                fq.exclude.iter().filter(|x| every.episodes.iter().any(|h| &h.slug == *x)).collect();
            let ok = if !excluded.is_empty() {
                false
            } else if fq.expect.is_empty() {
                results.episodes.is_empty()
            } else {
                fq.expect.iter().any(|e| {
                    results.episodes.iter().any(|hit| {
                        hit.slug == e.episode
                            && hit.moments.iter().any(|m| {
                                let at = seconds(&e.at);
                                at >= m.start - 20.0 && at <= m.end + 20.0
                            })
                    })
                })
            };
            total += 1;
            let k = kinds.entry(fq.kind.clone()).or_default();
            k.1 += 1;
            if ok {
                found += 1;
                k.0 += 1;
            } else {
                let got: Vec<String> = results
                    .episodes
                    .iter()
                    .map(|h| {
                        format!(
                            "{} [{}]",
                            h.slug,
                            h.moments.iter().map(|m| format!("{:.0}", m.start)).collect::<Vec<_>>().join(",")
                        )
                    })
                    .collect();
                misses.push(format!(
                    "{} ({}): expected {:?}, excluded {:?}, got {got:?}",
                    fq.q,
                    fq.kind,
                    fq.expect.iter().map(|e| format!("{} {}", e.episode, e.at)).collect::<Vec<_>>(),
                    fq.exclude,
                ));
            }
        }
    }
    let recall = found as f64 / total as f64;
    eprintln!("recall@3 = {found}/{total} = {recall:.3}; by kind: {kinds:?}");
    for m in &misses {
        eprintln!("miss: {m}");
    }
    assert!(total >= 30, "the suite needs at least 30 queries, has {total}");
    assert!(recall > 0.9, "recall@3 {recall:.3} ≤ 0.9");
}

#[test]
fn an_edited_episode_is_indexed_again_alone() {
    use std::os::unix::fs::MetadataExt;
    let p = crate::util::Project::fixture("show");
    p.ok(&["build"]);
    let before = p.ok(&["search", "portes", "--json"]);
    assert!(before.contains("\"slug\": \"enquete-de-besoins-a-leaz\""));
    p.edit("transcripts/enquete-de-besoins-a-leaz.vtt", "On frappe aux portes.", "On sonne aux grilles.");
    let report = p.ok(&["build"]);
    assert!(
        report.contains(", 1 re-indexed,") && report.contains("  re-indexed   enquete-de-besoins-a-leaz\n"),
        "{report}"
    );
    assert!(p.ok(&["search", "grilles"]).contains("enquete-de-besoins-a-leaz/#t=1"));
    // The other episodes' segment files are the previous generation's, linked.
    let segment = |g: &str| -> Vec<(String, u64)> {
        let mut files: Vec<(String, u64)> = std::fs::read_dir(p.file(&format!("build/{g}/index")))
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".store"))
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().ino()))
            .collect();
        files.sort();
        files
    };
    let (old, new) = (segment("gen-1"), segment("gen-2"));
    assert!(old.iter().all(|f| new.contains(f)), "gen-1's segments are hard links in gen-2: {old:?} {new:?}");
    assert_eq!(new.len(), old.len() + 1, "one new segment for the one episode");
    // The previous generation still answers as before (a server may still use it).
    let old_index = veillee::search::Searcher::open(&p.file("build/gen-1/index")).unwrap();
    let q = Query { q: "portes".into(), ..Query::default() };
    assert_eq!(old_index.search(&q).unwrap().total, 1);
    // Nothing changed: no generation, nothing indexed.
    assert!(p.ok(&["build"]).starts_with("nothing changed"));
    // A transcript removed: its passages go, the episode stays findable by its notes.
    std::fs::remove_file(p.file("transcripts/enquete-de-besoins-a-leaz.vtt")).unwrap();
    p.ok(&["build"]);
    assert!(p.ok(&["search", "grilles"]).starts_with("no episode found"));
}

/// An episode of a show made by a test.
struct Draft<'a> {
    slug: &'a str,
    date: &'a str,
    methods: &'a [&'a str],
    partners: &'a [&'a str],
    territories: &'a [&'a str],
    /// Its WebVTT transcript.
    vtt: String,
}

/// A show made here from the search show's channel, cover, site and silent audio, with
/// `drafts`, built as a preview (drafts included) and opened, all through `Project`.
fn show_of(drafts: &[Draft<'_>]) -> (Project, OpenGeneration) {
    let p = Project::fixture("search");
    for dir in ["episodes", "feed/archive.toml"] {
        let path = p.file(dir);
        if path.is_dir() {
            for e in std::fs::read_dir(&path).unwrap() {
                let e = e.unwrap().path();
                if e.extension().is_some_and(|x| x == "md") {
                    std::fs::remove_file(e).unwrap();
                }
            }
        } else {
            std::fs::remove_file(path).unwrap();
        }
    }
    let list = |xs: &[&str]| xs.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ");
    for d in drafts {
        p.write(
            &format!("episodes/{}.md", d.slug),
            format!(
                "+++\ntitle = \"Épisode {slug}\"\nguid = \"{slug}\"\ndate = {date}T09:00:00Z\naudio = \"silence.flac\"\nmethods = [{}]\npartners = [{}]\nterritories = [{}]\n+++\n",
                list(d.methods),
                list(d.partners),
                list(d.territories),
                slug = d.slug,
                date = d.date,
            ),
        );
        p.write(&format!("transcripts/{}.vtt", d.slug), &d.vtt);
    }
    let project = p.project().with_clock(later());
    project.preview(&BuildOptions { base_url: None, drafts: true }).unwrap();
    let open = project.open_preview().unwrap();
    (p, open)
}

/// Two passages with the same words: the one of the episode linked to the method the query
/// names ranks first; facets and speakers filter.
#[test]
fn method_links_rank_higher_and_facets_filter() {
    let vtt = |speaker: &str| {
        format!(
            "WEBVTT\n\n01:00.000 --> 01:15.000\n<v {speaker}>On a fait une carte sensible du bourg avec les habitants.\n"
        )
    };
    // `a` comes first in the index: without the boost it would win the tie.
    let (_p, s) = show_of(&[
        Draft {
            slug: "a",
            date: "2025-05-01",
            methods: &["budget-participatif"],
            partners: &["solucracy"],
            territories: &["lunas"],
            vtt: vtt("Inès"),
        },
        Draft {
            slug: "b",
            date: "2025-05-01",
            methods: &["cartographie-sensible"],
            partners: &["solucracy"],
            territories: &["leaz"],
            vtt: vtt("Yann"),
        },
    ]);
    let slugs = |q: Query| s.search(&q).unwrap().episodes.into_iter().map(|e| e.slug).collect::<Vec<_>>();
    assert_eq!(slugs(Query { q: "carte sensible".into(), ..Query::default() }), ["b", "a"]);
    assert_eq!(slugs(Query { q: "carte sensible".into(), territory: Some("lunas".into()), ..Query::default() }), ["a"]);
    assert_eq!(slugs(Query { q: "carte".into(), speaker: Some("Inès".into()), ..Query::default() }), ["a"]);
    assert_eq!(slugs(Query { q: "carte".into(), year: Some(2024), ..Query::default() }), Vec::<String>::new());
    assert_eq!(slugs(Query { q: "\"sensible carte\"".into(), ..Query::default() }), Vec::<String>::new());
    // A place the passage does not name, but its episode does.
    assert_eq!(slugs(Query { q: "carte lunas".into(), ..Query::default() }), ["a"]);
    assert_eq!(slugs(Query { q: "carte -lunas".into(), ..Query::default() }), ["b"]);
    let r = s.search(&Query { q: "habitant".into(), ..Query::default() }).unwrap();
    assert_eq!(r.episodes[0].moments[0].link, "/episodes/a/#t=60");
    assert_eq!(
        r.episodes[0].moments[0].snippet,
        "On a fait une carte sensible du bourg avec les <mark>habitants</mark>"
    );
}

/// More matching passages than the candidates looked at: the count and the facets still cover
/// every matching episode, and two builds of the same input answer the same.
#[test]
fn counts_cover_every_match_and_builds_answer_alike() {
    let mut vtt = String::from("WEBVTT\n");
    for j in 0..5 {
        vtt.push_str(&format!(
            "\n{:02}:{:02}.000 --> {:02}:{:02}.000\nLes habitants en parlent.\n",
            j / 2,
            j % 2 * 30,
            j / 2,
            j % 2 * 30 + 20
        ));
    }
    let slugs: Vec<String> = (0..300).map(|i| format!("e{i:03}")).collect();
    let dates = ["2020-01-01", "2021-01-01", "2022-01-01"];
    let drafts: Vec<Draft<'_>> = slugs
        .iter()
        .enumerate()
        .map(|(i, slug)| Draft {
            slug,
            date: dates[i % 3],
            methods: &[],
            partners: &[],
            territories: &[],
            vtt: vtt.clone(),
        })
        .collect();
    let mut answers = Vec::new();
    for _ in 0..2 {
        let (_p, s) = show_of(&drafts);
        let r = s.search(&Query { q: "habitant".into(), limit: Some(20), ..Query::default() }).unwrap();
        assert_eq!(r.total, 300);
        let years: Vec<(String, usize)> = r.facets.year.iter().map(|c| (c.value.clone(), c.count)).collect();
        assert_eq!(years, [("2022".to_owned(), 100), ("2021".to_owned(), 100), ("2020".to_owned(), 100)]);
        answers.push(serde_json::to_string(&r.episodes).unwrap());
    }
    assert_eq!(answers[0], answers[1]);
}

/// `-word` excludes a passage wherever `word` would have matched it: its text, its episode's
/// title, partner and territory names. In the sample show, the Ferney-Voltaire episode says
/// "porte" in a passage that does not name Ferney: its title and territory do.
#[test]
fn an_excluded_word_excludes_wherever_it_would_match() {
    let p = Project::sample();
    let epoch = LATER.to_string();
    let run = |args: &[&str]| {
        let out = p.command().args(args).env("SOURCE_DATE_EPOCH", &epoch).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["build"]);
    let ferney = "porte-a-porte-a-levant-les-tattes";
    let slugs = |json: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["episodes"].as_array().unwrap().iter().map(|e| e["slug"].as_str().unwrap().to_owned()).collect()
    };
    let all = slugs(&run(&["search", "porte", "--json"]));
    assert!(all.contains(&ferney.to_owned()) && all.contains(&"frapper-aux-portes-a-leaz".to_owned()), "{all:?}");
    for args in [
        &["search", "porte", "-ferney", "--json"][..],
        &["search", "--json", "porte", "-ferney"],
        &["search", "--json", "--", "porte", "-ferney"],
        &["search", "porte", "-voltaire", "--json"],
        &["search", "--json", "porte", "-\"Ferney-Voltaire\""],
    ] {
        let found = slugs(&run(args));
        assert!(!found.contains(&ferney.to_owned()), "{args:?} still finds the Ferney episode: {found:?}");
        assert!(found.contains(&"frapper-aux-portes-a-leaz".to_owned()), "{args:?} lost the others: {found:?}");
    }
    // A partner's name: Solucracy's episodes go.
    let found = slugs(&run(&["search", "porte", "-solucracy", "--json"]));
    assert!(found.is_empty() || !found.contains(&"frapper-aux-portes-a-leaz".to_owned()), "{found:?}");
    // The same through the server: the API and the page.
    let project = p.project().with_clock(later());
    let open = project.open_current().unwrap();
    let query = Query { q: "porte -ferney".into(), ..Query::default() };
    let results = open.search(&query).unwrap();
    assert!(results.episodes.iter().all(|e| e.slug != ferney), "{:?}", results.episodes);
    let page = open.search_page(&results).unwrap();
    assert!(!page.contains(&format!("/episodes/{ferney}/")) && page.contains("/episodes/frapper-aux-portes-a-leaz/"));
}

/// A word the episode's title or places say finds its passages with the other words of the
/// search (Ferney's "Pourquoi le porte-à-porte" at 0:40 does not say "Ferney"); searched alone,
/// it finds only the passages that say it.
#[test]
fn a_word_is_found_through_the_episode_that_names_it() {
    let p = Project::sample();
    let project = p.project().with_clock(later());
    project.build(&BuildOptions::default()).unwrap();
    let open = project.open_current().unwrap();
    // (slug, whole second) of every moment found.
    let starts = |q: &str| -> Vec<(String, u64)> {
        let r = open.search(&Query { q: q.into(), limit: Some(20), ..Query::default() }).unwrap();
        r.episodes.iter().flat_map(|e| e.moments.iter().map(|m| (e.slug.clone(), m.start as u64))).collect()
    };
    let ferney = "porte-a-porte-a-levant-les-tattes".to_owned();
    assert_eq!(starts("porte ferney"), [(ferney.clone(), 40), (ferney.clone(), 0)]);
    assert_eq!(starts("ferney"), [(ferney, 0)]);
}

/// A search that finds nothing because of a typo offers the words the index has, as said.
#[test]
fn a_misspelled_search_suggests_the_words_of_the_index() {
    let s = searcher();
    let search = |q: &str| s.search(&Query { q: q.into(), ..Query::default() }).unwrap();
    for (typed, meant) in [
        ("habitans", "habitants"),
        ("budjet participatif", "budget participatif"),
        ("\"chatau d'eau\"", "\"château d'eau\""),
    ] {
        let results = search(typed);
        assert_eq!(results.total, 0, "{typed}");
        assert_eq!(results.suggestion.as_deref(), Some(meant), "{typed}");
        assert!(search(meant).total > 0, "the suggestion finds something: {meant}");
    }
    // Nothing close: no suggestion; something found: none asked.
    assert_eq!(search("zzzqqqx").suggestion, None);
    assert_eq!(search("habitants").suggestion, None);
    let page = s.search_page(&search("habitans")).unwrap();
    assert!(page.contains("Vouliez-vous dire <a href=\"/recherche/?q=habitants\">habitants</a>"), "{page}");
}
