//! Build generations on disk: the lock, `gen-tmp-*` → `gen-N`, the `current` symlink, and hard
//! links to unchanged outputs. The recipe and its pitfalls: reference/build-generations.md.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::IndexPlan;
use super::{BuildError, Content, Output, Report};
use crate::fsutil::sync_dir;
use crate::search;

/// The exclusive lock shared by `build`, `publish` and `serve` (released when dropped).
pub struct BuildLock {
    _file: File,
}

impl BuildLock {
    /// Waits for the lock on `build/.lock`.
    pub fn acquire(root: &Path) -> Result<Self, BuildError> {
        let dir = root.join("build");
        fs::create_dir_all(&dir).map_err(|e| BuildError::io(&dir, e))?;
        let path = dir.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| BuildError::io(&path, e))?;
        file.lock().map_err(|e| BuildError::io(&path, e))?;
        Ok(BuildLock { _file: file })
    }
}

/// A complete generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    /// `gen-N`.
    pub name: String,
    /// `build/gen-N`, resolved (not through the symlink).
    pub dir: PathBuf,
}

impl Generation {
    pub fn www(&self) -> PathBuf {
        self.dir.join("www")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// Marks the generation as in use until the returned handle is dropped: a build does not
    /// delete a generation that a server still answers from.
    pub fn hold(&self) -> std::io::Result<File> {
        let file = File::options().create(true).truncate(false).write(true).open(self.dir.join(HOLD))?;
        file.lock_shared()?;
        Ok(file)
    }
}

/// The file a server holds a shared lock on while it serves a generation.
const HOLD: &str = ".hold";

/// The generation `build/current` points to, if any.
pub fn current_generation(root: &Path) -> Option<Generation> {
    let build = root.join("build");
    let target = fs::read_link(build.join("current")).ok()?;
    let name = target.file_name()?.to_string_lossy().into_owned();
    let dir = build.join(&name);
    dir.is_dir().then_some(Generation { name, dir })
}

/// What a generation holds: each output's key (the hash of its inputs), hash and length, so
/// that the next build knows what changed without reading or rendering anything again.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, Entry>,
    /// The search index: each episode's GUID and the key of its documents.
    #[serde(default)]
    pub index: BTreeMap<String, String>,
    #[serde(default)]
    pub index_version: String,
    #[serde(default)]
    pub index_labels: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub key: String,
    pub blake3: String,
    pub length: u64,
}

const MANIFEST: &str = "manifest.json";

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix("gen-")?.parse().ok()
}

/// The current generation and its manifest, if there is one.
pub fn previous_manifest(root: &Path) -> Option<(Generation, Manifest)> {
    let generation = current_generation(root)?;
    let manifest = serde_json::from_slice(&fs::read(generation.dir.join(MANIFEST)).ok()?).ok()?;
    Some((generation, manifest))
}

/// Writes `outputs` as a new generation, unless they equal the current one's.
pub(super) fn write(
    root: &Path,
    mut outputs: BTreeMap<String, Output>,
    index: IndexPlan,
) -> Result<Report, BuildError> {
    let build = root.join("build");
    fs::create_dir_all(&build).map_err(|e| BuildError::io(&build, e))?;
    remove_leftovers(&build)?;
    let (previous, old) = match previous_manifest(root) {
        Some((g, m)) => (Some(g), m),
        None => (current_generation(root), Manifest::default()),
    };
    let in_previous =
        |path: &str| previous.as_ref().is_some_and(|g| old.files.contains_key(path) && g.www().join(path).is_file());
    // Files kept from the previous generation if it has them (superseded media).
    outputs.retain(|path, o| !matches!(o.content, Content::Inherited) || in_previous(path));
    // Every output made from the same inputs as before, and no other: nothing to compare or write.
    let index_unchanged =
        index.keys == old.index && index.labels_key == old.index_labels && index.version == old.index_version;
    if let Some(prev) = &previous
        && index_unchanged
        && outputs.len() == old.files.len()
        && outputs.values().all(|o| matches!(o.content, Content::Unchanged))
    {
        return Ok(Report {
            generation: None,
            current: prev.name.clone(),
            unchanged: outputs.len(),
            ..Report::default()
        });
    }

    let mut manifest = Manifest {
        index: index.keys.clone(),
        index_version: index.version.clone(),
        index_labels: index.labels_key.clone(),
        ..Manifest::default()
    };
    for (path, output) in &outputs {
        let (blake3, length) = match &output.content {
            Content::Bytes(b) => (blake3::hash(b).to_hex().to_string(), b.len() as u64),
            Content::File { path: src, blake3: Some(hash) } => {
                (hash.clone(), fs::metadata(src).map_err(|e| BuildError::io(src, e))?.len())
            }
            Content::File { path: src, blake3: None } => {
                let bytes = fs::read(src).map_err(|e| BuildError::io(src, e))?;
                (blake3::hash(&bytes).to_hex().to_string(), bytes.len() as u64)
            }
            Content::Unchanged | Content::Inherited => {
                let e = old.files.get(path).ok_or_else(|| {
                    BuildError::io(Path::new(path), std::io::Error::other("not in the previous generation"))
                })?;
                (e.blake3.clone(), e.length)
            }
        };
        manifest.files.insert(path.clone(), Entry { key: output.key.clone(), blake3, length });
    }
    if let Some(prev) = &previous
        && manifest == old
    {
        return Ok(Report {
            generation: None,
            current: prev.name.clone(),
            unchanged: outputs.len(),
            ..Report::default()
        });
    }

    let tmp = build.join(format!("gen-tmp-{}", std::process::id()));
    let www = tmp.join("www");
    fs::create_dir_all(&www).map_err(|e| BuildError::io(&www, e))?;
    // Directories first, once each; then the files, on every core (creating tens of thousands
    // of inodes is most of a first build).
    let dirs: std::collections::BTreeSet<PathBuf> = outputs
        .keys()
        .filter_map(|p| www.join(p).parent().map(Path::to_path_buf))
        .flat_map(|d| {
            d.ancestors().take_while(|a| a.starts_with(&www) && *a != www).map(Path::to_path_buf).collect::<Vec<_>>()
        })
        .collect();
    fs::create_dir_all(&www).map_err(|e| BuildError::io(&www, e))?;
    let dirs: Vec<PathBuf> = dirs.into_iter().collect();
    // Parents sort before their children: create each depth in turn, each on every core.
    let depth = |d: &PathBuf| d.components().count();
    let mut by_depth: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    for d in dirs {
        by_depth.entry(depth(&d)).or_default().push(d);
    }
    for level in by_depth.values() {
        for made in crate::par::map(level, |d| match fs::create_dir(d) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(BuildError::io(d, e)),
            _ => Ok(()),
        }) {
            made?;
        }
    }
    // What to do with each output: link the previous generation's file, write it, or link the
    // first file of the generation with the same bytes (episodes sharing an audio file).
    let mut first_of: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut plan: Vec<(&str, Action)> = Vec::with_capacity(outputs.len());
    for (path, output) in &outputs {
        let entry = &manifest.files[path];
        let same_bytes = old.files.get(path).is_some_and(|o| o.blake3 == entry.blake3 && o.length == entry.length);
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
                                return Err(BuildError::io(
                                    Path::new(path),
                                    std::io::Error::other("no previous generation"),
                                ));
                            }
                        },
                        other => other.clone(),
                    })
                }
            },
        };
        plan.push((path, action));
    }
    let delay = test_delay();
    let run = |(path, action): &(&str, Action)| -> Result<bool, BuildError> {
        let dest = www.join(path);
        let blake3 = &manifest.files[*path].blake3;
        match action {
            Action::Link(prev) if fs::hard_link(prev, &dest).is_ok() => return Ok(true),
            Action::Link(prev) => {
                write_new(&dest, &Content::File { path: prev.clone(), blake3: Some(blake3.clone()) }, blake3)?
            }
            Action::Write(content) => write_new(&dest, content, blake3)?,
            Action::Twin(_) => return Ok(false),
        }
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
        Ok(false)
    };
    // One task per directory: two threads creating files in one directory wait on its lock.
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (path, _)) in plan.iter().enumerate() {
        groups.entry(path.rsplit_once('/').map_or("", |(dir, _)| dir)).or_default().push(i);
    }
    let groups: Vec<Vec<usize>> = groups.into_values().collect();
    let mut linked = vec![false; plan.len()];
    for results in
        crate::par::map(&groups, |group| group.iter().map(|&i| run(&plan[i]).map(|l| (i, l))).collect::<Vec<_>>())
    {
        for result in results {
            let (i, l) = result?;
            linked[i] = l;
        }
    }
    // Twins after the files they link to.
    for results in crate::par::map(&groups, |group| {
        group
            .iter()
            .map(|&i| match &plan[i] {
                (path, Action::Twin(first)) => {
                    fs::hard_link(first, www.join(path)).map_err(|e| BuildError::io(&www.join(path), e))
                }
                _ => Ok(()),
            })
            .collect::<Vec<_>>()
    }) {
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
    }
    let mut report = Report::default();
    for ((path, _), linked) in plan.iter().zip(linked) {
        if linked {
            report.unchanged += 1;
        } else {
            report.written.push((*path).to_owned());
        }
    }
    // The index: the previous one's files linked, the changed episodes deleted and added.
    let remove: Vec<String> = match &index.over {
        Some(_) => old.index.iter().filter(|(g, k)| index.keys.get(*g) != Some(*k)).map(|(g, _)| g.clone()).collect(),
        None => Vec::new(),
    };
    let update = search::Update { remove, add: &index.add, labels: &index.labels };
    search::write_index(&tmp.join("index"), index.over.as_deref(), &update)
        .map_err(|e| BuildError::io(&tmp.join("index"), std::io::Error::other(e)))?;
    report.reindexed = index.add.iter().map(|d| d.slug.clone()).collect();
    let manifest_bytes = serde_json::to_vec(&manifest).map_err(|e| BuildError::io(&tmp, e.into()))?;
    write_new(&tmp.join(MANIFEST), &Content::Bytes(manifest_bytes), "")?;
    report.removed = old.files.keys().filter(|p| !manifest.files.contains_key(*p)).cloned().collect();
    // One flush of the file system for the whole generation, instead of one per file: the
    // rename below must not reach the disk before the files it makes current.
    let dir = File::open(&tmp).map_err(|e| BuildError::io(&tmp, e))?;
    rustix::fs::syncfs(&dir).map_err(|e| BuildError::io(&tmp, e.into()))?;

    let next = next_number(&build)?;
    let name = format!("gen-{next}");
    let dir = build.join(&name);
    fs::rename(&tmp, &dir).map_err(|e| BuildError::io(&dir, e))?;
    sync_dir(&build).map_err(|e| BuildError::io(&build, e))?;
    swap_current(&build, &name)?;
    remove_old(&build, &name, previous.as_ref().map(|g| g.name.as_str()))?;
    report.generation = Some(name.clone());
    report.current = name;
    Ok(report)
}

/// Writes `build/preview/www` from scratch (through a temporary directory renamed into place).
pub(super) fn write_preview(
    root: &Path,
    outputs: BTreeMap<String, Output>,
    index: IndexPlan,
) -> Result<PathBuf, BuildError> {
    let build = root.join("build");
    let tmp = build.join(format!("preview-tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let update = search::Update { remove: Vec::new(), add: &index.add, labels: &index.labels };
    search::write_index(&tmp.join("index"), None, &update)
        .map_err(|e| BuildError::io(&tmp.join("index"), std::io::Error::other(e)))?;
    for (path, output) in outputs.iter().filter(|(_, o)| matches!(o.content, Content::Bytes(_) | Content::File { .. }))
    {
        let dest = tmp.join("www").join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| BuildError::io(parent, e))?;
        }
        write_new(&dest, &output.content, "")?;
    }
    let preview = build.join("preview");
    let old = build.join(format!("preview-old-{}", std::process::id()));
    if preview.exists() {
        fs::rename(&preview, &old).map_err(|e| BuildError::io(&preview, e))?;
    }
    fs::rename(&tmp, &preview).map_err(|e| BuildError::io(&preview, e))?;
    let _ = fs::remove_dir_all(&old);
    Ok(preview.join("www"))
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
/// for writing.
fn write_new(dest: &Path, content: &Content, blake3: &str) -> Result<(), BuildError> {
    let io = |e| BuildError::io(dest, e);
    match content {
        Content::Bytes(bytes) => {
            let mut f = File::create_new(dest).map_err(io)?;
            f.write_all(bytes).map_err(io)?;
        }
        Content::Inherited | Content::Unchanged => unreachable!("resolved to the previous generation's file"),
        Content::File { path, .. } => {
            let bytes = fs::read(path).map_err(|e| BuildError::io(path, e))?;
            // The source may have been replaced since it was probed: its name would then lie.
            if !blake3.is_empty() && blake3::hash(&bytes).to_hex().as_str() != blake3 {
                return Err(BuildError::io(
                    path,
                    std::io::Error::other("the file changed during the build; build again"),
                ));
            }
            let mut f = File::create_new(dest).map_err(io)?;
            f.write_all(&bytes).map_err(io)?;
        }
    }
    Ok(())
}

/// Removes what a killed build left: `gen-tmp-*` and a stray `.current.tmp`. Safe because the
/// caller holds the build lock.
fn remove_leftovers(build: &Path) -> Result<(), BuildError> {
    for entry in fs::read_dir(build).map_err(|e| BuildError::io(build, e))?.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("gen-tmp-") {
            fs::remove_dir_all(entry.path()).map_err(|e| BuildError::io(&entry.path(), e))?;
        } else if name == ".current.tmp" {
            fs::remove_file(entry.path()).map_err(|e| BuildError::io(&entry.path(), e))?;
        }
    }
    Ok(())
}

fn generations(build: &Path) -> Result<Vec<(u64, String)>, BuildError> {
    let mut out: Vec<(u64, String)> = fs::read_dir(build)
        .map_err(|e| BuildError::io(build, e))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            generation_number(&name).map(|n| (n, name))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn next_number(build: &Path) -> Result<u64, BuildError> {
    Ok(generations(build)?.last().map_or(1, |(n, _)| n + 1))
}

/// Points `build/current` at `name` in one rename, so a reader never sees it missing.
fn swap_current(build: &Path, name: &str) -> Result<(), BuildError> {
    let tmp = build.join(".current.tmp");
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(name, &tmp).map_err(|e| BuildError::io(&tmp, e))?;
    let current = build.join("current");
    fs::rename(&tmp, &current).map_err(|e| BuildError::io(&current, e))?;
    sync_dir(build).map_err(|e| BuildError::io(build, e))
}

/// Deletes the older generations, keeping the new one, the one it replaced (a server may not
/// have switched yet), and any that a server still holds (see [`Generation::hold`]).
fn remove_old(build: &Path, current: &str, previous: Option<&str>) -> Result<(), BuildError> {
    for (_, name) in generations(build)? {
        if name == current || Some(name.as_str()) == previous {
            continue;
        }
        let dir = build.join(&name);
        let held = File::options()
            .write(true)
            .open(dir.join(HOLD))
            .is_ok_and(|f| matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
        if !held {
            fs::remove_dir_all(&dir).map_err(|e| BuildError::io(&dir, e))?;
        }
    }
    Ok(())
}

/// Test hook: `VEILLEE_TEST_WRITE_DELAY_MS` slows each write so that a test can kill a build
/// midway. It changes no output.
fn test_delay() -> Option<std::time::Duration> {
    std::env::var("VEILLEE_TEST_WRITE_DELAY_MS").ok()?.parse().ok().map(std::time::Duration::from_millis)
}
