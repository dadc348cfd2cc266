//! File writing that never leaves a half-written file: write a temporary file next to the
//! target, flush it to disk (sources; caches are not flushed), then rename it over the target;
//! and the identity of a file, which says without reading it that it did not change; and the
//! files under a directory, by relative path.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating the parent directory if needed.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, true, None)
}

/// [`write_atomic`] for a file its owner alone may read (mode 600 from its creation: the file
/// is never readable by others, not even before the rename).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, true, Some(0o600))
}

/// Writes a cache file: whole or not at all for readers (a temporary file renamed), but not
/// flushed to disk: after a power cut it may be gone or damaged, which every cache survives
/// (each is checked when read), and a build does not wait for the disk for it.
pub(crate) fn write_cache(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, false, None)
}

fn write_renamed(path: &Path, bytes: &[u8], flush: bool, mode: Option<u32>) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-");
    if let Some(mode) = mode {
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if flush {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Flushes a directory's entries (after renames into it) to disk.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// What identifies a file's contents without reading them, as git's index does: the same
/// device, inode, size, modification and change times mean the same bytes, unless the file was
/// modified within the timestamp's resolution of being read ([`FileIdentity::racy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileIdentity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileIdentity {
    pub(crate) fn of(meta: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        FileIdentity {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
            ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
        }
    }

    /// A short name for the identity, for a cache file: the same file under any of its names
    /// (hard links, a rename) has the same key.
    pub(crate) fn key(&self) -> String {
        let id = format!("{}\0{}\0{}\0{}\0{}", self.dev, self.ino, self.size, self.mtime_ns, self.ctime_ns);
        crate::util::hash::blake3_hex(id.as_bytes())[..32].to_owned()
    }

    /// Whether the file may have changed after being read at `read_at_ns` (nanoseconds since the
    /// epoch, taken before the read) without its identity showing it: a write in the same clock
    /// tick leaves the times as they were. Such a file is read again, as git does.
    pub(crate) fn racy(&self, read_at_ns: i128) -> bool {
        self.mtime_ns >= read_at_ns || self.ctime_ns >= read_at_ns
    }
}

/// Now, in nanoseconds since the epoch (the unit of [`FileIdentity`]'s times).
pub(crate) fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(i128::MAX))
}

/// The regular files under `dir`, recursively, sorted; none when `dir` does not exist.
pub(crate) fn files_under(dir: &Path) -> Result<Vec<std::path::PathBuf>, crate::util::IoError> {
    use crate::util::IoContext;
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(crate::util::IoError::new(dir, e)),
    };
    for entry in entries {
        let entry = entry.at(dir)?;
        let kind = entry.file_type().at(entry.path())?;
        if kind.is_dir() {
            out.extend(files_under(&entry.path())?);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// A relative path with `/` separators, as URLs, manifests and object keys write it.
pub(crate) fn slashed(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}
