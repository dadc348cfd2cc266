//! Search relevance: 20 hand-written French transcripts (tests/fixtures/search, in WebVTT,
//! SRT, whisperX and whisper.cpp JSON), indexed as a build would index them, and the
//! hand-written queries of tests/fixtures/search/queries with their expected episode and moment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use veillee::search::{EpisodeDocs, Labels, Query, Searcher, Update, passage_docs, write_index};
use veillee::transcript::{ReadOptions, load};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureEpisode {
    title: String,
    date: toml::value::Datetime,
    partners: Vec<String>,
    methods: Vec<String>,
    territories: Vec<String>,
    #[serde(default)]
    speakers: BTreeMap<String, String>,
    notes: String,
}

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

/// The sample show's method pages: titles and synonyms, as the catalog gives them.
fn method_words() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("site/methods");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let front = text.split("+++").nth(1).unwrap();
        let table: toml::Table = toml::from_str(front).unwrap();
        let mut words = vec![table["title"].as_str().unwrap().to_owned()];
        if let Some(syn) = table.get("synonyms").and_then(|s| s.as_array()) {
            words.extend(syn.iter().filter_map(|s| s.as_str()).map(str::to_owned));
        }
        out.insert(path.file_stem().unwrap().to_string_lossy().into_owned(), words.join(" ; "));
    }
    out
}

fn episodes() -> Vec<EpisodeDocs> {
    let mut out = Vec::new();
    let mut dir: Vec<PathBuf> =
        std::fs::read_dir(fixtures().join("episodes")).unwrap().map(|e| e.unwrap().path()).collect();
    dir.sort();
    for path in dir {
        let slug = path.file_stem().unwrap().to_string_lossy().into_owned();
        let ep: FixtureEpisode = toml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let transcript = std::fs::read_dir(fixtures().join("transcripts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_stem().is_some_and(|s| s.to_string_lossy() == slug))
            .unwrap_or_else(|| panic!("no transcript for {slug}"));
        let loaded =
            load(&transcript, &ReadOptions::default()).unwrap_or_else(|e| panic!("{}: {e:?}", transcript.display()));
        assert!(loaded.parsed.warnings.is_empty(), "{}: {:?}", transcript.display(), loaded.parsed.warnings);
        let t = loaded.parsed.transcript;
        let passages = passage_docs(&t, |v| ep.speakers.get(v).cloned().unwrap_or_else(|| v.to_owned()));
        out.push(EpisodeDocs {
            guid: format!("guid-{slug}"),
            slug: slug.clone(),
            title: ep.title,
            date: ep.date.date.unwrap().to_string(),
            notes: ep.notes,
            partners: ep.partners,
            methods: ep.methods,
            territories: ep.territories,
            passages,
        });
    }
    out
}

fn seconds(at: &str) -> f64 {
    let (m, s) = at.split_once(':').unwrap();
    m.parse::<f64>().unwrap() * 60.0 + s.parse::<f64>().unwrap()
}

/// Builds the index once per test process.
fn searcher() -> &'static Searcher {
    static SEARCHER: std::sync::OnceLock<(tempfile::TempDir, Searcher)> = std::sync::OnceLock::new();
    &SEARCHER
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let docs = episodes();
            assert!(docs.len() >= 20, "the suite needs at least 20 transcripts");
            let labels = Labels { method_words: method_words(), ..Labels::default() };
            write_index(&dir.path().join("index"), None, &Update { remove: vec![], add: &docs, labels: &labels })
                .unwrap();
            let s = Searcher::open(&dir.path().join("index")).unwrap();
            (dir, s)
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
            let ok = if fq.expect.is_empty() {
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
                    "{} ({}): expected {:?}, got {got:?}",
                    fq.q,
                    fq.kind,
                    fq.expect.iter().map(|e| format!("{} {}", e.episode, e.at)).collect::<Vec<_>>()
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

/// Two passages with the same words: the one of the episode linked to the method the query
/// names ranks first; facets and speakers filter.
#[test]
fn method_links_rank_higher_and_facets_filter() {
    let dir = tempfile::tempdir().unwrap();
    let passage = |speaker: &str| veillee::search::PassageDoc {
        start_ms: 60_000,
        end_ms: 75_000,
        speaker: Some(speaker.into()),
        text: "On a fait une carte sensible du bourg avec les habitants.".into(),
        context: "On a fait une carte sensible du bourg avec les habitants.".into(),
    };
    let episode = |slug: &str, methods: &[&str], speaker: &str| EpisodeDocs {
        guid: slug.into(),
        slug: slug.into(),
        title: format!("Épisode {slug}"),
        date: "2025-05-01".into(),
        notes: String::new(),
        partners: vec!["solucracy".into()],
        methods: methods.iter().map(|m| m.to_string()).collect(),
        territories: vec![slug.into()],
        passages: vec![passage(speaker)],
    };
    // `a` comes first in the index: without the boost it would win the tie.
    let docs = [episode("a", &["budget-participatif"], "Inès"), episode("b", &["cartographie-sensible"], "Yann")];
    let method_words = [
        ("budget-participatif", "Budget participatif"),
        ("cartographie-sensible", "Cartographie sensible ; carte sensible ; carte mentale"),
    ];
    let labels = Labels {
        method_words: method_words.iter().map(|(m, w)| (m.to_string(), w.to_string())).collect(),
        ..Labels::default()
    };
    write_index(&dir.path().join("i"), None, &Update { remove: vec![], add: &docs, labels: &labels }).unwrap();
    let s = Searcher::open(&dir.path().join("i")).unwrap();
    let slugs = |q: Query| s.search(&q).unwrap().episodes.into_iter().map(|e| e.slug).collect::<Vec<_>>();
    assert_eq!(slugs(Query { q: "carte sensible".into(), ..Query::default() }), ["b", "a"]);
    assert_eq!(slugs(Query { q: "carte sensible".into(), territory: Some("a".into()), ..Query::default() }), ["a"]);
    assert_eq!(slugs(Query { q: "carte".into(), speaker: Some("Inès".into()), ..Query::default() }), ["a"]);
    assert_eq!(slugs(Query { q: "carte".into(), year: Some(2024), ..Query::default() }), Vec::<String>::new());
    assert_eq!(slugs(Query { q: "\"sensible carte\"".into(), ..Query::default() }), Vec::<String>::new());
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
    let docs: Vec<EpisodeDocs> = (0..300)
        .map(|i| EpisodeDocs {
            guid: format!("g{i}"),
            slug: format!("e{i:03}"),
            title: format!("Épisode {i}"),
            date: format!("{}-01-01", 2020 + i % 3),
            notes: String::new(),
            partners: vec![],
            methods: vec![],
            territories: vec![],
            passages: (0..5)
                .map(|j| veillee::search::PassageDoc {
                    start_ms: j * 30_000,
                    end_ms: j * 30_000 + 20_000,
                    speaker: None,
                    text: "Les habitants en parlent.".into(),
                    context: String::new(),
                })
                .collect(),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let labels = Labels::default();
    let mut answers = Vec::new();
    for build in ["a", "b"] {
        let path = dir.path().join(build);
        write_index(&path, None, &Update { remove: vec![], add: &docs, labels: &labels }).unwrap();
        let r =
            Searcher::open(&path).unwrap().search(&Query { q: "habitant".into(), limit: Some(20), ..Query::default() });
        let r = r.unwrap();
        assert_eq!(r.total, 300);
        let years: Vec<(String, usize)> = r.facets.year.iter().map(|c| (c.value.clone(), c.count)).collect();
        assert_eq!(years, [("2022".to_owned(), 100), ("2021".to_owned(), 100), ("2020".to_owned(), 100)]);
        answers.push(serde_json::to_string(&r.episodes).unwrap());
    }
    assert_eq!(answers[0], answers[1]);
}
