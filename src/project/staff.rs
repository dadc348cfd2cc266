//! Staff accounts (`veillee staff add|list|revoke`): who may prepare drafts (authors) and who
//! may publish (editors) from `/admin/`. Each has a token `<id>.<secret>` printed once: the id
//! finds the account, the secret is 256 random bits of which only the SHA-256 is kept. A random
//! secret needs no slow password hash (nobody can guess 256 bits), and a slow hash would let
//! anyone load the server's two cores by trying tokens.
//!
//! The accounts are in `.veillee/staff.toml` (mode 600, never in git): not a cache — deleting it
//! locks everyone out, so backups copy it with the rest of `.veillee/` (docs/ARCHITECTURE.md).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::Project;
use crate::util::IoError;

/// Where the accounts are, from the project's root.
pub const STAFF_FILE: &str = ".veillee/staff.toml";

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Prepares drafts.
    Author,
    /// Prepares drafts and publishes.
    Editor,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Author => "author",
            Role::Editor => "editor",
        })
    }
}

/// An account, as stored (no secret: its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffMember {
    /// Finds the account from a token's first half (12 hex digits, random).
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The SHA-256 of the token's secret half, hex.
    secret_sha256: String,
    /// When the account was made (RFC 3339).
    pub added: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffFile {
    #[serde(default)]
    staff: Vec<StaffMember>,
}

/// Why a staff command failed.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("{}: {message}", .path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error("a staff member is already named `{0}`: choose another name, or `veillee staff revoke {0}` first")]
    NameTaken(String),
    #[error("no staff member is named `{name}`{}", .known.as_ref().map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default())]
    Unknown { name: String, known: Option<String> },
    #[error("invalid {what} `{value}`: {why}")]
    Invalid { what: &'static str, value: String, why: &'static str },
    #[error("no random bytes from the system: {0}")]
    Random(String),
    #[error(transparent)]
    Io(#[from] IoError),
}

/// What `staff add` made: the account and its token, which is shown this once.
#[derive(Debug)]
pub struct NewStaff {
    pub member: StaffMember,
    pub token: String,
}

impl fmt::Display for NewStaff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.member;
        writeln!(f, "added {} <{}> as {}", m.name, m.email, m.role)?;
        writeln!(f, "token (shown this once; give it to {} privately): {}", m.name, self.token)?;
        write!(f, "only its SHA-256 is kept, in {STAFF_FILE}: a lost token is replaced by revoking and adding again")
    }
}

impl Project {
    /// Adds a staff member and returns their token (`<id>.<secret>`, shown once).
    pub fn staff_add(&self, name: &str, email: &str, role: Role) -> Result<NewStaff, StaffError> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 80 {
            return Err(StaffError::Invalid {
                what: "name",
                value: name.to_owned(),
                why: "one line of 1 to 80 characters",
            });
        }
        let email = email.trim();
        let valid_email = email.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid_email {
            return Err(StaffError::Invalid {
                what: "email",
                value: email.to_owned(),
                why: "an address like camille@example.org",
            });
        }
        let path = self.root().join(STAFF_FILE);
        let mut file = read(&path)?;
        if file.staff.iter().any(|m| m.name.eq_ignore_ascii_case(name)) {
            return Err(StaffError::NameTaken(name.to_owned()));
        }
        let mut random = [0u8; 38];
        getrandom::fill(&mut random).map_err(|e| StaffError::Random(e.to_string()))?;
        let id = hex(&random[..6]);
        let secret = hex(&random[6..]);
        let member = StaffMember {
            id: id.clone(),
            name: name.to_owned(),
            email: email.to_owned(),
            role,
            secret_sha256: hex(&sha2::Sha256::digest(secret.as_bytes())),
            added: self.now().to_string(),
        };
        file.staff.push(member.clone());
        write(&path, &file)?;
        Ok(NewStaff { member, token: format!("{id}.{secret}") })
    }

    /// The staff members, in the order they were added.
    pub fn staff_list(&self) -> Result<Vec<StaffMember>, StaffError> {
        Ok(read(&self.root().join(STAFF_FILE))?.staff)
    }

    /// Removes a staff member: their token no longer opens anything.
    pub fn staff_revoke(&self, name: &str) -> Result<StaffMember, StaffError> {
        let path = self.root().join(STAFF_FILE);
        let mut file = read(&path)?;
        let Some(at) = file.staff.iter().position(|m| m.name.eq_ignore_ascii_case(name.trim())) else {
            let known = crate::util::text::closest(name, file.staff.iter().map(|m| m.name.as_str()));
            return Err(StaffError::Unknown { name: name.to_owned(), known });
        };
        let gone = file.staff.remove(at);
        write(&path, &file)?;
        Ok(gone)
    }

    /// The staff member a token belongs to, if it is a current one. The secret's hash is compared
    /// in constant time, so that timing says nothing of how much of it was right.
    pub fn staff_authenticate(&self, token: &str) -> Option<StaffMember> {
        let (id, secret) = token.trim().split_once('.')?;
        let file = read(&self.root().join(STAFF_FILE)).ok()?;
        let member = file.staff.into_iter().find(|m| m.id == id)?;
        let given = hex(&sha2::Sha256::digest(secret.as_bytes()));
        constant_time_eq::constant_time_eq(given.as_bytes(), member.secret_sha256.as_bytes()).then_some(member)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read(path: &Path) -> Result<StaffFile, StaffError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(StaffFile::default()),
        Err(e) => return Err(IoError::new(path, e).into()),
    };
    toml::from_str(&text).map_err(|e| StaffError::Unreadable { path: path.to_owned(), message: e.to_string() })
}

/// Written whole or not at all, readable by its owner only (the hashes are not secrets, but the
/// list of who may publish is nobody else's business).
fn write(path: &Path, file: &StaffFile) -> Result<(), StaffError> {
    let text =
        toml::to_string(file).map_err(|e| StaffError::Unreadable { path: path.to_owned(), message: e.to_string() })?;
    crate::util::fs::write_private(path, text.as_bytes()).map_err(|e| IoError::new(path, e))?;
    Ok(())
}
