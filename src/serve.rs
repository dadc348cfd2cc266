//! The web server: the current generation's `www/` with HEAD, Range and conditional requests
//! (tower-http), the MIME types of ARCHITECTURE.md, CORS on transcripts and chapters, 301 for
//! renamed episodes, and a switch to each new generation as soon as `build/current` moves.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::build::{self, BuildLock, BuildOptions, current_generation};
use crate::search::{self, Searcher};

/// What is being served.
#[derive(Debug)]
struct Served {
    /// The `www/` of one generation (resolved, not through the `current` symlink) or of the
    /// preview.
    www: PathBuf,
    /// Old path → new path (`_redirects.json`).
    redirects: BTreeMap<String, String>,
    /// The generation's search index, opened on its own directory.
    searcher: Option<Searcher>,
    /// Keeps builds from deleting the generation while requests may still use it.
    _hold: Option<std::fs::File>,
}

/// What the handlers share.
pub struct AppState {
    root: PathBuf,
    /// Serve `build/preview/www` instead of the generations.
    preview: bool,
    current: ArcSwap<Option<Served>>,
}

impl AppState {
    /// Serves the current generation of the project at `root`.
    pub fn new(root: &Path) -> Arc<Self> {
        Self::with(root, false)
    }

    fn with(root: &Path, preview: bool) -> Arc<Self> {
        let state = AppState { root: root.to_path_buf(), preview, current: ArcSwap::from_pointee(None) };
        state.refresh();
        Arc::new(state)
    }

    /// Follows `build/current` if a build moved it.
    pub fn refresh(&self) {
        let (www, index, generation) = if self.preview {
            let preview = self.root.join("build/preview");
            (Some(preview.join("www")), Some(preview.join("index")), None)
        } else {
            let g = current_generation(&self.root);
            (g.as_ref().map(|g| g.www()), g.as_ref().map(|g| g.index()), g)
        };
        if self.current.load().as_ref().as_ref().map(|s| &s.www) == www.as_ref() {
            return;
        }
        let served = www.map(|www| {
            let redirects = std::fs::read(www.join("_redirects.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            let searcher = index.and_then(|dir| Searcher::open(&dir).ok());
            Served { www, redirects, searcher, _hold: generation.and_then(|g| g.hold().ok()) }
        });
        // The previous `Served`, and its hold, go when the last request using it ends.
        self.current.store(Arc::new(served));
    }
}

/// The application, testable without a socket.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
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
        .with_state(state)
}

/// Runs a search on the generation being served.
fn run_search(state: &AppState, query: &search::Query) -> Result<search::SearchResults, (StatusCode, String)> {
    let served = state.current.load_full();
    let searcher = served.as_ref().as_ref().and_then(|s| s.searcher.as_ref());
    let Some(searcher) = searcher else {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "no search index yet: run `veillee build`".into()));
    };
    searcher.search(query).map_err(|e| match e {
        search::SearchError::TooLong(_) => (StatusCode::BAD_REQUEST, e.to_string()),
        e => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    })
}

/// `GET /api/search?q=…&partner=…&method=…&territory=…&year=…&speaker=…&limit=…`: the same JSON
/// as `veillee search --json`.
async fn api_search(State(state): State<Arc<AppState>>, Query(query): Query<search::Query>) -> Response {
    match run_search(&state, &query) {
        Ok(results) => {
            let mut response = axum::Json(results).into_response();
            response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            response
        }
        Err(error) => error.into_response(),
    }
}

/// `GET /recherche/?q=…`: the results as a page that needs no JavaScript.
async fn search_page(State(state): State<Arc<AppState>>, Query(query): Query<search::Query>) -> Response {
    match run_search(&state, &query) {
        Ok(results) => axum::response::Html(search::results_page(&results)).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn serve_www(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let served = state.current.load_full();
    let Some(served) = served.as_ref() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no build yet: run `veillee build`").into_response();
    };
    let path = request.uri().path().to_owned();
    let page = if path.ends_with('/') { path.clone() } else { format!("{path}/") };
    if let Some(to) = served.redirects.get(&page).or_else(|| served.redirects.get(path.trim_end_matches("index.html")))
    {
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to.clone())]).into_response();
    }
    // Each request resolves against one generation's directory, not the symlink: a build that
    // swaps generations mid-request cannot mix two of them.
    let service = ServeDir::new(&served.www).append_index_html_on_directories(true).ignore_multi_range_requests(true);
    let mut response = match service.oneshot(request).await {
        Ok(r) => r.map(Body::new),
        Err(e) => match e {},
    };
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        decorate(&path, response.headers_mut());
    }
    response
}

/// Content types and headers by path, the same as the feed declares.
fn decorate(path: &str, headers: &mut axum::http::HeaderMap) {
    let content_type = if path.ends_with(".chapters.json") {
        Some("application/json+chapters")
    } else if path.ends_with(".m4a") {
        Some("audio/x-m4a")
    } else if path.ends_with(".opus") {
        Some("audio/opus")
    } else if path.ends_with(".ogg") {
        Some("audio/ogg")
    } else if path.ends_with(".vtt") {
        Some("text/vtt; charset=utf-8")
    } else if path.ends_with(".srt") {
        Some("application/x-subrip")
    } else if path.ends_with("/feed.xml") {
        Some("application/rss+xml; charset=utf-8")
    } else if path.ends_with('/') || path.ends_with(".html") {
        Some("text/html; charset=utf-8")
    } else if path.ends_with(".css") {
        Some("text/css; charset=utf-8")
    } else {
        None
    };
    if let Some(ct) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    if path.starts_with("/transcripts/") || path.starts_with("/chapters/") || path.ends_with("feed.xml") {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    // Media and images are content-addressed: a URL never changes meaning.
    if path.starts_with("/media/") || path.starts_with("/images/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    }
}

/// Options of `veillee serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: String,
    /// Serve a preview with the drafts and scheduled episodes (`build/preview`).
    pub drafts: bool,
}

/// Builds with the listening address as base URL, then serves until Ctrl-C. A scheduled
/// episode comes out on its own: the server rebuilds when its date comes.
pub fn run(root: &Path, options: &ServeOptions) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&options.addr).await?;
        let local: SocketAddr = listener.local_addr()?;
        let host = if local.ip().is_unspecified() { "127.0.0.1".to_owned() } else { local.ip().to_string() };
        let base = if local.is_ipv6() {
            format!("http://[{host}]:{}", local.port())
        } else {
            format!("http://{host}:{}", local.port())
        };
        let now = crate::cli::now().map_err(|e| std::io::Error::other(e.to_string()))?;
        let build_options = BuildOptions { base_url: Some(base.clone()), now, drafts: options.drafts };
        let next = rebuild(root, &build_options, true).await?;
        let state = AppState::with(root, options.drafts);
        tokio::spawn(follow(state.clone(), build_options, next));
        let what = if options.drafts { "preview with drafts" } else { "serving" };
        println!("{what} {base}/ — feed: {base}/feed.xml (Ctrl-C to stop)");
        use std::io::Write as _;
        std::io::stdout().flush()?;
        axum::serve(listener, app(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}

/// Builds (or previews) under the build lock; returns when the next scheduled episode is due.
async fn rebuild(root: &Path, options: &BuildOptions, print: bool) -> std::io::Result<Option<jiff::Timestamp>> {
    let root = root.to_path_buf();
    let options = options.clone();
    let drafts = options.drafts;
    let report = tokio::task::spawn_blocking(move || {
        if options.drafts {
            build::preview(&root, &options).map(|_| build::Report::default())
        } else {
            let _lock = BuildLock::acquire(&root)?;
            build::build_locked(&root, &options)
        }
    })
    .await
    .map_err(std::io::Error::other)?
    .map_err(|e| std::io::Error::other(e.to_string()))?;
    if print && drafts {
        println!("built the preview, drafts and scheduled episodes included, in build/preview");
    } else if print {
        print!("{report}");
    }
    Ok(report.next_scheduled)
}

/// Follows generations made by other processes, and rebuilds when a scheduled episode is due.
async fn follow(state: Arc<AppState>, mut options: BuildOptions, mut next: Option<jiff::Timestamp>) {
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Some(due) = next
            && jiff::Timestamp::now() >= due
        {
            options.now = jiff::Timestamp::now();
            match rebuild(&state.root, &options, true).await {
                Ok(n) => next = n,
                Err(e) => {
                    eprintln!("error: scheduled rebuild failed: {e}");
                    next = None;
                }
            }
        }
        state.refresh();
    }
}
