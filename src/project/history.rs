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
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
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

/// Runs a git command; its last line of error output when it fails.
fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("git cannot be run: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("git failed").trim().to_owned())
}
