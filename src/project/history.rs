//! History: when the show is a git repository, each publish or edit is one commit of exactly the
//! files it wrote, made with the `git` command (what staff and their hosts already have; no
//! second implementation of git's index in the program). A show that is not a repository
//! publishes without it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Project;

/// Who made a change: a staff member from `/admin/`; `None` from the command line (git's
/// configured identity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

/// What became of the history of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum History {
    /// The show is not in a git repository.
    NotARepository,
    /// The files were as committed already.
    NothingToCommit,
    /// The commit made (its abbreviated hash).
    Committed(String),
    /// git refused (no identity configured, a hook, a lock): the operation itself is done; what
    /// git said.
    Failed(String),
}

impl std::fmt::Display for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            History::NotARepository => f.write_str("not a git repository: no commit made"),
            History::NothingToCommit => f.write_str("git: nothing to commit"),
            History::Committed(hash) => write!(f, "git: committed {hash}"),
            History::Failed(why) => write!(f, "warning: git did not commit ({why}); commit the files by hand"),
        }
    }
}

impl Project {
    /// Commits `files` (relative to the root; written, replaced or deleted by the operation) and
    /// nothing else: other changes staged or not stay as they were.
    pub(crate) fn commit(&self, files: &[PathBuf], message: &str, by: Option<&Identity>) -> History {
        let root = self.root();
        let git = |args: &[&str]| {
            let mut cmd = Command::new("git");
            cmd.arg("-C").arg(root).args(args).env("GIT_TERMINAL_PROMPT", "0");
            cmd
        };
        let inside = git(&["rev-parse", "--is-inside-work-tree"]).output();
        if !inside.is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"true")) {
            return History::NotARepository;
        }
        // A file deleted that git never held (a recording, kept out of it) has nothing to commit,
        // and `git add` would refuse an ignored path.
        let mut tracked = git(&["ls-files", "-z", "--"]);
        tracked.args(files);
        let tracked = tracked.output().map(|o| o.stdout).unwrap_or_default();
        let tracked: Vec<&[u8]> = tracked.split(|b| *b == 0).collect();
        let paths: Vec<&Path> = files
            .iter()
            .map(PathBuf::as_path)
            .filter(|p| root.join(p).exists() || tracked.contains(&crate::util::fs::slashed(p).as_bytes()))
            .collect();
        if paths.is_empty() {
            return History::NothingToCommit;
        }
        let mut add = git(&["add", "--all", "--"]);
        add.args(&paths);
        if let Err(why) = run(&mut add) {
            return History::Failed(why);
        }
        let mut diff = git(&["diff", "--cached", "--quiet", "--"]);
        diff.args(&paths);
        if diff.status().is_ok_and(|s| s.success()) {
            return History::NothingToCommit;
        }
        let mut commit = git(&["commit", "--quiet", "--no-verify", "-m", message]);
        if let Some(by) = by {
            commit.arg(format!("--author={} <{}>", by.name, by.email));
            // A server without an identity of its own commits as the staff member.
            let configured = git(&["config", "user.email"]).output().is_ok_and(|o| o.status.success());
            if !configured {
                commit.env("GIT_COMMITTER_NAME", &by.name).env("GIT_COMMITTER_EMAIL", &by.email);
            }
        }
        commit.arg("--").args(&paths);
        if let Err(why) = run(&mut commit) {
            return History::Failed(why);
        }
        match git(&["rev-parse", "--short", "HEAD"]).output() {
            Ok(o) if o.status.success() => History::Committed(String::from_utf8_lossy(&o.stdout).trim().to_owned()),
            _ => History::Failed("the commit cannot be read back".into()),
        }
    }
}

/// A line of the ledger removed or changed after it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rewrite {
    /// The commit that changed it (abbreviated), or `None` for the working tree since `HEAD`.
    pub commit: Option<String>,
    /// Its line in the ledger as it was before the change.
    pub line: usize,
    /// What it read.
    pub old: String,
}

impl Project {
    /// The ledger's lines that a commit, or the working tree, removed or changed: the ledger is
    /// only ever appended to, so any is a rewrite. Nothing outside a git repository.
    pub(crate) fn ledger_rewrites(&self) -> Vec<Rewrite> {
        let ledger = crate::catalog::ledger::LEDGER_PATH;
        let git = |args: &[&str]| {
            let out =
                Command::new("git").arg("-C").arg(self.root()).args(args).env("GIT_TERMINAL_PROMPT", "0").output();
            out.ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        };
        let mut out = Vec::new();
        let log = git(&["log", "--no-color", "--no-ext-diff", "--format=commit %h", "-p", "--unified=0", "--", ledger]);
        out.extend(removed_lines(&log.unwrap_or_default()));
        let worktree = git(&["diff", "--no-color", "--no-ext-diff", "--unified=0", "HEAD", "--", ledger]);
        out.extend(removed_lines(&worktree.unwrap_or_default()).into_iter().map(|r| Rewrite { commit: None, ..r }));
        out
    }
}

/// The removed lines of a unified diff (`git log -p --format="commit %h"` or `git diff`), with
/// their commit and their line before the change.
fn removed_lines(diff: &str) -> Vec<Rewrite> {
    let mut out = Vec::new();
    let (mut commit, mut old_line, mut in_hunk) = (None, 0usize, false);
    for line in diff.lines() {
        // Inside a hunk every line starts with `-`, `+`, ` ` or `\`.
        if let Some(hash) = line.strip_prefix("commit ") {
            (commit, in_hunk) = (Some(hash.to_owned()), false);
        } else if line.starts_with("diff --git ") {
            in_hunk = false;
        } else if let Some(range) = line.strip_prefix("@@ -") {
            // `@@ -start[,count] +…`: a count of 0 means the lines were added after `start`.
            let old = range.split(' ').next().unwrap_or("");
            old_line = old.split(',').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            in_hunk = true;
        } else if in_hunk && let Some(text) = line.strip_prefix('-') {
            out.push(Rewrite { commit: commit.clone(), line: old_line, old: text.to_owned() });
            old_line += 1;
        }
    }
    out
}

/// Runs a git command; its last line of error output when it fails.
fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("git cannot be run: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("git failed").trim().to_owned())
}
