//! The web server: a generation's `www/` with HEAD, Range and conditional requests (tower-http),
//! the media types of the feed, CORS on transcripts, chapters and feeds, 301 for renamed
//! episodes, the search API and page, and a switch to each new generation as soon as its link
//! moves. Handlers call the `Project` and the generation it opened, nothing below.
//!
//! **The address rule** (docs/ARCHITECTURE.md): `serve` serves `build/current` as built for
//! channel.toml's `base_url`; only `serve --preview` builds with the address it listens on, into
//! `build/preview`, which is never deployed and never reaches the ledger.

mod admin;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::generate::{GenerateError, Report, Slot};
use crate::problem::{Lang, Problems};
use crate::project::{BuildOptions, OpenGeneration, PageError, Project};
use crate::search::{self, SearchError};
use crate::util::{IoError, mime};

/// Options of `veillee serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `HOST:PORT`; port 0 picks a free port.
    pub addr: String,
    /// Build a preview for the listening address (`build/preview`) and serve it.
    pub preview: bool,
    /// Preview drafts and scheduled episodes too (implies `preview`).
    pub drafts: bool,
    /// Build again whenever a source changes.
    pub watch: bool,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    /// The first build failed and there is no earlier build to serve.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error(transparent)]
    Io(#[from] IoError),
}

/// What is being served.
#[derive(Debug)]
enum Served {
    /// No build yet.
    Nothing,
    Generation(Box<OpenGeneration>),
    /// The preview could not be built: its problems are shown instead.
    Problems(Problems),
}

/// What the handlers share.
pub struct AppState {
    project: Project,
    /// `build/current`, or `build/preview`.
    slot: Slot,
    served: ArcSwap<Served>,
    sessions: session::Sessions,
    /// The most an audio upload may weigh, in bytes (channel.toml's `upload_limit_mb`).
    upload_limit: u64,
    /// When the next scheduled episode comes out: the server rebuilds then. A publish from
    /// `/admin/` may bring it forward.
    next_scheduled: std::sync::Mutex<Option<jiff::Timestamp>>,
}

impl AppState {
    /// Serves the current generation of `project`.
    pub fn new(project: Project) -> Arc<Self> {
        Self::with(project, Slot::Current)
    }

    fn with(project: Project, slot: Slot) -> Arc<Self> {
        let upload_limit = project.upload_limit();
        let state = AppState {
            project,
            slot,
            served: ArcSwap::from_pointee(Served::Nothing),
            sessions: session::Sessions::default(),
            upload_limit,
            next_scheduled: std::sync::Mutex::new(None),
        };
        state.refresh();
        Arc::new(state)
    }

    /// Opens the slot's generation if a build moved its link.
    pub fn refresh(&self) {
        let name = match self.slot {
            Slot::Current => crate::generate::current_generation(self.project.root()),
            Slot::Preview => crate::generate::preview_generation(self.project.root()),
        }
        .map(|g| g.name);
        let Some(name) = name else { return };
        if let Served::Generation(open) = self.served.load().as_ref()
            && open.name() == name
        {
            return;
        }
        let open = match self.slot {
            Slot::Current => self.project.open_current(),
            Slot::Preview => self.project.open_preview(),
        };
        if let Some(open) = open {
            // The previous generation, and its hold, go when the last request using it ends.
            self.served.store(Arc::new(Served::Generation(Box::new(open))));
        }
    }

    /// After a build made outside the watch loop (a publish or a correction from `/admin/`):
    /// serve its generation, and come back when its next scheduled episode is due.
    fn built(&self, report: &Report) {
        self.set_next_scheduled(report.next_scheduled);
        self.refresh();
    }

    fn set_next_scheduled(&self, next: Option<jiff::Timestamp>) {
        *self.next_scheduled.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = next;
    }

    fn next_scheduled(&self) -> Option<jiff::Timestamp> {
        *self.next_scheduled.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The show's title, for the admin's pages.
    fn show_title(&self) -> String {
        self.project.show_title()
    }

    fn show_problems(&self, problems: Problems) {
        self.served.store(Arc::new(Served::Problems(problems)));
    }
}

/// The application, testable without a socket.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(admin::routes(state.upload_limit))
        .route("/api/search", get(api_search))
        .route("/recherche/", get(search_page))
        .route(
            "/recherche",
            get(|uri: axum::http::Uri| async move {
                let to = format!("/recherche/{}", uri.query().map(|q| format!("?{q}")).unwrap_or_default());
                (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)])
            }),
        )
        .fallback(serve_www)
        .layer(tower_http::compression::CompressionLayer::new().compress_when(worth_compressing))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// One line per request on stderr, as `key=value` pairs a log tool can read: when, what, the
/// status, how long until the answer started. The path only: a query string may hold what a
/// listener searched for.
async fn log_request(request: Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let line = format!(
        "time={} method={method} path={:?} status={} ms={:.1}",
        jiff::Timestamp::now(),
        path,
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    say(&mut std::io::stderr(), &line);
    response
}

/// Text compresses to a fraction (the sample feed: 53,756 bytes, 8,193 gzipped) and every app
/// polls the feed; audio and images are compressed already, and a byte range stays as it is.
fn worth_compressing(
    status: StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    const TEXT: [&str; 9] = [
        "text/html",
        "application/rss+xml",
        "application/xml",
        "application/json",
        "text/vtt",
        "application/x-subrip",
        "text/css",
        "text/javascript",
        "text/plain",
    ];
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let small =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok()).is_some_and(|n| n < 512);
    status == StatusCode::OK && !small && TEXT.iter().any(|t| kind.starts_with(t))
}

/// A request that could not be answered: a stable code, a French message for the reader, and
/// the detail (for internal errors) in the server's log only.
#[derive(Debug)]
enum AppError {
    /// A parameter of the search is unknown or not of its type.
    BadQuery,
    Search(SearchError),
    Page(PageError),
    NoBuild,
    Problems(Problems),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadQuery | AppError::Search(SearchError::TooLong(_)) => StatusCode::BAD_REQUEST,
            AppError::Search(SearchError::NoIndex(_)) | AppError::NoBuild | AppError::Problems(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Search(SearchError::Index(_)) | AppError::Page(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::BadQuery => "search.bad-query",
            AppError::Search(SearchError::TooLong(_)) => "search.too-long",
            AppError::Search(SearchError::NoIndex(_)) => "search.no-index",
            AppError::Search(SearchError::Index(_)) | AppError::Page(_) => "internal",
            AppError::NoBuild => "serve.no-build",
            AppError::Problems(_) => "build.problems",
        }
    }

    /// What the reader is told, in French: never an internal message.
    fn message(&self) -> String {
        match self {
            AppError::BadQuery => {
                "Un paramètre de la recherche est inconnu ou mal écrit : les paramètres sont q, partner, method, territory, year (un nombre), speaker et limit (un nombre).".into()
            }
            AppError::Search(SearchError::TooLong(n)) => format!(
                "La recherche fait {n} caractères : au plus {} sont lus. Raccourcissez-la.",
                search::MAX_QUERY
            ),
            AppError::Search(SearchError::NoIndex(_)) => {
                "La recherche n'est pas encore prête : le site n'a pas d'index. Réessayez après la prochaine construction.".into()
            }
            AppError::Search(SearchError::Index(_)) | AppError::Page(_) => {
                "Une erreur interne empêche de répondre. Elle a été notée ; réessayez plus tard.".into()
            }
            AppError::NoBuild => "Le site n'est pas encore construit : lancez `veillee build`.".into(),
            AppError::Problems(p) => format!(
                "L'aperçu n'a pas pu être construit : {}.",
                crate::problem::count_fr(p.errors(), p.warnings())
            ),
        }
    }

    /// The detail for the log, when it must not reach the client.
    fn log(&self) {
        match self {
            AppError::Search(SearchError::Index(e)) => say(&mut std::io::stderr(), &format!("error: search: {e}\n")),
            AppError::Page(e) => say(&mut std::io::stderr(), &format!("error: page: {e}\n")),
            _ => {}
        }
    }

    fn problems(&self) -> Option<&Problems> {
        match self {
            AppError::Problems(p) => Some(p),
            _ => None,
        }
    }

    /// As JSON: `{"error": {"code", "message", "problems"?}}`.
    fn json(&self) -> Response {
        self.log();
        let mut error = serde_json::json!({ "code": self.code(), "message": self.message() });
        if let Some(p) = self.problems() {
            error["problems"] = p.to_json(Lang::Fr);
        }
        let mut response = (self.status(), axum::Json(serde_json::json!({ "error": error }))).into_response();
        response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        response
    }

    /// As a French page.
    fn page(&self) -> Response {
        self.log();
        let html = crate::site::error_page(self.code(), &self.message(), self.problems());
        (self.status(), axum::response::Html(html)).into_response()
    }
}

/// Runs `f` on the generation being served, or says why there is none.
fn with_generation<T>(state: &AppState, f: impl FnOnce(&OpenGeneration) -> Result<T, AppError>) -> Result<T, AppError> {
    match state.served.load().as_ref() {
        Served::Generation(open) => f(open),
        Served::Nothing => Err(AppError::NoBuild),
        Served::Problems(p) => Err(AppError::Problems(p.clone())),
    }
}

/// `GET /api/search?q=…&partner=…&method=…&territory=…&year=…&speaker=…&limit=…`: the same JSON
/// as `veillee search --json`.
async fn api_search(
    State(state): State<Arc<AppState>>,
    query: Result<Query<search::Query>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else { return AppError::BadQuery.json() };
    match with_generation(&state, |open| open.search(&query).map_err(AppError::Search)) {
        Ok(results) => {
            let mut response = axum::Json(results).into_response();
            response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            response
        }
        Err(error) => error.json(),
    }
}

/// `GET /recherche/?q=…`: the results as a page that needs no JavaScript.
async fn search_page(
    State(state): State<Arc<AppState>>,
    query: Result<Query<search::Query>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else { return AppError::BadQuery.page() };
    let page = with_generation(&state, |open| {
        let results = open.search(&query).map_err(AppError::Search)?;
        let html = open.search_page(&results).map_err(AppError::Page)?;
        Ok((html, open.media_base().map(str::to_owned)))
    });
    match page {
        Ok((html, media_base)) => {
            let mut response = axum::response::Html(html).into_response();
            secure(response.headers_mut(), media_base.as_deref());
            response
        }
        Err(error) => error.page(),
    }
}

async fn serve_www(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let served = state.served.load_full();
    let open = match served.as_ref() {
        Served::Generation(open) => open,
        Served::Nothing => return AppError::NoBuild.page(),
        Served::Problems(p) => return AppError::Problems(p.clone()).page(),
    };
    let path = request.uri().path().to_owned();
    let page = if path.ends_with('/') { path.clone() } else { format!("{path}/") };
    if let Some(to) = open.redirect(&page).or_else(|| open.redirect(path.trim_end_matches("index.html"))) {
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to.to_owned())]).into_response();
    }
    if request.method() == axum::http::Method::OPTIONS {
        return preflight(&path);
    }
    let mut request = request;
    // Each request resolves against one generation's directory, not the link: a build that
    // swaps generations mid-request cannot mix two of them.
    let www = open.www();
    if leads_out(&www, &path) {
        let mut response = not_found(&www);
        secure(response.headers_mut(), open.media_base());
        return response;
    }
    let service = || ServeDir::new(&www).append_index_html_on_directories(true).ignore_multi_range_requests(true);
    if !range_applies(&mut request, &service).await {
        request.headers_mut().remove(header::RANGE);
    }
    let is_get = request.method() == axum::http::Method::GET;
    let mut response = match service().oneshot(request).await {
        Ok(r) => r.map(Body::new),
        Err(e) => match e {},
    };
    let status = response.status();
    if status == StatusCode::NOT_FOUND {
        let mut response = not_found(&www);
        secure(response.headers_mut(), open.media_base());
        return response;
    }
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        decorate(&path, response.headers_mut());
    }
    if is_get
        && (status == StatusCode::OK || status == StatusCode::PARTIAL_CONTENT)
        && path.starts_with("/media/")
        && let Some(body) = mapped(&www, &path, response.headers())
    {
        *response.body_mut() = body;
    }
    secure(response.headers_mut(), open.media_base());
    response
}

/// Whether a path, decoded as ServeDir decodes it, names a file that a symbolic link places
/// outside `www` (a build never makes one; a hand or a tool in the generation might). `..` and
/// encoded separators are ServeDir's to refuse.
fn leads_out(www: &std::path::Path, path: &str) -> bool {
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else { return false };
    let target = www.join(decoded.trim_start_matches('/'));
    match (std::fs::canonicalize(&target), std::fs::canonicalize(www)) {
        (Ok(target), Ok(root)) => !target.starts_with(root),
        _ => false,
    }
}

/// The body of a media answer (whole, or the range ServeDir chose) as one mapped slice of the
/// file, in place of ServeDir's reads into buffers: hyper cannot send a file with `sendfile`
/// (tower-http#381), so the least copying it can do is writing straight from the page cache,
/// one copy into the socket instead of two. `None` (ServeDir's body stays) when the file is not
/// the one ServeDir answered for.
fn mapped(www: &std::path::Path, path: &str, headers: &axum::http::HeaderMap) -> Option<Body> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    let file = std::fs::File::open(www.join(decoded.trim_start_matches('/'))).ok()?;
    let size = file.metadata().ok()?.len();
    let length: u64 = headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()?;
    let start = match headers.get(header::CONTENT_RANGE) {
        Some(range) => {
            // `bytes START-END/SIZE`, as ServeDir wrote it.
            let (span, total) = range.to_str().ok()?.strip_prefix("bytes ")?.split_once('/')?;
            let (from, to) = span.split_once('-')?;
            let (from, to): (u64, u64) = (from.parse().ok()?, to.parse().ok()?);
            (total.parse::<u64>().ok()? == size && to - from + 1 == length).then_some(from)?
        }
        None => (length == size).then_some(0)?,
    };
    if length == 0 {
        return None;
    }
    // SAFETY: files of a generation are never written in place (a changed file is a new file
    // renamed over the old, ARCHITECTURE.md point 4), so the mapped bytes cannot change or
    // shrink under the answer.
    let map =
        unsafe { memmap2::MmapOptions::new().offset(start).len(usize::try_from(length).ok()?).map(&file) }.ok()?;
    // Read ahead by the kernel, not here: the answer starts at once, and a file that is not in
    // the page cache is read while the first bytes go out rather than blocking this thread
    // for all of it.
    let _ = map.advise(memmap2::Advice::WillNeed);
    Some(Body::from(bytes::Bytes::from_owner(map)))
}

/// Whether the request's `Range` is to be honoured: only in bytes (another unit is ignored,
/// RFC 9110 §14.2), and with an `If-Range` only if it names the file as it is now (§13.1.5: a
/// stale validator gets the whole file). The validators are the file's own, as a HEAD sees them.
async fn range_applies<F>(request: &mut Request, service: &F) -> bool
where
    F: Fn() -> ServeDir,
{
    let Some(range) = request.headers().get(header::RANGE) else { return true };
    let in_bytes = range.to_str().is_ok_and(|r| r.trim_start().to_ascii_lowercase().starts_with("bytes="));
    if !in_bytes {
        return false;
    }
    let Some(if_range) = request.headers().get(header::IF_RANGE).cloned() else { return true };
    let head = Request::builder().method(axum::http::Method::HEAD).uri(request.uri().clone()).body(Body::empty());
    let Ok(head) = head else { return false };
    let current = match service().oneshot(head).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let validator = if_range.as_bytes();
    // A strong ETag compares byte for byte; a date must be the file's Last-Modified exactly.
    let etag = current.headers().get(header::ETAG).map(HeaderValue::as_bytes);
    let date = current.headers().get(header::LAST_MODIFIED).map(HeaderValue::as_bytes);
    if validator.starts_with(b"\"") { etag == Some(validator) } else { date == Some(validator) }
}

/// The paths other sites' web players read: transcripts, chapters, the feed, media.
fn shared_with_other_sites(path: &str) -> bool {
    path.starts_with("/transcripts/")
        || path.starts_with("/chapters/")
        || path.starts_with("/media/")
        || path.ends_with("feed.xml")
        || path.starts_with("/feed/")
}

/// `OPTIONS`: what a browser asks before a cross-site request with headers (a player's `Range`).
fn preflight(path: &str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
    if shared_with_other_sites(path) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, HEAD, OPTIONS"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Range, If-Range, If-None-Match, If-Modified-Since"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    }
    response
}

/// What every answer from www carries: no sniffing of types, a referrer policy, and on pages a
/// Content-Security-Policy that allows the theme's own script and stylesheet (never inline
/// ones) and the media's host.
fn secure(headers: &mut axum::http::HeaderMap, media_base: Option<&str>) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    let html = headers.get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if html {
        let media = media_base.filter(|m| m.starts_with("https://")).map(|m| format!(" {m}")).unwrap_or_default();
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{media}; media-src 'self'{media}; \
             connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
        );
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The website's own 404 page (a generation from before it had one: a line of French).
fn not_found(www: &std::path::Path) -> Response {
    let page = std::fs::read_to_string(www.join("404.html")).unwrap_or_else(|_| {
        "<!DOCTYPE html><html lang=\"fr\"><title>Page introuvable</title><p>Page introuvable.</p></html>".to_owned()
    });
    (StatusCode::NOT_FOUND, axum::response::Html(page)).into_response()
}

/// Content types and headers by path, the same as the feed declares.
fn decorate(path: &str, headers: &mut axum::http::HeaderMap) {
    if let Some(ct) = mime::of_path(path) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    if shared_with_other_sites(path) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(mime::cache_control(path)));
}

/// A server bound to its address, its first build done, ready to run.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    options: BuildOptions,
    /// The address it answers on, as a base URL (`http://127.0.0.1:8080`).
    local: String,
    /// The first build, or the problems that stopped it.
    first: Result<Report, Problems>,
    next_scheduled: Option<jiff::Timestamp>,
    /// With `--watch`: the sources as the first build saw them.
    watch: Option<crate::project::SourceWatch>,
}

impl Project {
    /// Binds `options.addr`, builds (`build/current` for `base_url`, or the preview for the
    /// listening address), and returns the server ready to run. Sources with errors stop it,
    /// unless an earlier build can be served (then the problems are reported and the site
    /// stays as it was) or it is a preview (then its pages show the problems, in French).
    pub fn serve(&self, options: &ServeOptions) -> Result<Server, ServeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| IoError::new("tokio runtime", e))?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(&options.addr))
            .map_err(|source| ServeError::Bind { addr: options.addr.clone(), source })?;
        let local_addr: SocketAddr =
            listener.local_addr().map_err(|source| ServeError::Bind { addr: options.addr.clone(), source })?;
        let local = base_url(local_addr);
        let preview = options.preview || options.drafts;
        let slot = if preview { Slot::Preview } else { Slot::Current };
        let build_options = BuildOptions { base_url: preview.then(|| local.clone()), drafts: options.drafts };
        // An upload cut short by a crash is undone before anything reads the sources.
        {
            let _lock = crate::generate::BuildLock::acquire(self.root())?;
            let undone = self.clean_interrupted()?;
            if !undone.is_empty() {
                let files: Vec<String> = undone.iter().map(|f| f.display().to_string()).collect();
                say(&mut std::io::stderr(), &format!("an interrupted upload was undone: {}", files.join(", ")));
            }
        }
        let first = rebuild(self, slot, &build_options);
        let state = AppState::with(self.clone(), slot);
        let first = match first {
            Ok(report) => Ok(report),
            Err(GenerateError::Problems(problems)) => {
                if preview {
                    state.show_problems(problems.clone());
                } else if crate::generate::current_generation(self.root()).is_none() {
                    return Err(GenerateError::Problems(problems).into());
                }
                Err(problems)
            }
            Err(e) => return Err(e.into()),
        };
        let next_scheduled = first.as_ref().ok().and_then(|r| r.next_scheduled);
        let watch = options.watch.then(|| self.watch_sources());
        Ok(Server { runtime, listener, state, options: build_options, local, first, next_scheduled, watch })
    }
}

fn rebuild(project: &Project, slot: Slot, options: &BuildOptions) -> Result<Report, GenerateError> {
    match slot {
        Slot::Current => project.build(options),
        Slot::Preview => project.preview(options),
    }
}

/// `http://HOST:PORT` for a socket address (`0.0.0.0` is reached as `127.0.0.1`, `[::]` as `[::1]`).
fn base_url(local: SocketAddr) -> String {
    let ip = match local.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    match ip {
        std::net::IpAddr::V4(ip) => format!("http://{ip}:{}", local.port()),
        std::net::IpAddr::V6(ip) => format!("http://[{ip}]:{}", local.port()),
    }
}

impl Server {
    /// The first build's report.
    pub fn report(&self) -> Option<&Report> {
        self.first.as_ref().ok()
    }

    /// The problems that stopped the first build (then the last good build is served, or the
    /// preview's pages show them).
    pub fn problems(&self) -> Option<&Problems> {
        self.first.as_ref().err()
    }

    /// The line that says where and what it serves.
    pub fn banner(&self) -> String {
        let local = &self.local;
        let what = match (&self.first, self.state.slot) {
            (Err(_), Slot::Preview) => "the problems of the preview (fix them, then start again)".to_owned(),
            (Err(_), Slot::Current) => {
                "the last good build (the sources have errors, above)".to_owned()
            }
            (Ok(_), Slot::Preview) if self.options.drafts => {
                "a preview for this address in build/preview, drafts and scheduled episodes included".to_owned()
            }
            (Ok(_), Slot::Preview) => "a preview for this address in build/preview".to_owned(),
            (Ok(_), Slot::Current) => {
                "build/current, as built for channel.toml's base_url (its feed's links point there; for a local preview: veillee serve --preview)".to_owned()
            }
        };
        format!("serving {local}/ — {what}; feed: {local}/feed.xml (Ctrl-C to stop)")
    }

    /// Serves until Ctrl-C. A scheduled episode comes out on its own: the server rebuilds when
    /// its date comes; it also follows builds made by other processes.
    pub fn run(self) -> Result<(), ServeError> {
        let Server { runtime, listener, state, options, next_scheduled, watch, .. } = self;
        runtime.block_on(async move {
            state.set_next_scheduled(next_scheduled);
            tokio::spawn(follow(state.clone(), options, watch));
            axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    // Ctrl-C, or SIGTERM from a service manager: requests under way end first.
                    let term = async {
                        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                            Ok(mut s) => {
                                s.recv().await;
                            }
                            Err(_) => std::future::pending::<()>().await,
                        }
                    };
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        () = term => {}
                    }
                })
                .await
                .map_err(|e| IoError::new("the listening socket", e).into())
        })
    }
}

/// Follows generations made by other processes, and rebuilds when a scheduled episode is due
/// or, with `watch`, when a source changes (once it has stopped changing: an editor's save or a
/// copy in progress makes one build, not several).
async fn follow(state: Arc<AppState>, options: BuildOptions, mut watch: Option<crate::project::SourceWatch>) {
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut edited = false;
        if let Some(w) = watch.as_mut() {
            while w.changed(&state.project) {
                edited = true;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
        let due = state.next_scheduled().is_some_and(|due| state.project.clock().now() >= due);
        if edited || due {
            let (s, o) = (state.clone(), options.clone());
            let done = tokio::task::spawn_blocking(move || rebuild(&s.project, s.slot, &o)).await;
            match done {
                Ok(Ok(report)) => {
                    say(&mut std::io::stdout(), &report);
                    state.set_next_scheduled(report.next_scheduled);
                }
                Ok(Err(e)) => {
                    match e {
                        // A preview shows the problems in its pages, as at the start.
                        GenerateError::Problems(p) if state.slot == Slot::Preview => {
                            say(&mut std::io::stderr(), &p);
                            state.show_problems(p);
                        }
                        GenerateError::Problems(p) => say(&mut std::io::stderr(), &p),
                        e => say(&mut std::io::stderr(), &format!("error: rebuild failed: {e}\n")),
                    }
                    state.set_next_scheduled(None);
                }
                Err(e) => {
                    say(&mut std::io::stderr(), &format!("error: rebuild failed: {e}\n"));
                    state.set_next_scheduled(None);
                }
            }
        }
        state.refresh();
    }
}

/// Writes what the server has to say; a closed stdout or stderr (a pipe whose reader left, a
/// service manager's) must not stop it, as `print!` would by panicking.
fn say(out: &mut dyn std::io::Write, text: &dyn std::fmt::Display) {
    let text = text.to_string();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
}
