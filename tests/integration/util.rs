//! A fixture project in a temporary directory, and the real `veillee` binary run on it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2026-01-01T00:00:00Z: the clock of every test build.
pub(crate) const NOW: i64 = 1_767_225_600;
/// 2027-01-01T00:00:00Z: after every publication date of the sample show and the search show.
pub(crate) const LATER: i64 = 1_798_761_600;

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub(crate) struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// A copy of `tests/fixtures/projects/<name>`.
    pub(crate) fn fixture(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join("projects").join(name), dir.path());
        Project { dir }
    }

    /// A copy of the repository's own sample show (its sources only).
    pub(crate) fn sample() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for sub in ["feed", "episodes", "transcripts", "site"] {
            copy_dir(&repo.join(sub), &dir.path().join(sub));
        }
        Project { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn file(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub(crate) fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.file(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Replaces `from` by `to` in a file, failing if `from` is not there.
    pub(crate) fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, text.replacen(from, to, 1));
    }

    pub(crate) fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_veillee"));
        cmd.arg("--root").arg(self.path()).env("SOURCE_DATE_EPOCH", NOW.to_string()).env("TZ", "Europe/Paris");
        // Reports are compared whole: a slow machine must not add the slowest steps to them.
        cmd.env("VEILLEE_TEST_NO_TIMINGS", "1");
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "veillee {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail with exit code 1; returns its stderr.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs a command that writes a generation, slowed down, and SIGKILLs it once it has
    /// started writing files; returns the `gen-tmp-*` directory it left.
    pub(crate) fn kill_while_writing(&self, args: &[&str]) -> PathBuf {
        use std::time::{Duration, Instant};
        let mut child = self
            .command()
            .args(args)
            .env("VEILLEE_TEST_WRITE_DELAY_MS", "300")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let tmp = loop {
            let writing = std::fs::read_dir(self.file("build")).ok().and_then(|entries| {
                entries.filter_map(Result::ok).map(|e| e.path()).find(|path| {
                    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("gen-tmp-"))
                        && std::fs::read_dir(path.join("www")).is_ok_and(|mut d| d.next().is_some())
                })
            });
            if let Some(path) = writing {
                break path;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "veillee {args:?} never started writing");
            std::thread::sleep(Duration::from_millis(10));
        };
        child.kill().unwrap();
        child.wait().unwrap();
        tmp
    }

    /// The library's front door on this project, at the tests' clock.
    pub(crate) fn project(&self) -> veillee::project::Project {
        let now = jiff::Timestamp::from_second(NOW).unwrap();
        veillee::project::Project::at(self.path()).with_clock(veillee::project::Clock::Fixed(now))
    }

    /// The `www/` of the current generation.
    pub(crate) fn www(&self) -> PathBuf {
        self.file("build/current/www")
    }
}

/// A copy of `p`'s sources alone: no build, no cache.
pub(crate) fn cold_copy(p: &Project) -> Project {
    let copy = Project { dir: tempfile::tempdir().unwrap() };
    for sub in ["feed", "episodes", "transcripts", "site"] {
        copy_dir(&p.file(sub), &copy.file(sub));
    }
    copy
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), target).unwrap();
        } else if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, by relative path (symbolic links below it left out:
/// `build/current` is one of the generations beside it).
pub(crate) fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.insert(name, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, "", &mut out);
    out
}
