//! `/admin/` (French pages for staff) and `POST /api/episodes` (the same with a Bearer token):
//! log in, the episodes by state, a new draft with its uploads, its preview, publish, send back,
//! corrections, new audio. Every action is one `Project` operation, run off the async threads;
//! uploads stream to a staging directory on disk, never whole in memory.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Form, Multipart, Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::session::{LoginRefused, Staff, set_cookie};
use super::{AppState, say, secure};
use crate::problem::Lang;
use crate::project::{EpisodeText, Role, StaffMember, Staging, Upload, WorkError};

/// The most a transcript upload may weigh (an hour of WebVTT is about 100 kB).
const TRANSCRIPT_LIMIT: u64 = 20 * 1_000_000;
/// The most the text fields of a form may weigh together.
const TEXT_LIMIT: usize = 2 * 1_000_000;

pub(super) fn routes(upload_limit: u64) -> Router<Arc<AppState>> {
    // The body limit leaves room for the form's text around the file; each file is limited on
    // its own as it streams.
    let uploads = DefaultBodyLimit::max(
        usize::try_from(upload_limit).unwrap_or(usize::MAX).saturating_add(TEXT_LIMIT + TRANSCRIPT_LIMIT as usize),
    );
    Router::new()
        .route("/admin", get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/admin/")]) }))
        .route("/admin/", get(home))
        .route("/admin/admin.css", get(stylesheet))
        .route("/admin/connexion", post(login))
        .route("/admin/deconnexion", post(logout))
        .route("/admin/nouveau", get(new_form).post(create).layer(uploads))
        .route("/admin/episodes/{slug}/", get(episode))
        .route("/admin/episodes/{slug}/modifier", get(edit_form).post(edit).layer(uploads))
        .route("/admin/episodes/{slug}/publier", post(publish))
        .route("/admin/episodes/{slug}/renvoyer", post(send_back))
        .route("/admin/episodes/{slug}/retirer", post(retract))
        .route("/admin/episodes/{slug}/audio", post(replace_audio).layer(uploads))
        .route("/api/episodes", post(api_create).layer(uploads))
}

async fn stylesheet() -> Response {
    let mut r = ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], crate::site::ADMIN_CSS).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}

/// A page of `/admin/` with the headers every one carries: never cached, never framed.
fn page(
    status: StatusCode,
    name: &str,
    state: &AppState,
    staff: Option<&Staff>,
    mut ctx: serde_json::Value,
) -> Response {
    ctx["show"] = json!(state.show_title());
    if let Some(s) = staff {
        ctx["staff"] = json!({ "name": s.member.name, "role": s.member.role.to_string() });
        ctx["csrf"] = json!(s.csrf);
    }
    let html = crate::site::admin_page(name, &ctx).unwrap_or_else(|e| {
        say(&mut std::io::stderr(), &format!("error: admin page {name}: {e}"));
        "<!DOCTYPE html><html lang=\"fr\"><title>Erreur</title><p>Une erreur interne empêche d'afficher cette page.</p></html>"
            .to_owned()
    });
    let mut r = (status, axum::response::Html(html)).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    secure(r.headers_mut(), None);
    // The site's policy, but never framed, not even by the site's own pages.
    if let Some(csp) = r.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok())
        && let Ok(v) = HeaderValue::from_str(&csp.replace("frame-ancestors 'self'", "frame-ancestors 'none'"))
    {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned()), (header::CACHE_CONTROL, "no-store".to_owned())])
        .into_response()
}

/// The login page, for a request without a live session.
fn login_page(state: &AppState, status: StatusCode, error: Option<&str>) -> Response {
    page(status, "login", state, None, json!({ "title": "Se connecter", "error": error }))
}

/// The page shown when an operation failed: its message, and its problems one by one.
fn error_ctx(e: &WorkError) -> serde_json::Value {
    if e.internal() {
        say(&mut std::io::stderr(), &format!("error: admin: {e}"));
    }
    json!({ "error": e.french(), "problems": e.problems().map(|p| p.to_json(Lang::Fr)) })
}

fn work_status(e: &WorkError) -> StatusCode {
    match e {
        WorkError::Forbidden => StatusCode::FORBIDDEN,
        WorkError::NoEpisode { .. } | WorkError::Publish(crate::project::PublishError::UnknownEpisode { .. }) => {
            StatusCode::NOT_FOUND
        }
        _ if e.disk_full() => StatusCode::INSUFFICIENT_STORAGE,
        _ if e.internal() => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Runs a blocking `Project` operation off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// The client's address: the peer, or behind a reverse proxy on this machine the address it
/// says it forwards for.
fn client(peer: Option<&ConnectInfo<SocketAddr>>, headers: &HeaderMap) -> IpAddr {
    let peer = peer.map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    if !peer.is_loopback() {
        return peer;
    }
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer)
}

/// Served over https (directly or behind a proxy that says so): the cookie is then Secure.
fn over_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

async fn home(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(staff) = state.sessions.current(&state.project, &headers) else {
        return login_page(&state, StatusCode::OK, None);
    };
    list_page(&state, &staff, None).await
}

/// The list of episodes, with what the operation before said.
async fn list_page(state: &Arc<AppState>, staff: &Staff, notice: Option<String>) -> Response {
    let project = state.project.clone();
    let rows = blocking(move || project.episodes().and_then(|rows| Ok((rows, project.archive_log(None)?)))).await;
    let (rows, log) = match rows {
        Ok(rows) => rows,
        Err(problems) => {
            let ctx = json!({ "title": "Épisodes", "notice": notice, "error": "Les fichiers du podcast ont des problèmes : corrigez-les avant de publier.", "problems": problems.to_json(Lang::Fr), "groups": [] });
            return page(StatusCode::OK, "list", state, Some(staff), ctx);
        }
    };
    // From the ledger: the episode's sources may be gone.
    let retracted: Vec<_> = log
        .iter()
        .filter(|e| e.action == crate::catalog::ledger::Action::Retract)
        .rev()
        .map(|e| {
            let title = if e.title.is_empty() { &e.slug } else { &e.title };
            json!({ "title": title, "date_fr": crate::site::admin_date_fr(&e.recorded_at.to_string()), "reason": e.reason })
        })
        .collect();
    let with_fr = |r: &crate::project::EpisodeRow| {
        let mut v = json!(r);
        v["date_fr"] = json!(crate::site::admin_date_fr(&r.date));
        v["duration_fr"] = json!(crate::site::admin_duration_fr(r.duration));
        v
    };
    let group = |status: &str, title: &str, empty: &str| {
        let rows: Vec<_> = rows.iter().filter(|r| r.status == status).map(with_fr).collect();
        json!({ "title": title, "rows": rows, "empty": empty, "reviews": status == "draft" })
    };
    let ctx = json!({
        "title": "Épisodes",
        "groups": [
            group("draft", "Brouillons", "Aucun brouillon."),
            group("scheduled", "Programmés", "Aucun épisode programmé."),
            group("published", "Publiés", "Aucun épisode publié."),
        ],
        "retracted": retracted,
        "notice": notice,
    });
    page(StatusCode::OK, "list", state, Some(staff), ctx)
}

#[derive(serde::Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(
    State(state): State<Arc<AppState>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_page(&state, StatusCode::BAD_REQUEST, Some("Le formulaire est incomplet : collez votre jeton."));
    };
    let from = client(peer.as_ref().map(|e| &e.0), &headers);
    let (s, token) = (state.clone(), form.token);
    match blocking(move || s.sessions.login(&s.project, &token, from)).await {
        Ok((id, _)) => {
            let mut r = see_other("/admin/");
            if let Ok(v) = HeaderValue::from_str(&set_cookie(Some(&id), over_https(&headers))) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(LoginRefused::Wrong) => login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            Some("Ce jeton n'ouvre aucun compte : vérifiez-le, ou demandez-en un nouveau."),
        ),
        Err(LoginRefused::TooMany(secs)) => {
            let mut r = login_page(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&format!(
                    "Trop d'essais depuis cette adresse : réessayez dans {}.",
                    match secs.div_ceil(60) {
                        1 => "une minute".to_owned(),
                        n => format!("{n} minutes"),
                    }
                )),
            );
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            r
        }
    }
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
}

/// The session of a request that changes something, with a valid CSRF token; else the answer.
fn authorized(state: &AppState, headers: &HeaderMap, csrf: &str) -> Result<Staff, Box<Response>> {
    let Some(staff) = state.sessions.current(&state.project, headers) else {
        let expired = Some("Votre session a pris fin : connectez-vous à nouveau.");
        return Err(Box::new(login_page(state, StatusCode::UNAUTHORIZED, expired)));
    };
    if !staff.csrf_ok(csrf) {
        return Err(Box::new(refused_csrf(state, &staff)));
    }
    Ok(staff)
}

fn refused_csrf(state: &AppState, staff: &Staff) -> Response {
    let ctx = json!({ "title": "Formulaire refusé", "error": "Ce formulaire ne vient pas de cette session (il est peut-être ancien) : rien n'a été changé. Rechargez la page et recommencez.", "groups": [] });
    page(StatusCode::FORBIDDEN, "list", state, Some(staff), ctx)
}

async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let csrf = form.map(|f| f.0.csrf).unwrap_or_default();
    match authorized(&state, &headers, &csrf) {
        Ok(staff) => {
            state.sessions.logout(&staff);
            let mut r = see_other("/admin/");
            if let Ok(v) = HeaderValue::from_str(&set_cookie(None, over_https(&headers))) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(r) => *r,
    }
}

/// The form of an episode, new or existing, with what it says and what went wrong.
async fn form_page(
    state: &Arc<AppState>,
    staff: &Staff,
    slug: Option<&str>,
    text: &EpisodeText,
    published: bool,
    error: Option<&WorkError>,
) -> Response {
    let project = state.project.clone();
    let choices = blocking(move || project.choices()).await.unwrap_or_default();
    let pick = |legend: &str, name: &str, options: &[(String, String)], chosen: &[String]| {
        let options: Vec<_> =
            options.iter().map(|(s, n)| json!({ "slug": s, "name": n, "checked": chosen.contains(s) })).collect();
        json!({ "legend": legend, "name": name, "options": options })
    };
    let mut ctx = json!({
        "title": slug.map_or_else(|| "Nouvel épisode".to_owned(), |_| format!("Modifier « {} »", text.title)),
        "action": slug.map_or_else(|| "/admin/nouveau".to_owned(), |s| format!("/admin/episodes/{s}/modifier")),
        "submit": if slug.is_some() { "Enregistrer les corrections" } else { "Enregistrer le brouillon et voir l'aperçu" },
        "new": slug.is_none(),
        "published": published,
        "text": text,
        "limit_mb": state.upload_limit / 1_000_000,
        "mastering": choices.mastering,
        "picks": [
            pick("Partenaires", "partners", &choices.partners, &text.partners),
            pick("Méthodes", "methods", &choices.methods, &text.methods),
            pick("Territoires", "territories", &choices.territories, &text.territories),
        ],
    });
    let status = match error {
        Some(e) => {
            let extra = error_ctx(e);
            ctx["error"] = extra["error"].clone();
            ctx["problems"] = extra["problems"].clone();
            work_status(e)
        }
        None => StatusCode::OK,
    };
    page(status, "form", state, Some(staff), ctx)
}

async fn new_form(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(staff) = state.sessions.current(&state.project, &headers) else {
        return login_page(&state, StatusCode::UNAUTHORIZED, None);
    };
    form_page(&state, &staff, None, &EpisodeText::default(), false, None).await
}

/// What a multipart form brought: its text fields and the files streamed to the staging
/// directory (with the name each had on the client, for messages).
#[derive(Default)]
struct Received {
    fields: HashMap<String, Vec<String>>,
    audio: Option<(PathBuf, String)>,
    transcript: Option<(PathBuf, String)>,
}

impl Received {
    fn one(&self, name: &str) -> String {
        self.fields.get(name).and_then(|v| v.first()).cloned().unwrap_or_default()
    }

    fn text(&self) -> EpisodeText {
        let many = |name: &str| self.fields.get(name).cloned().unwrap_or_default();
        EpisodeText {
            title: self.one("title"),
            date: self.one("date"),
            summary: self.one("summary"),
            notes: self.one("notes"),
            partners: many("partners"),
            methods: many("methods"),
            territories: many("territories"),
            chapters: self.one("chapters"),
            guests: self.one("guests"),
        }
    }

    /// A yes-or-no field: a ticked box, or `true` from the API.
    fn flag(&self, name: &str) -> bool {
        self.one(name) == "true"
    }

    fn audio(&self) -> Option<Upload<'_>> {
        self.audio.as_ref().map(|(file, name)| Upload { file, name })
    }

    fn transcript(&self) -> Option<Upload<'_>> {
        self.transcript.as_ref().map(|(file, name)| Upload { file, name })
    }
}

/// Why a form's upload was refused before any operation.
enum Refused {
    /// What was too large, its limit (0: the whole body, over the server's), and whether it is
    /// the audio (whose limit the show sets).
    TooLarge {
        name: String,
        limit: u64,
        audio: bool,
    },
    Csrf,
    Malformed(String),
    /// What failed, and whether the disk is full.
    Io(String, bool),
}

impl From<&axum::extract::multipart::MultipartError> for Refused {
    /// The body over the server's limit, or cut or malformed (axum's own words go to the log).
    fn from(e: &axum::extract::multipart::MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Refused::TooLarge { name: "le formulaire".into(), limit: 0, audio: false };
        }
        say(&mut std::io::stderr(), &format!("upload: {}", e.body_text()));
        Refused::Malformed("coupé ou mal formé".into())
    }
}

impl Refused {
    fn status(&self) -> StatusCode {
        match self {
            Refused::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refused::Csrf => StatusCode::FORBIDDEN,
            Refused::Malformed(_) => StatusCode::BAD_REQUEST,
            Refused::Io(_, true) => StatusCode::INSUFFICIENT_STORAGE,
            Refused::Io(_, false) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Refused::TooLarge { .. } => "upload.too-large",
            Refused::Csrf => "staff.csrf",
            Refused::Malformed(_) => "upload.malformed",
            Refused::Io(_, true) => "server.disk-full",
            Refused::Io(_, false) => "internal",
        }
    }

    fn french(&self) -> String {
        match self {
            Refused::TooLarge { name, limit, audio: true } => format!(
                "« {name} » dépasse {} Mo, la taille que ce podcast accepte : rien n'a été enregistré. Exportez l'audio en MP3 (96 à 128 kbit/s) ou demandez d'augmenter upload_limit_mb dans feed/channel.toml.",
                limit / 1_000_000
            ),
            Refused::TooLarge { name, limit: 0, .. } => {
                format!("{name} dépasse la taille que ce podcast accepte : rien n'a été enregistré.")
            }
            Refused::TooLarge { name, limit, .. } => {
                format!("« {name} » dépasse {} Mo : rien n'a été enregistré.", limit / 1_000_000)
            }
            Refused::Csrf => {
                "Ce formulaire ne vient pas de cette session : rien n'a été changé. Rechargez la page et recommencez."
                    .into()
            }
            Refused::Malformed(why) => {
                format!("Le formulaire est arrivé incomplet ({why}) : rien n'a été enregistré. Réessayez.")
            }
            Refused::Io(_, true) => {
                "Le disque du serveur est plein : le fichier n'a pas pu être reçu, rien n'a été enregistré. Prévenez la personne qui s'occupe du serveur.".into()
            }
            Refused::Io(_, false) => {
                "Une erreur interne a empêché de recevoir le fichier ; rien n'a été enregistré. Réessayez plus tard."
                    .into()
            }
        }
    }
}

/// A file's name on the client, for messages: its last component, one line, at most 100
/// characters. It never becomes a path.
fn shown_name(name: Option<&str>) -> String {
    let name = name.unwrap_or("fichier");
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    if clean.trim().is_empty() { "fichier".into() } else { clean }
}

/// Reads a multipart form: text fields kept (at most [`TEXT_LIMIT`] bytes together), the
/// `audio` and `transcript` files streamed to `staging` under our own names, each under its
/// limit. With a session, its CSRF token must come before any file.
async fn receive(
    mut form: Multipart,
    staging: &Staging,
    audio_limit: u64,
    staff: Option<&Staff>,
) -> Result<Received, Refused> {
    let mut got = Received::default();
    let mut text_bytes = 0usize;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(Refused::from(&e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "audio" | "transcript" => {
                if let Some(staff) = staff
                    && !staff.csrf_ok(&got.one("csrf"))
                {
                    return Err(Refused::Csrf);
                }
                let shown = shown_name(field.file_name());
                let limit = if name == "audio" { audio_limit } else { TRANSCRIPT_LIMIT };
                let path = staging.file(&name);
                let written = stream_to(field, &path, limit, &shown).await?;
                // A file input left empty sends an empty part.
                if written > 0 {
                    let slot = if name == "audio" { &mut got.audio } else { &mut got.transcript };
                    *slot = Some((path, shown));
                }
            }
            _ => {
                let mut field = field;
                let mut value = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| Refused::from(&e))? {
                    text_bytes += chunk.len();
                    if text_bytes > TEXT_LIMIT {
                        return Err(Refused::TooLarge {
                            name: "le texte du formulaire".into(),
                            limit: TEXT_LIMIT as u64,
                            audio: false,
                        });
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value)
                    .map_err(|_| Refused::Malformed(format!("le champ {name} n'est pas en UTF-8")))?;
                got.fields.entry(name).or_default().push(value);
            }
        }
    }
    if let Some(staff) = staff
        && !staff.csrf_ok(&got.one("csrf"))
    {
        return Err(Refused::Csrf);
    }
    Ok(got)
}

/// Streams one file to `path`; its length.
async fn stream_to(
    mut field: axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
    limit: u64,
    shown: &str,
) -> Result<u64, Refused> {
    let io = |e: std::io::Error| {
        use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
        let full = matches!(e.kind(), StorageFull | FileTooLarge | QuotaExceeded);
        Refused::Io(format!("{}: {e}", path.display()), full)
    };
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut written = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|e| Refused::from(&e))? {
        written += chunk.len() as u64;
        if written > limit {
            return Err(Refused::TooLarge { name: shown.to_owned(), limit, audio: limit != TRANSCRIPT_LIMIT });
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    // On disk before it is renamed into the sources and its hash recorded: a power cut must not
    // leave a published file empty.
    file.flush().await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    Ok(written)
}

/// A logged-in form with its uploads received, or the page that says why not.
async fn uploaded(
    state: &AppState,
    headers: &HeaderMap,
    form: Multipart,
) -> Result<(Staff, Staging, Received), Box<Response>> {
    let Some(staff) = state.sessions.current(&state.project, headers) else {
        let expired = Some("Votre session a pris fin : connectez-vous à nouveau.");
        return Err(Box::new(login_page(state, StatusCode::UNAUTHORIZED, expired)));
    };
    let staging = match state.project.staging() {
        Ok(s) => s,
        Err(e) => return Err(Box::new(refused_page(state, &staff, &Refused::Io(e.to_string(), false)))),
    };
    match receive(form, &staging, state.upload_limit, Some(&staff)).await {
        Ok(got) => Ok((staff, staging, got)),
        Err(r) => Err(Box::new(refused_page(state, &staff, &r))),
    }
}

fn refused_page(state: &AppState, staff: &Staff, r: &Refused) -> Response {
    if let Refused::Io(detail, _) = r {
        say(&mut std::io::stderr(), &format!("error: upload: {detail}"));
    }
    let ctx = json!({ "title": "Envoi refusé", "error": r.french(), "groups": [] });
    page(r.status(), "list", state, Some(staff), ctx)
}

async fn create(State(state): State<Arc<AppState>>, headers: HeaderMap, form: Multipart) -> Response {
    let (staff, staging, got) = match uploaded(&state, &headers, form).await {
        Ok(all) => all,
        Err(r) => return *r,
    };
    let text = got.text();
    if got.audio.is_none() {
        let e = WorkError::Invalid { field: "audio", why: "choisissez le fichier audio de l'épisode".into() };
        return form_page(&state, &staff, None, &text, false, Some(&e)).await;
    }
    let (project, member, t) = (state.project.clone(), staff.member.clone(), text.clone());
    let saved = blocking(move || {
        let audio = got.audio().expect("checked above");
        project.save_draft(&t, audio, got.transcript(), got.flag("master"), &staging, Some(&member))
    })
    .await;
    match saved {
        Ok(changed) => see_other(&format!("/admin/episodes/{}/", changed.slug)),
        Err(e) => form_page(&state, &staff, None, &text, false, Some(&e)).await,
    }
}

async fn episode(State(state): State<Arc<AppState>>, headers: HeaderMap, UrlPath(slug): UrlPath<String>) -> Response {
    let Some(staff) = state.sessions.current(&state.project, &headers) else {
        return login_page(&state, StatusCode::UNAUTHORIZED, None);
    };
    episode_page(&state, &staff, &slug, StatusCode::OK, json!({})).await
}

/// An episode's preview and what can be done with it, with `extra` (a notice, an error).
async fn episode_page(
    state: &Arc<AppState>,
    staff: &Staff,
    slug: &str,
    status: StatusCode,
    extra: serde_json::Value,
) -> Response {
    let (project, s) = (state.project.clone(), slug.to_owned());
    let details = match blocking(move || project.episode_details(&s)).await {
        Ok(d) => d,
        Err(e) => {
            let mut ctx = error_ctx(&e);
            ctx["title"] = json!("Épisode");
            ctx["groups"] = json!([]);
            // What the operation before said (done, or done but not built) stays on the page.
            if let Some(said) = extra.get("error").or_else(|| extra.get("notice")) {
                ctx["notice"] = said.clone();
            }
            let status = if matches!(e, WorkError::Show(_)) { status } else { work_status(&e) };
            return page(status, "list", state, Some(staff), ctx);
        }
    };
    let status_fr = match details.row.status {
        "draft" => "Brouillon : pas encore publié",
        "scheduled" => "Programmé : sortira à sa date",
        "published" => "Publié",
        _ => "Retiré",
    };
    let mut ctx = json!({
        "title": details.row.title,
        "d": details,
        "status_fr": status_fr,
        "size_fr": crate::site::admin_size_fr(details.audio.length),
        "duration_fr": crate::site::admin_duration_fr(details.audio.duration),
        "light_size_fr": details.light.as_ref().map(|l| crate::site::admin_size_fr(l.length)),
        "editor": staff.member.role == Role::Editor,
        "limit_mb": state.upload_limit / 1_000_000,
    });
    if let (Some(ctx), Some(extra)) = (ctx.as_object_mut(), extra.as_object()) {
        ctx.extend(extra.clone());
    }
    page(status, "episode", state, Some(staff), ctx)
}

async fn edit_form(State(state): State<Arc<AppState>>, headers: HeaderMap, UrlPath(slug): UrlPath<String>) -> Response {
    let Some(staff) = state.sessions.current(&state.project, &headers) else {
        return login_page(&state, StatusCode::UNAUTHORIZED, None);
    };
    let (project, s) = (state.project.clone(), slug.clone());
    match blocking(move || project.episode_details(&s)).await {
        Ok(d) => form_page(&state, &staff, Some(&slug), &d.text, d.row.status != "draft", None).await,
        Err(e) => {
            let mut ctx = error_ctx(&e);
            ctx["title"] = json!("Épisode");
            page(work_status(&e), "list", &state, Some(&staff), ctx)
        }
    }
}

async fn edit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(slug): UrlPath<String>,
    form: Multipart,
) -> Response {
    let (staff, staging, got) = match uploaded(&state, &headers, form).await {
        Ok(all) => all,
        Err(r) => return *r,
    };
    let text = got.text();
    let (project, member, t, s) = (state.project.clone(), staff.member.clone(), text.clone(), slug.clone());
    let done = blocking(move || project.edit_episode(&s, &t, got.transcript(), &staging, &member)).await;
    match done {
        Ok(changed) => {
            if let Some(report) = &changed.build {
                state.built(report);
            }
            let mut extra = json!({ "notice": match changed.build {
                Some(_) => "Corrections enregistrées et publiées sur le site et dans le flux.",
                None => "Corrections enregistrées.",
            } });
            if let Some(e) = &changed.build_failed {
                extra = error_ctx(e);
                extra["error"] = json!(format!(
                    "Corrections enregistrées, mais le site n'a pas pu être reconstruit : il les montrera à la prochaine construction réussie. {}",
                    e.french()
                ));
            }
            episode_page(&state, &staff, &slug, StatusCode::OK, extra).await
        }
        Err(e) => {
            let (project, s) = (state.project.clone(), slug.clone());
            let published = blocking(move || project.has_published(&s)).await;
            form_page(&state, &staff, Some(&slug), &text, published, Some(&e)).await
        }
    }
}

async fn publish(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(slug): UrlPath<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let csrf = form.map(|f| f.0.csrf).unwrap_or_default();
    let staff = match authorized(&state, &headers, &csrf) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (project, member, s) = (state.project.clone(), staff.member.clone(), slug.clone());
    match blocking(move || project.publish_as(&s, &member)).await {
        Ok(published) => {
            state.built(&published.build);
            let scheduled = published.entries.iter().any(|e| e.pub_date > state.project.now());
            let notice = if scheduled {
                format!(
                    "Programmé : l'épisode sortira à sa date, sur le site et dans le flux. {}",
                    history_fr(&published.history)
                )
            } else {
                format!("Publié : l'épisode est sur le site et dans le flux. {}", history_fr(&published.history))
            };
            episode_page(&state, &staff, &slug, StatusCode::OK, json!({ "notice": notice })).await
        }
        Err(e) => episode_page(&state, &staff, &slug, work_status(&e), error_ctx(&e)).await,
    }
}

/// What became of the history, for staff.
fn history_fr(h: &crate::project::History) -> String {
    match h {
        crate::project::History::Committed(hash) => format!("Historique : enregistré ({hash})."),
        crate::project::History::Failed(_) => {
            say(&mut std::io::stderr(), &h.to_string());
            "L'historique git n'a pas pu être enregistré : prévenez la personne qui s'occupe du serveur.".into()
        }
        _ => String::new(),
    }
}

async fn send_back(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(slug): UrlPath<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let form = form.map_or(CsrfForm { csrf: String::new(), comment: String::new() }, |f| f.0);
    let staff = match authorized(&state, &headers, &form.csrf) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (project, member, s, comment) = (state.project.clone(), staff.member.clone(), slug.clone(), form.comment);
    match blocking(move || project.send_back(&s, &comment, &member)).await {
        Ok(()) => {
            episode_page(&state, &staff, &slug, StatusCode::OK, json!({ "notice": "Renvoyé avec votre commentaire." }))
                .await
        }
        Err(e) => episode_page(&state, &staff, &slug, work_status(&e), error_ctx(&e)).await,
    }
}

#[derive(serde::Deserialize)]
struct RetractForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    /// The checkbox: present when ticked.
    #[serde(default)]
    keep: Option<String>,
}

async fn retract(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(slug): UrlPath<String>,
    form: Result<Form<RetractForm>, FormRejection>,
) -> Response {
    let form = form.map_or(RetractForm { csrf: String::new(), reason: String::new(), keep: None }, |f| f.0);
    let staff = match authorized(&state, &headers, &form.csrf) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (project, member, s, reason, keep) =
        (state.project.clone(), staff.member.clone(), slug.clone(), form.reason, form.keep.is_some());
    match blocking(move || project.retract_as(&s, &reason, keep, &member)).await {
        Ok(done) => {
            state.built(&done.build);
            let notice = format!(
                "« {} » est retiré du site, du flux, de la recherche et des fichiers audio servis{}. {}",
                done.entry.title,
                if keep { " ; ses fichiers restent sur le serveur" } else { " ; ses fichiers sont supprimés" },
                history_fr(&done.history)
            );
            list_page(&state, &staff, Some(notice.trim_end().to_owned())).await
        }
        Err(e) => episode_page(&state, &staff, &slug, work_status(&e), error_ctx(&e)).await,
    }
}

async fn replace_audio(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(slug): UrlPath<String>,
    form: Multipart,
) -> Response {
    let (staff, staging, got) = match uploaded(&state, &headers, form).await {
        Ok(all) => all,
        Err(r) => return *r,
    };
    if got.audio.is_none() {
        let e = WorkError::Invalid { field: "audio", why: "choisissez le nouveau fichier audio".into() };
        return episode_page(&state, &staff, &slug, work_status(&e), error_ctx(&e)).await;
    }
    let (project, member, s) = (state.project.clone(), staff.member.clone(), slug.clone());
    let done = blocking(move || {
        let audio = got.audio().expect("checked above");
        project.replace_audio(&s, audio, &got.one("reason"), got.flag("master"), &staging, &member)
    })
    .await;
    match done {
        Ok(published) => {
            state.built(&published.build);
            let notice = format!("Nouvelle version publiée. {}", history_fr(&published.history));
            episode_page(&state, &staff, &slug, StatusCode::OK, json!({ "notice": notice })).await
        }
        Err(e) => episode_page(&state, &staff, &slug, work_status(&e), error_ctx(&e)).await,
    }
}

/// `POST /api/episodes` (multipart, `Authorization: Bearer <token>`): the form's fields, `audio`
/// and `transcript`, and `publish=true` to publish at once (editors). JSON in and out, errors as
/// `{"error": {"code", "message", "problems"?}}`.
async fn api_create(
    State(state): State<Arc<AppState>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let json_error = |status: StatusCode, code: &str, message: String, problems: Option<serde_json::Value>| {
        let mut error = json!({ "code": code, "message": message });
        if let Some(p) = problems {
            error["problems"] = p;
        }
        (status, axum::Json(json!({ "error": error }))).into_response()
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let from = client(peer.as_ref().map(|e| &e.0), &headers);
    let (s, t) = (state.clone(), token.unwrap_or_default());
    let member: StaffMember = match blocking(move || s.sessions.authenticate(&s.project, &t, from)).await {
        Ok(member) => member,
        Err(LoginRefused::Wrong) => {
            let mut r =
                json_error(StatusCode::UNAUTHORIZED, "staff.unauthorized", "Jeton absent ou inconnu.".into(), None);
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
        Err(LoginRefused::TooMany(secs)) => {
            let message = "Trop d'essais de jetons depuis cette adresse : réessayez plus tard.".to_owned();
            let mut r = json_error(StatusCode::TOO_MANY_REQUESTS, "staff.too-many-attempts", message, None);
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            return r;
        }
    };
    let staging = match state.project.staging() {
        Ok(s) => s,
        Err(e) => {
            say(&mut std::io::stderr(), &format!("error: upload: {e}"));
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                Refused::Io(String::new(), false).french(),
                None,
            );
        }
    };
    let got = match receive(form, &staging, state.upload_limit, None).await {
        Ok(got) => got,
        Err(r) => return json_error(r.status(), r.code(), r.french(), None),
    };
    let publish_now = got.flag("publish");
    if publish_now && member.role != Role::Editor {
        let message = "Seuls les éditeurs et éditrices publient : envoyez sans publish=true, le brouillon sera relu.";
        return json_error(StatusCode::FORBIDDEN, WorkError::Forbidden.code(), message.into(), None);
    }
    if got.audio.is_none() {
        let e = WorkError::Invalid { field: "audio", why: "le champ audio manque".into() };
        return json_error(work_status(&e), e.code(), e.french(), None);
    }
    let project = state.project.clone();
    let done = blocking(move || {
        let audio = got.audio().expect("checked above");
        let changed = project
            .save_draft(&got.text(), audio, got.transcript(), got.flag("master"), &staging, Some(&member))
            .map_err(|e| (e, None))?;
        // The draft is saved: a publish that fails says so, with the draft's address.
        let published = if publish_now {
            Some(project.publish_as(&changed.slug, &member).map_err(|e| (e, Some(changed.slug.clone())))?)
        } else {
            None
        };
        Ok::<_, (WorkError, Option<String>)>((changed, published))
    })
    .await;
    match done {
        Ok((changed, published)) => {
            match &published {
                Some(p) => state.built(&p.build),
                None => state.refresh(),
            }
            let entry = published.as_ref().and_then(|p| p.entries.first());
            let status = match entry {
                Some(e) if e.pub_date > state.project.now() => "scheduled",
                Some(_) => "published",
                None => "draft",
            };
            let body = json!({
                "slug": changed.slug,
                "status": status,
                "pub_date": entry.map(|e| e.pub_date.to_string()),
                "guid": entry.map(|e| e.guid.clone()),
                "page": format!("/episodes/{}/", changed.slug),
                "admin": format!("/admin/episodes/{}/", changed.slug),
            });
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        Err((e, draft)) => {
            let message = match draft {
                Some(slug) => format!(
                    "{} Le brouillon « {slug} » est enregistré : il attend dans /admin/episodes/{slug}/.",
                    e.french()
                ),
                None => e.french(),
            };
            json_error(work_status(&e), e.code(), message, e.problems().map(|p| p.to_json(Lang::Fr)))
        }
    }
}
