//! Build generations on disk: the lock, `gen-tmp-*` → `gen-N`, the `current` symlink, hard
//! links to unchanged outputs, and the generation before the current one taken over so that a
//! build writes what changed (docs/ARCHITECTURE.md, point 4, has the recipe, its crash guarantees
//! and its pitfalls).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use std::sync::{Mutex, OnceLock};

use super::plan::{IndexPlan, Output, Rendered, Renderer, TaggedCopy};
use super::{Content, GenerateError, Report};
use crate::media;
use crate::search;
use crate::site::PagesSource;
use crate::util::IoContext;
use crate::util::fs::{FileIdentity, sync_dir};

/// The exclusive lock shared by `build`, `publish` and `serve` (released when dropped).
pub(crate) struct BuildLock {
    _file: File,
}

impl BuildLock {
    /// Waits for the lock on `build/.lock`.
    pub(crate) fn acquire(root: &Path) -> Result<Self, GenerateError> {
        let dir = root.join("build");
        fs::create_dir_all(&dir).at(&dir)?;
        let path = dir.join(".lock");
        let file = File::options().create(true).truncate(false).write(true).open(&path).at(&path)?;
        file.lock().at(&path)?;
        Ok(BuildLock { _file: file })
    }
}

/// A complete generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Generation {
    /// `gen-N`.
    pub name: String,
    /// `build/gen-N`, resolved (not through the symlink).
    pub dir: PathBuf,
}

impl Generation {
    pub(crate) fn www(&self) -> PathBuf {
        self.dir.join("www")
    }

    pub(crate) fn index(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// What its request-time pages need (`site::PagesSource`, JSON).
    pub(crate) fn pages(&self) -> PathBuf {
        self.dir.join(PAGES)
    }

    /// Marks the generation as in use until the returned handle is dropped: a build does not
    /// delete a generation that a server still answers from.
    pub(crate) fn hold(&self) -> std::io::Result<File> {
        let file = File::options().create(true).truncate(false).write(true).open(self.dir.join(HOLD))?;
        file.lock_shared()?;
        Ok(file)
    }
}

/// The file a server holds a shared lock on while it serves a generation.
const HOLD: &str = ".hold";

/// The two kinds of generation: the current one (what `build` and `publish` make, what `serve`
/// serves and a deployment copies) and the preview (built for a local address, drafts maybe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Current,
    Preview,
}

impl Slot {
    /// The symbolic link in `build/` that names the slot's generation.
    fn link(self) -> &'static str {
        match self {
            Slot::Current => "current",
            Slot::Preview => "preview",
        }
    }

    /// The prefix of its generations' directories: `gen-N`, `preview-N`.
    fn prefix(self) -> &'static str {
        match self {
            Slot::Current => "gen-",
            Slot::Preview => "preview-",
        }
    }

    fn number(self, name: &str) -> Option<u64> {
        name.strip_prefix(self.prefix())?.parse().ok()
    }
}

/// The generation `build/current` points to, if any.
pub(crate) fn current_generation(root: &Path) -> Option<Generation> {
    linked(root, Slot::Current)
}

/// The preview `build/preview` points to, if any.
pub(crate) fn preview_generation(root: &Path) -> Option<Generation> {
    linked(root, Slot::Preview)
}

fn linked(root: &Path, slot: Slot) -> Option<Generation> {
    let build = root.join("build");
    let target = fs::read_link(build.join(slot.link())).ok()?;
    let name = target.file_name()?.to_string_lossy().into_owned();
    let dir = build.join(&name);
    dir.is_dir().then_some(Generation { name, dir })
}

/// What a generation holds: each output's key (the hash of its inputs), hash and length, so
/// that the next build knows what changed without reading or rendering anything again.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub files: BTreeMap<String, Entry>,
    /// The search index: each episode's GUID and the key of its documents.
    #[serde(default)]
    pub index: BTreeMap<String, String>,
    #[serde(default)]
    pub index_version: String,
    #[serde(default)]
    pub index_labels: String,
    /// The generation this one was made from: its unchanged files are hard links to that one's,
    /// which the next build may therefore update in place ([`recycle`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    #[serde(default)]
    pub key: String,
    pub blake3: String,
    pub length: u64,
}

impl Entry {
    fn same_bytes(&self, other: &Entry) -> bool {
        self.blake3 == other.blake3 && self.length == other.length
    }
}

const MANIFEST: &str = "manifest.json";
const PAGES: &str = "pages.json";

/// The current generation and its manifest, if there is one.
pub(crate) fn previous_manifest(root: &Path) -> Option<(Generation, Manifest)> {
    let generation = current_generation(root)?;
    let manifest = serde_json::from_slice(&fs::read(generation.dir.join(MANIFEST)).ok()?).ok()?;
    Some((generation, manifest))
}

/// A build written in `build/gen-tmp-<pid>`, ready to become the current generation, or
/// nothing to write.
pub(crate) struct Staged {
    report: Report,
    /// `None`: every output the same as the current generation's.
    ready: Option<Ready>,
}

/// A staged generation, complete on disk.
struct Ready {
    build: PathBuf,
    tmp: PathBuf,
    previous: Option<Generation>,
    recycled: Option<Recycled>,
}

impl Staged {
    /// Makes the staged generation current (the caller still holds the build lock).
    pub(crate) fn install(self) -> Result<Report, GenerateError> {
        let Staged { mut report, ready } = self;
        if let Some(Ready { build, tmp, previous, recycled }) = ready {
            drop(recycled);
            let name = install(&build, &tmp, Slot::Current, previous.as_ref())?;
            remove_stage(&build);
            report.generation = Some(name.clone());
            report.current = name;
        }
        Ok(report)
    }
}

/// Renders the pending outputs and writes every output as a new generation in
/// `build/gen-tmp-<pid>`, unless they equal the current one's. A rendered output is written as
/// soon as it is made, so that the site is never whole in memory, and the tree is opened only
/// when a first output differs from the current generation's. `render` is the step under way,
/// ended once everything is rendered.
pub(super) fn stage(
    root: &Path,
    rendered: Rendered,
    renderer: &Renderer<'_>,
    render: crate::util::progress::Step,
) -> Result<Staged, GenerateError> {
    let Rendered { mut outputs, rendered, index, pages, episodes, after_index } = rendered;
    let build = build_dir(root)?;
    let (previous, old) = match previous_manifest(root) {
        Some((g, m)) => (Some(g), m),
        None => (current_generation(root), Manifest::default()),
    };
    let in_previous =
        |path: &str| previous.as_ref().is_some_and(|g| old.files.contains_key(path) && g.www().join(path).is_file());
    // Files kept from the previous generation if it has them (superseded media).
    outputs.retain(|path, o| !matches!(o.content, Content::Inherited) || in_previous(path));
    let unchanged = |steps| {
        let current = previous.as_ref().map(|g| g.name.clone()).unwrap_or_default();
        let report = Report {
            current,
            unchanged: outputs.len(),
            episodes,
            rendered: rendered.clone(),
            steps,
            ..Report::default()
        };
        Ok(Staged { report, ready: None })
    };
    // Every output made from the same inputs as before, and no other: nothing to compare or write.
    let index_unchanged =
        index.keys == old.index && index.labels_key == old.index_labels && index.version == old.index_version;
    if previous.is_some()
        && index_unchanged
        && outputs.len() == old.files.len()
        && outputs.values().all(|o| matches!(o.content, Content::Unchanged))
    {
        return unchanged(vec![render.end()]);
    }

    let mut manifest = Manifest {
        index: index.keys.clone(),
        index_version: index.version.clone(),
        index_labels: index.labels_key.clone(),
        ..Manifest::default()
    };
    for (path, output) in &outputs {
        let (blake3, length) = match &output.content {
            Content::Pending(_) | Content::Tagged(_) => continue,
            Content::File { path: src, blake3: Some(hash) } => (hash.clone(), fs::metadata(src).at(src)?.len()),
            Content::Staged(s) => (s.blake3.clone(), s.length),
            Content::File { path: src, blake3: None } => {
                let bytes = fs::read(src).at(src)?;
                (crate::util::hash::blake3_hex(&bytes), bytes.len() as u64)
            }
            Content::Unchanged | Content::Inherited => {
                let e = old.files.get(path).ok_or_else(|| {
                    GenerateError::Invariant(format!("{path} is not in the previous generation's manifest"))
                })?;
                (e.blake3.clone(), e.length)
            }
        };
        manifest.files.insert(path.clone(), Entry { key: output.key.clone(), blake3, length });
    }

    let tmp = build.join(format!("gen-tmp-{}", std::process::id()));
    let www = tmp.join("www");
    let spot = Spot { build: &build, tmp: &tmp, previous: previous.as_ref(), old: &old, outputs: &outputs };
    let tree = Tree { spot, opened: OnceLock::new(), error: Mutex::new(None) };
    // A new index makes a new generation: it is fed while the pages render.
    let mut builder = None;
    if !index_unchanged {
        if let Some(e) = tree.get().err() {
            return Err(tree.into_opened().err().unwrap_or(e));
        }
        builder = Some(index_builder(&tmp, &old, &index)?);
    }
    let delay = test_delay();
    let probe_cache = crate::catalog::LoadOptions::for_root(root).probe_cache;
    let probed = probe_cache.as_deref();
    let todo = tasks(&outputs, if builder.is_some() { &index.add } else { &[] }, &after_index);
    let done = stream(&todo, renderer, builder.as_ref(), |path, made| {
        let key = outputs[path].key.clone();
        let dest = www.join(path);
        let entry = match made {
            Made::Bytes(bytes) => {
                let entry = Entry { key, blake3: crate::util::hash::blake3_hex(&bytes), length: bytes.len() as u64 };
                // The same bytes as the current generation's file: linked below, not written.
                if previous.is_some() && old.files.get(path).is_some_and(|o| o.same_bytes(&entry)) {
                    return Ok((entry, false));
                }
                tree.get()?.place(&dest, &|to| write_bytes(to, &bytes))?;
                entry
            }
            Made::Tagged(copy) => {
                let written = Mutex::new(None);
                tree.get()?.place(&dest, &|to| {
                    let w = write_tagged(to, &copy, probed)?;
                    *written.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(w);
                    Ok(())
                })?;
                let (blake3, length) = written
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .ok_or_else(|| GenerateError::Invariant(format!("{path}: not written")))?;
                Entry { key, blake3, length }
            }
        };
        crash_point();
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        Ok((entry, true))
    });
    // The tree's own error first: the other threads only saw that it could not be opened.
    let opened = tree.into_opened()?;
    let mut written = std::collections::BTreeSet::new();
    for (path, (entry, new)) in done? {
        if new {
            written.insert(path);
        }
        manifest.files.insert(path.to_owned(), entry);
    }
    let mut steps = vec![render.end()];

    // Made from another generation than the current one was, with the same files: the same.
    manifest.from.clone_from(&old.from);
    if opened.is_none() && previous.is_some() && manifest == old {
        return unchanged(steps);
    }
    manifest.from = previous.as_ref().map(|g| g.name.clone());
    let writing = crate::util::progress::step("write");
    let opened = match opened {
        Some(o) => o,
        None => open(&spot)?,
    };
    // What to do with each output not written yet: link the previous generation's file, write
    // it, or link the first file of the generation with the same bytes (episodes sharing an
    // audio file).
    let mut first_of: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut plan: Vec<(&str, Action)> = Vec::with_capacity(outputs.len());
    for (path, output) in outputs.iter().filter(|(p, _)| !written.contains(p.as_str()) && !after_index.contains(*p)) {
        let entry = &manifest.files[path];
        let same_bytes = old.files.get(path).is_some_and(|o| o.same_bytes(entry));
        let action = match &previous {
            Some(g) if same_bytes => Action::Link(g.www().join(path)),
            _ => match first_of.get(entry.blake3.as_str()) {
                Some(twin) => Action::Twin(www.join(twin)),
                None => {
                    first_of.insert(&entry.blake3, path);
                    Action::Write(match &output.content {
                        Content::Unchanged | Content::Inherited => match &previous {
                            Some(g) => Content::File { path: g.www().join(path), blake3: Some(entry.blake3.clone()) },
                            None => {
                                return Err(GenerateError::Invariant(format!(
                                    "{path} is unchanged but there is no previous generation"
                                )));
                            }
                        },
                        other => other.clone(),
                    })
                }
            },
        };
        plan.push((path, action));
    }
    crate::util::progress::add(plan.len());
    let run = |(path, action): &(&str, Action)| -> Result<bool, GenerateError> {
        crate::util::progress::advance(1);
        let dest = www.join(path);
        let blake3 = &manifest.files[*path].blake3;
        match action {
            // Same bytes in the recycled tree as in the previous generation: the same file, since
            // that one's unchanged files are links to it.
            Action::Link(_)
                if opened.recycled.as_ref().is_some_and(|r| {
                    r.manifest.files.get(*path).zip(old.files.get(*path)).is_some_and(|(a, b)| a.same_bytes(b))
                }) =>
            {
                return Ok(true);
            }
            Action::Link(prev) => {
                if opened.place(&dest, &|to| fs::hard_link(prev, to).at(to).map_err(Into::into)).is_ok() {
                    crash_point();
                    return Ok(true);
                }
                let content = Content::File { path: prev.clone(), blake3: Some(blake3.clone()) };
                opened.place(&dest, &|to| write_new(to, &content, blake3, probed))?;
            }
            Action::Write(content) => opened.place(&dest, &|to| write_new(to, content, blake3, probed))?,
            Action::Twin(_) => return Ok(false),
        }
        crash_point();
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        Ok(false)
    };
    // One task per directory: two threads creating files in one directory wait on its lock.
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut copies: Vec<Vec<usize>> = Vec::new();
    for (i, (path, action)) in plan.iter().enumerate() {
        if matches!(action, Action::Write(Content::File { .. })) {
            // A copy of audio is long and creates one file: each its own task, first.
            copies.push(vec![i]);
        } else {
            groups.entry(parent_of(path)).or_default().push(i);
        }
    }
    let groups: Vec<Vec<usize>> = copies.into_iter().chain(groups.into_values()).collect();
    let mut linked = vec![false; plan.len()];
    for results in crate::util::par::map_long(&groups, |group| {
        group.iter().map(|&i| run(&plan[i]).map(|l| (i, l))).collect::<Vec<_>>()
    }) {
        for result in results {
            let (i, l) = result?;
            linked[i] = l;
        }
    }
    // Twins after the files they link to.
    for results in crate::util::par::map_long(&groups, |group| {
        group
            .iter()
            .map(|&i| match &plan[i] {
                (path, Action::Twin(first)) => {
                    opened.place(&www.join(path), &|to| fs::hard_link(first, to).at(to).map_err(Into::into))
                }
                _ => Ok(()),
            })
            .collect::<Vec<_>>()
    }) {
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
    }

    let mut report = Report { first: previous.is_none(), episodes, rendered, ..Report::default() };
    for ((path, _), linked) in plan.iter().zip(linked) {
        if linked {
            report.unchanged += 1;
        } else {
            written.insert(path);
        }
    }
    report.written = written.into_iter().map(str::to_owned).collect();
    steps.push(writing.end());
    // The index: the previous one's files linked, the changed episodes deleted and added (here
    // unless they were while rendering).
    let indexing = crate::util::progress::step("index");
    crash_point();
    let builder = match builder {
        Some(b) => b,
        None => {
            let b = index_builder(&tmp, &old, &index)?;
            let no_page = |path: &str, _| Err(GenerateError::Invariant(format!("{path}: rendered after the pages")));
            stream::<()>(&tasks(&BTreeMap::new(), &index.add, &BTreeSet::new()), renderer, Some(&b), no_page)?;
            b
        }
    };
    builder.finish(&index.labels)?;
    crash_point();
    steps.push(indexing.end());
    report.reindexed = index.reindexed;
    // The pages that show what the finished index finds.
    if !after_index.is_empty() {
        report.suggestions = (renderer.suggest)(&tmp.join("index"));
        let done = stream(&late_tasks(&outputs, &after_index), renderer, None, |path, made| {
            let Made::Bytes(bytes) = made else { return Err(GenerateError::Invariant(format!("{path}: not a page"))) };
            let entry = Entry {
                key: outputs[path].key.clone(),
                blake3: crate::util::hash::blake3_hex(&bytes),
                length: bytes.len() as u64,
            };
            let same = previous.is_some() && old.files.get(path).is_some_and(|o| o.same_bytes(&entry));
            opened.place(&www.join(path), &|to| write_bytes(to, &bytes))?;
            Ok((entry, !same))
        })?;
        for (path, (entry, new)) in done {
            if new {
                report.written.push(path.to_owned());
            } else {
                report.unchanged += 1;
            }
            manifest.files.insert(path.to_owned(), entry);
        }
        report.written.sort();
    }
    let manifest_bytes = serde_json::to_vec(&manifest).expect("a manifest is plain data");
    write_bytes(&tmp.join(MANIFEST), &manifest_bytes)?;
    write_bytes(&tmp.join(PAGES), &pages_json(&pages))?;
    report.removed = old.files.keys().filter(|p| !manifest.files.contains_key(*p)).cloned().collect();
    // One flush of the file system for the whole generation, instead of one per file: the
    // rename that installs it must not reach the disk before the files it makes current.
    let syncing = crate::util::progress::step("sync");
    sync_fs(&tmp)?;
    steps.push(syncing.end());
    crash_point();
    report.steps = steps;
    Ok(Staged { report, ready: Some(Ready { build, tmp, previous, recycled: opened.recycled }) })
}

/// `a/b/c.html` → `a/b`.
fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Where a new generation is written and what it holds.
#[derive(Clone, Copy)]
struct Spot<'a> {
    build: &'a Path,
    tmp: &'a Path,
    previous: Option<&'a Generation>,
    old: &'a Manifest,
    outputs: &'a BTreeMap<String, Output>,
}

/// A new generation's directory, ready for its files.
struct Opened {
    recycled: Option<Recycled>,
}

/// Makes the new generation's directory: the generation before the current one taken over when
/// nobody reads it (only what changed since it is then written, instead of a tree of every
/// episode's directory), else a new one; with every directory its outputs need.
fn open(spot: &Spot<'_>) -> Result<Opened, GenerateError> {
    let www = spot.tmp.join("www");
    let recycled = match spot.previous {
        Some(prev) => recycle(spot.build, prev, spot.old, spot.tmp)?,
        None => None,
    };
    if let Some(r) = &recycled {
        // What the new generation does not have goes first: a file may stand where a directory is due.
        remove_stale(&www, r.manifest.files.keys().filter(|p| !spot.outputs.contains_key(*p)))?;
        remove(&spot.tmp.join("index"))?;
        remove(&spot.tmp.join(PAGES))?;
    }
    make_dirs(
        &www,
        spot.outputs.keys().filter(|p| recycled.as_ref().is_none_or(|r| !r.manifest.files.contains_key(*p))),
    )?;
    Ok(Opened { recycled })
}

impl Opened {
    /// Makes `dest` with `make`. In a recycled tree a file is replaced by renaming a new one over
    /// it, never rewritten: it may be a link to a file of the current generation.
    fn place(&self, dest: &Path, make: &dyn Fn(&Path) -> Result<(), GenerateError>) -> Result<(), GenerateError> {
        if self.recycled.is_none() {
            return make(dest);
        }
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let new = dest.with_file_name(format!(".{name}.new"));
        remove(&new)?;
        make(&new)?;
        crash_point();
        fs::rename(&new, dest).at(dest)?;
        Ok(())
    }
}

/// The new generation's directory, opened by the first thread that has a file to write.
struct Tree<'a> {
    spot: Spot<'a>,
    opened: OnceLock<Option<Opened>>,
    error: Mutex<Option<GenerateError>>,
}

impl Tree<'_> {
    fn get(&self) -> Result<&Opened, GenerateError> {
        let opened = self.opened.get_or_init(|| {
            open(&self.spot)
                .map_err(|e| *self.error.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e))
                .ok()
        });
        opened.as_ref().ok_or_else(|| GenerateError::Invariant("the new generation could not be opened".into()))
    }

    /// The opened directory, if a thread opened it, or why it could not be.
    fn into_opened(self) -> Result<Option<Opened>, GenerateError> {
        match self.error.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
            Some(e) => Err(e),
            None => Ok(self.opened.into_inner().flatten()),
        }
    }
}

/// Creates the directories of `paths` under `www`: each once, parents first, each depth on every
/// core (creating tens of thousands of inodes is most of a first build).
fn make_dirs<'a>(www: &Path, paths: impl Iterator<Item = &'a String>) -> Result<(), GenerateError> {
    let dirs: std::collections::BTreeSet<PathBuf> = paths
        .filter_map(|p| www.join(p).parent().map(Path::to_path_buf))
        .flat_map(|d| {
            d.ancestors().take_while(|a| a.starts_with(www) && *a != www).map(Path::to_path_buf).collect::<Vec<_>>()
        })
        .collect();
    fs::create_dir_all(www).at(www)?;
    let mut by_depth: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    for d in dirs {
        by_depth.entry(d.components().count()).or_default().push(d);
    }
    for level in by_depth.values() {
        for made in crate::util::par::map(level, |d| match fs::create_dir(d) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(crate::util::IoError::new(d, e)),
            _ => Ok(()),
        }) {
            made?;
        }
    }
    Ok(())
}

/// The index of a new generation in `tmp/index`: over the previous one's files, without the
/// episodes whose documents changed or went, or from scratch.
fn index_builder(tmp: &Path, old: &Manifest, index: &IndexPlan) -> Result<search::IndexBuilder, GenerateError> {
    // One thread for a few episodes (one new segment), both for a full build.
    let threads = if index.over.is_some() || index.add.len() < 64 { 1 } else { 2 };
    let builder = search::IndexBuilder::open(&tmp.join("index"), index.over.as_deref(), threads)?;
    if index.over.is_some() {
        for (guid, key) in &old.index {
            if index.keys.get(guid) != Some(key) {
                builder.remove(guid);
            }
        }
    }
    Ok(builder)
}

/// What a writer does: render pending outputs of one directory, tag a published MP3, or index
/// an episode.
enum Task<'a> {
    Render(Vec<(&'a str, usize)>),
    Tagged(&'a str, usize),
    Index(usize),
}

/// What a task hands the writer.
enum Made {
    Bytes(Vec<u8>),
    Tagged(TaggedCopy),
}

/// The tasks of the pending outputs, by directory (two threads creating files in one directory
/// wait on its lock; a large directory is cut all the same, see [`RENDER_CHUNK`]), and of the
/// episodes to index (`index`, places in the build's
/// items), interleaved: tantivy's threads index while the pages render. The feed goes first:
/// the longest, it renders its new items on every core.
fn tasks<'a>(outputs: &'a BTreeMap<String, Output>, index: &[usize], later: &BTreeSet<String>) -> Vec<Task<'a>> {
    let mut feed = Vec::new();
    let mut tagged = Vec::new();
    let mut groups: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    for (path, output) in outputs.iter().filter(|(path, _)| !later.contains(*path)) {
        match output.content {
            Content::Pending(n) if path == FEED => feed.push((path.as_str(), n)),
            Content::Pending(n) => groups.entry(parent_of(path)).or_default().push((path, n)),
            // A copy of audio is long and makes one file: each its own task, early.
            Content::Tagged(n) => tagged.push(Task::Tagged(path, n)),
            _ => {}
        }
    }
    let mut out: Vec<Task<'a>> = Vec::with_capacity(groups.len() + tagged.len() + index.len() + 1);
    if !feed.is_empty() {
        out.push(Task::Render(feed));
    }
    out.extend(tagged);
    let mut index = index.iter();
    // A directory of thousands of files (transcripts/) is cut: rendering is most of a task's
    // time, and one thread alone on it would be the build's tail.
    for chunk in groups.values().flat_map(|group| group.chunks(RENDER_CHUNK)) {
        out.push(Task::Render(chunk.to_vec()));
        out.extend(index.next().map(|&i| Task::Index(i)));
    }
    out.extend(index.map(|&i| Task::Index(i)));
    out
}

/// The tasks of the outputs rendered after the index ([`Rendered::after_index`]).
fn late_tasks<'a>(outputs: &'a BTreeMap<String, Output>, later: &BTreeSet<String>) -> Vec<Task<'a>> {
    let pending = |path: &String| match outputs.get_key_value(path) {
        Some((path, Output { content: Content::Pending(n), .. })) => Some((path.as_str(), *n)),
        _ => None,
    };
    let group: Vec<(&str, usize)> = later.iter().filter_map(pending).collect();
    group.chunks(RENDER_CHUNK).map(|chunk| Task::Render(chunk.to_vec())).collect()
}

/// Runs `tasks` on every core: each pending output rendered and handed to `each` at once, each
/// episode's documents made and added to `index`. `each`'s results, by path.
fn stream<'a, T: Send>(
    tasks: &[Task<'a>],
    renderer: &Renderer<'_>,
    index: Option<&search::IndexBuilder>,
    each: impl Fn(&'a str, Made) -> Result<T, GenerateError> + Sync,
) -> Result<Vec<(&'a str, T)>, GenerateError> {
    crate::util::progress::add(tasks.len());
    // Once a task fails the build fails: the others stop, rather than render (and maybe take a
    // generation over to write) for nothing.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let run = |task: &Task<'a>| -> Result<Vec<(&'a str, T)>, GenerateError> {
        if failed.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(Vec::new());
        }
        let done = match task {
            Task::Render(group) => {
                group.iter().map(|&(path, n)| Ok((path, each(path, Made::Bytes((renderer.job)(n)?))?))).collect()
            }
            Task::Tagged(path, n) => Ok(vec![(*path, each(path, Made::Tagged((renderer.tagged)(*n)?))?)]),
            Task::Index(i) => match index {
                Some(builder) => builder.add(&(renderer.docs)(*i)).map(|()| Vec::new()).map_err(Into::into),
                None => Ok(Vec::new()),
            },
        };
        if done.is_err() {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        done
    };
    let mut out = Vec::new();
    for done in crate::util::par::map(tasks, crate::util::progress::each(run)) {
        out.extend(done?);
    }
    Ok(out)
}

const FEED: &str = "feed.xml";

/// The most outputs of one directory rendered by one task.
const RENDER_CHUNK: usize = 32;

/// A generation taken over by a build: its files as its manifest says, the lock that keeps
/// servers out of it.
struct Recycled {
    manifest: Manifest,
    _lock: File,
}

/// Renames the generation `previous` was made from to `tmp`, if no server holds it and it says
/// what it holds: then a file whose bytes are the same there as in `previous` is a link to
/// `previous`'s (see [`Manifest::from`]) and needs nothing done. Its manifest goes first, so that
/// a tree half updated is never taken for what it was; a build killed midway leaves a `gen-tmp-*`,
/// removed whole at the next start.
fn recycle(build: &Path, previous: &Generation, old: &Manifest, tmp: &Path) -> Result<Option<Recycled>, GenerateError> {
    let Some(from) = old.from.as_deref().filter(|f| *f != previous.name && Slot::Current.number(f).is_some()) else {
        return Ok(None);
    };
    let dir = build.join(from);
    let Some(manifest) = fs::read(dir.join(MANIFEST)).ok().and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
    else {
        return Ok(None);
    };
    let Ok(lock) = File::options().create(true).truncate(false).write(true).open(dir.join(HOLD)) else {
        return Ok(None);
    };
    if lock.try_lock().is_err() {
        return Ok(None);
    }
    fs::rename(&dir, tmp).at(tmp)?;
    sync_dir(build).at(build)?;
    crash_point();
    let stale = tmp.join(MANIFEST);
    fs::remove_file(&stale).at(&stale)?;
    crash_point();
    Ok(Some(Recycled { manifest, _lock: lock }))
}

/// Deletes the files of a recycled tree that the new generation does not have, and the
/// directories they leave empty.
fn remove_stale<'a>(www: &Path, paths: impl Iterator<Item = &'a String>) -> Result<(), GenerateError> {
    for path in paths {
        let file = www.join(path);
        remove(&file)?;
        crash_point();
        // A directory still holding files stays (the error says so).
        for dir in file.ancestors().skip(1).take_while(|d| *d != www) {
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
    Ok(())
}

/// Removes a file, or a directory and all it holds; one already gone is no error.
fn remove(path: &Path) -> Result<(), GenerateError> {
    let removed = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(crate::util::IoError::new(path, e).into()),
        _ => Ok(()),
    }
}

/// Writes a preview from scratch (`build/preview-tmp-<pid>` renamed `build/preview-N`, then
/// `build/preview` pointed at it): no manifest, nothing linked, nothing kept for the next build.
pub(super) fn write_preview(root: &Path, rendered: Rendered, renderer: &Renderer<'_>) -> Result<String, GenerateError> {
    let Rendered { outputs, index, pages, after_index, .. } = rendered;
    let build = build_dir(root)?;
    let tmp = build.join(format!("preview-tmp-{}", std::process::id()));
    let www = tmp.join("www");
    let written = |o: &Output| {
        matches!(o.content, Content::File { .. } | Content::Staged(_) | Content::Pending(_) | Content::Tagged(_))
    };
    make_dirs(&www, outputs.iter().filter(|(_, o)| written(o)).map(|(p, _)| p))?;
    // The media are most of the bytes and the same as the current generation's: a preview links
    // its files (never changed in place) rather than copy gigabytes at every start. Tags never
    // carry a preview's address, so a tagged copy made from the same facts is the same file.
    let current = previous_manifest(root);
    let in_current: std::collections::HashMap<&str, PathBuf> = current
        .iter()
        .flat_map(|(g, m)| m.files.iter().map(|(path, e)| (e.blake3.as_str(), g.www().join(path))))
        .collect();
    let same_in_current = |path: &str| {
        current.as_ref().and_then(|(g, m)| (m.files.get(path)?.key == outputs[path].key).then(|| g.www().join(path)))
    };
    let probe_cache = crate::catalog::LoadOptions::for_root(root).probe_cache;
    let builder = index_builder(&tmp, &Manifest::default(), &index)?;
    stream(&tasks(&outputs, &index.add, &after_index), renderer, Some(&builder), |path, made| {
        let dest = www.join(path);
        match made {
            Made::Bytes(bytes) => write_bytes(&dest, &bytes),
            Made::Tagged(copy) => match same_in_current(path) {
                Some(twin) if fs::hard_link(&twin, &dest).is_ok() => Ok(()),
                _ => write_tagged(&dest, &copy, probe_cache.as_deref()).map(drop),
            },
        }
    })?;
    builder.finish(&index.labels)?;
    if !after_index.is_empty() {
        (renderer.suggest)(&tmp.join("index"));
        stream(&late_tasks(&outputs, &after_index), renderer, None, |path, made| match made {
            Made::Bytes(bytes) => write_bytes(&www.join(path), &bytes),
            Made::Tagged(_) => Err(GenerateError::Invariant(format!("{path}: not a page"))),
        })?;
    }
    for (path, output) in outputs.iter().filter(|(_, o)| matches!(o.content, Content::File { .. } | Content::Staged(_)))
    {
        let dest = www.join(path);
        let twin = match &output.content {
            Content::File { blake3: Some(hash), .. } => in_current.get(hash.as_str()),
            _ => None,
        };
        if twin.is_none_or(|t| fs::hard_link(t, &dest).is_err()) {
            write_new(&dest, &output.content, "", None)?;
        }
    }
    write_bytes(&tmp.join(PAGES), &pages_json(&pages))?;
    // As for a generation: the link must not reach the disk before the files it names.
    sync_fs(&tmp)?;
    let name = install(&build, &tmp, Slot::Preview, preview_generation(root).as_ref())?;
    remove_stage(&build);
    Ok(name)
}

/// Writes the pending outputs that are pages (not transcript files, nor the index) into `out`.
#[cfg(feature = "bench")]
pub(super) fn write_pages(out: &Path, rendered: &Rendered, renderer: &Renderer<'_>) -> Result<usize, GenerateError> {
    let pages: BTreeMap<String, Output> = rendered
        .outputs
        .iter()
        .filter(|(path, o)| matches!(o.content, Content::Pending(_)) && !path.starts_with("transcripts/"))
        .map(|(path, o)| (path.clone(), o.clone()))
        .collect();
    fs::create_dir(out).at(out)?;
    make_dirs(out, pages.keys())?;
    stream(&tasks(&pages, &[], &BTreeSet::new()), renderer, None, |path, made| match made {
        Made::Bytes(bytes) => write_bytes(&out.join(path), &bytes),
        Made::Tagged(_) => Err(GenerateError::Invariant(format!("{path}: not a page"))),
    })?;
    Ok(pages.len())
}

/// Takes the preview's link away (a preview that failed to build shows nothing older, which could
/// be of other sources or another address); its directory goes at the next preview.
pub(crate) fn unlink_preview(root: &Path) {
    let link = root.join("build").join(Slot::Preview.link());
    if fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()) {
        let _ = fs::remove_file(link);
    }
}

/// Renames a complete `tmp` directory to the slot's next generation, points the slot's link at
/// it, and deletes the older ones; returns its name.
fn install(build: &Path, tmp: &Path, slot: Slot, previous: Option<&Generation>) -> Result<String, GenerateError> {
    let next = generations(build, slot)?.last().map_or(1, |(n, _)| n + 1);
    let name = format!("{}{next}", slot.prefix());
    let dir = build.join(&name);
    fs::rename(tmp, &dir).at(&dir)?;
    sync_dir(build).at(build)?;
    crash_point();
    swap(build, slot, &name)?;
    crash_point();
    remove_old(build, slot, &name, previous.map(|g| g.name.as_str()))?;
    Ok(name)
}

fn pages_json(pages: &PagesSource) -> Vec<u8> {
    serde_json::to_vec(pages).expect("plain data serializes")
}

/// How a file of a new generation is made.
enum Action {
    /// A hard link to the previous generation's identical file.
    Link(PathBuf),
    Write(Content),
    /// A hard link to a file of this generation with the same bytes.
    Twin(PathBuf),
}

/// A new file, never an existing one: a hard-linked file of an older generation is never opened
/// for writing. A file to copy is checked against its BLAKE3 (`blake3`, unless empty): by its
/// identity when the probe cache (`probed`) knows it, else by reading and hashing it.
fn write_new(dest: &Path, content: &Content, blake3: &str, probed: Option<&Path>) -> Result<(), GenerateError> {
    match content {
        Content::Inherited | Content::Unchanged | Content::Pending(_) | Content::Tagged(_) => {
            return Err(GenerateError::Invariant(format!("{}: no bytes to write", dest.display())));
        }
        // Made for this build in build/stage-<pid>: linked (the same file system), else copied.
        Content::Staged(s) => {
            if fs::hard_link(&s.path, dest).is_err() {
                fs::copy(&s.path, dest).at(dest)?;
            }
        }
        Content::File { path, .. } => {
            // Audio probed in this build or an earlier one, unchanged since: copied in the
            // kernel (copy_file_range), not read into memory and hashed a second time, and
            // checked again once copied (a write during the copy changes its times).
            if let Some(identity) =
                probed.filter(|_| !blake3.is_empty()).and_then(|c| media::probed_as(path, c, blake3))
            {
                let mut from = File::open(path).at(path)?;
                let mut to = File::create_new(dest).at(dest)?;
                std::io::copy(&mut from, &mut to).at(dest)?;
                let after = fs::metadata(path).at(path)?;
                if FileIdentity::of(&after) != identity {
                    return Err(GenerateError::SourceChanged(path.clone()));
                }
                return Ok(());
            }
            let bytes = fs::read(path).at(path)?;
            // The source may have been replaced since it was probed: its name would then lie.
            if !blake3.is_empty() && blake3::hash(&bytes).to_hex().as_str() != blake3 {
                return Err(GenerateError::SourceChanged(path.clone()));
            }
            let mut f = File::create_new(dest).at(dest)?;
            f.write_all(&bytes).at(dest)?;
        }
    }
    Ok(())
}

/// Flushes the file system that holds `dir`: one flush for a whole generation, instead of one
/// per file.
fn sync_fs(dir: &Path) -> Result<(), GenerateError> {
    let handle = File::open(dir).at(dir)?;
    rustix::fs::syncfs(&handle).map_err(std::io::Error::from).at(dir)?;
    Ok(())
}

/// A new file of `bytes` (see [`write_new`]).
fn write_bytes(dest: &Path, bytes: &[u8]) -> Result<(), GenerateError> {
    let mut f = File::create_new(dest).at(dest)?;
    f.write_all(bytes).at(dest)?;
    Ok(())
}

/// A new file: `copy`'s tag, then its source's audio, read in 256 KiB pieces (never the whole
/// file in memory) and hashed on the way. The source must still be the file probed: by its
/// identity when the probe cache (`probed`) vouches for it, else by its BLAKE3, computed from the
/// same reads. Returns the new file's BLAKE3 and length.
fn write_tagged(dest: &Path, copy: &TaggedCopy, probed: Option<&Path>) -> Result<(String, u64), GenerateError> {
    use std::io::Read;
    let src = &copy.src;
    let identity = probed.and_then(|c| media::probed_as(src, c, &copy.src_blake3));
    let mut from = File::open(src).at(src)?;
    let mut to = File::create_new(dest).at(dest)?;
    to.write_all(&copy.tag).at(dest)?;
    let mut hash = blake3::Hasher::new();
    hash.update(&copy.tag);
    let mut source = identity.is_none().then(blake3::Hasher::new);
    let mut buf = vec![0u8; 256 * 1024];
    let mut at = 0u64;
    if source.is_none() {
        // Known by its identity: the head (old tags) need not be read.
        std::io::Seek::seek(&mut from, std::io::SeekFrom::Start(copy.audio.start)).at(src)?;
        at = copy.audio.start;
    }
    loop {
        if source.is_none() && at >= copy.audio.end {
            break;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(crate::util::IoError::new(src, e).into()),
        };
        let chunk = &buf[..n];
        if let Some(h) = &mut source {
            h.update(chunk);
        }
        let (start, end) = (copy.audio.start.max(at), copy.audio.end.min(at + n as u64));
        if start < end {
            let part = &chunk[(start - at) as usize..(end - at) as usize];
            hash.update(part);
            to.write_all(part).at(dest)?;
        }
        at += n as u64;
    }
    let unchanged = match (identity, source) {
        (Some(id), _) => fs::metadata(src).is_ok_and(|m| FileIdentity::of(&m) == id),
        (None, Some(h)) => h.finalize().to_hex().as_str() == copy.src_blake3,
        (None, None) => false,
    };
    if !unchanged || at < copy.audio.end {
        return Err(GenerateError::SourceChanged(src.clone()));
    }
    Ok((hash.finalize().to_hex().to_string(), copy.tag.len() as u64 + (copy.audio.end - copy.audio.start)))
}

/// `build/`, made if needed, without what a killed build left there.
fn build_dir(root: &Path) -> Result<PathBuf, GenerateError> {
    let build = root.join("build");
    fs::create_dir_all(&build).at(&build)?;
    remove_leftovers(&build)?;
    Ok(build)
}

/// Removes what a killed build left: `gen-tmp-*`, `preview-tmp-*` and a stray link being
/// swapped. Safe because the caller holds the build lock.
fn remove_leftovers(build: &Path) -> Result<(), GenerateError> {
    for entry in fs::read_dir(build).at(build)?.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        // `build/preview` was a directory before previews were generations of their own.
        let old_preview = name == "preview" && entry.file_type().is_ok_and(|t| t.is_dir());
        // A stage of M4A copies is this process's while it plans, else a killed one's.
        let stale_stage = name.starts_with("stage-") && name != stage_name();
        if name.starts_with("gen-tmp-") || name.starts_with("preview-tmp-") || old_preview || stale_stage {
            fs::remove_dir_all(entry.path()).at(entry.path())?;
        } else if name == ".current.tmp" || name == ".preview.tmp" {
            fs::remove_file(entry.path()).at(entry.path())?;
        }
    }
    Ok(())
}

/// `build/stage-<pid>`: where this process makes its tagged M4A copies while it plans.
pub(crate) fn stage_name() -> String {
    format!("stage-{}", std::process::id())
}

/// Removes this process's stage once its copies are linked into a generation.
pub(crate) fn remove_stage(build: &Path) {
    let _ = fs::remove_dir_all(build.join(stage_name()));
}

/// The slot's generations, oldest first.
fn generations(build: &Path, slot: Slot) -> Result<Vec<(u64, String)>, GenerateError> {
    let mut out: Vec<(u64, String)> = fs::read_dir(build)
        .at(build)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            slot.number(&name).map(|n| (n, name))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Points the slot's link at `name` in one rename, so a reader never sees it missing.
fn swap(build: &Path, slot: Slot, name: &str) -> Result<(), GenerateError> {
    let tmp = build.join(format!(".{}.tmp", slot.link()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(name, &tmp).at(&tmp)?;
    let link = build.join(slot.link());
    fs::rename(&tmp, &link).at(&link)?;
    Ok(sync_dir(build).at(build)?)
}

/// Deletes the slot's older generations, keeping the new one, the one it replaced (a server may
/// not have switched yet), and any that a server still holds (see [`Generation::hold`]).
fn remove_old(build: &Path, slot: Slot, current: &str, previous: Option<&str>) -> Result<(), GenerateError> {
    for (_, name) in generations(build, slot)? {
        if name == current || Some(name.as_str()) == previous {
            continue;
        }
        let dir = build.join(&name);
        if !held(&dir) {
            fs::remove_dir_all(&dir).at(&dir)?;
        }
    }
    Ok(())
}

/// Deletes `paths` (outputs under www, as a build report names them) from every generation but
/// `build/current`'s: the older ones and the previews, so that what a retraction took out of
/// the outputs is nowhere under build/. One that no server holds is deleted whole; one a server
/// holds loses those files (a request being answered from one keeps it until it ends) and its
/// manifest, so that no build takes it for what it was. Returns the generations deleted whole.
pub(crate) fn purge(root: &Path, paths: &[String]) -> Result<usize, GenerateError> {
    let build = root.join("build");
    let current = current_generation(root).map(|g| g.name);
    let mut deleted = 0;
    for slot in [Slot::Current, Slot::Preview] {
        for (_, name) in generations(&build, slot)? {
            if Some(&name) == current.as_ref() {
                continue;
            }
            let dir = build.join(&name);
            if !held(&dir) {
                fs::remove_dir_all(&dir).at(&dir)?;
                deleted += 1;
                continue;
            }
            remove(&dir.join("manifest.json"))?;
            let www = dir.join("www");
            for path in paths {
                remove(&www.join(path))?;
                // The directories it leaves empty (an episode's page's) go too.
                for parent in Path::new(path).ancestors().skip(1).take_while(|p| !p.as_os_str().is_empty()) {
                    if fs::remove_dir(www.join(parent)).is_err() {
                        break;
                    }
                }
            }
        }
    }
    Ok(deleted)
}

/// Whether a server holds the generation in `dir` (see [`Generation::hold`]).
fn held(dir: &Path) -> bool {
    File::options()
        .write(true)
        .open(dir.join(HOLD))
        .is_ok_and(|f| matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)))
}

/// Test hook: `VEILLEE_TEST_CRASH_AT=N` kills the process (SIGKILL, nothing cleaned up) at the Nth
/// step of writing a generation (a file written, linked or removed; a rename), so that a test can
/// stop a build at every point. Without it, one relaxed atomic add per step.
fn crash_point() {
    use std::sync::LazyLock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static AT: LazyLock<Option<usize>> = LazyLock::new(|| std::env::var("VEILLEE_TEST_CRASH_AT").ok()?.parse().ok());
    static STEPS: AtomicUsize = AtomicUsize::new(0);
    if let Some(at) = *AT
        && STEPS.fetch_add(1, Ordering::Relaxed) == at
    {
        let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
    }
}

/// Test hook: `VEILLEE_TEST_WRITE_DELAY_MS` slows each write so that a test can kill a build
/// midway. It changes no output.
fn test_delay() -> Option<std::time::Duration> {
    std::env::var("VEILLEE_TEST_WRITE_DELAY_MS").ok()?.parse().ok().map(std::time::Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Probed audio is copied without being hashed again, and audio changed since its probe is
    /// refused, whichever way it is checked.
    #[test]
    fn a_copy_of_audio_is_of_the_bytes_probed() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, src) = (dir.path().join("cache"), dir.path().join("a.mp3"));
        fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/cbr.mp3"), &src).unwrap();
        // Old enough that its times cannot hide a change (git's racy rule).
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(10);
        File::options().write(true).open(&src).unwrap().set_modified(old).unwrap();
        let (facts, _, _) = media::probe_cached(&src, Some(&cache)).unwrap();
        let content = Content::File { path: src.clone(), blake3: Some(facts.blake3.clone()) };
        assert!(media::probed_as(&src, &cache, &facts.blake3).is_some(), "known by its identity");
        let copy = dir.path().join("copy.mp3");
        write_new(&copy, &content, &facts.blake3, Some(&cache)).unwrap();
        assert_eq!(fs::read(&copy).unwrap(), fs::read(&src).unwrap());

        let mut bytes = fs::read(&src).unwrap();
        bytes[1000] ^= 1;
        fs::write(&src, &bytes).unwrap();
        File::options().write(true).open(&src).unwrap().set_modified(old).unwrap();
        assert!(media::probed_as(&src, &cache, &facts.blake3).is_none(), "another identity");
        for probed in [Some(cache.as_path()), None] {
            let copy = dir.path().join(format!("changed-{}.mp3", probed.is_some()));
            let err = write_new(&copy, &content, &facts.blake3, probed).unwrap_err();
            assert!(matches!(err, GenerateError::SourceChanged(_)), "{err}");
        }
    }
}
