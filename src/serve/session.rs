//! Staff sessions of `/admin/`: a token exchanged once for a random session id in an HttpOnly,
//! SameSite=Strict cookie (Secure behind https), a CSRF token per session checked on every form,
//! and failed logins limited per client address. Sessions live in memory: a restart asks staff to
//! log in again, which is the safe side. Each request reads the account again, so a revoked
//! member is out at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::project::{Project, StaffMember};

pub(super) const COOKIE: &str = "veillee_session";
const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Failed logins allowed per client address and window, then 429 until the window ends.
const FAILURES: u32 = 5;
const WINDOW: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
struct Session {
    staff_id: String,
    csrf: String,
    expires: Instant,
}

/// A logged-in request: who, and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub(super) struct Staff {
    pub member: StaffMember,
    pub csrf: String,
    id: String,
}

#[derive(Debug, Default)]
pub(super) struct Sessions {
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// Why a login was refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LoginRefused {
    Wrong,
    /// Too many failures from this address: seconds to wait.
    TooMany(u64),
}

impl Sessions {
    /// Exchanges a token for a session id (the cookie's value).
    pub(super) fn login(
        &self,
        project: &Project,
        token: &str,
        from: IpAddr,
    ) -> Result<(String, StaffMember), LoginRefused> {
        let member = self.authenticate(project, token, from)?;
        // Without random bytes there is no safe session.
        let (Some(id), Some(csrf)) = (random_hex(), random_hex()) else { return Err(LoginRefused::Wrong) };
        let now = Instant::now();
        let session = Session { staff_id: member.id.clone(), csrf, expires: now + LIFETIME };
        let mut sessions = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(id.clone(), session);
        Ok((id, member))
    }

    /// The account of a token (the login form's, or the API's `Bearer`), under the limit of
    /// failures per client address. The attempt is counted before the token is checked and
    /// taken back if it opens an account: requests sent at once get no more tries than the limit.
    pub(super) fn authenticate(
        &self,
        project: &Project,
        token: &str,
        from: IpAddr,
    ) -> Result<StaffMember, LoginRefused> {
        let now = Instant::now();
        {
            let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            failures.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
            let (n, since) = failures.entry(from).or_insert((0, now));
            if *n >= FAILURES {
                return Err(LoginRefused::TooMany((WINDOW - now.duration_since(*since)).as_secs().max(1)));
            }
            *n += 1;
        }
        let member = project.staff_authenticate(token).ok_or(LoginRefused::Wrong)?;
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((n, _)) = failures.get_mut(&from) {
            *n = n.saturating_sub(1);
        }
        Ok(member)
    }

    /// The staff member of the request's session cookie, if it is a live session of a current
    /// account.
    pub(super) fn current(&self, project: &Project, headers: &HeaderMap) -> Option<Staff> {
        let id = cookie_value(headers)?;
        let session = {
            let sessions = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            sessions.get(&id).filter(|s| s.expires > Instant::now()).cloned()?
        };
        let member = project.staff_list().ok()?.into_iter().find(|m| m.id == session.staff_id)?;
        Some(Staff { member, csrf: session.csrf, id })
    }

    pub(super) fn logout(&self, staff: &Staff) {
        self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&staff.id);
    }
}

impl Staff {
    /// Whether a form's CSRF token is this session's (compared in constant time).
    pub(super) fn csrf_ok(&self, given: &str) -> bool {
        constant_time_eq::constant_time_eq(given.as_bytes(), self.csrf.as_bytes())
    }
}

/// The `Set-Cookie` value that opens (`Some(id)`) or ends (`None`) a session.
pub(super) fn set_cookie(id: Option<&str>, secure: bool) -> String {
    let mut c = cookie::Cookie::build((COOKIE, id.unwrap_or("").to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(secure);
    c = match id {
        Some(_) => c.max_age(cookie::time::Duration::seconds(LIFETIME.as_secs() as i64)),
        None => c.max_age(cookie::time::Duration::ZERO),
    };
    c.build().to_string()
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

fn random_hex() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_strict_and_hidden_from_scripts() {
        insta::assert_snapshot!(set_cookie(Some("abc"), true), @"veillee_session=abc; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=43200");
        insta::assert_snapshot!(set_cookie(None, false), @"veillee_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    }
}
