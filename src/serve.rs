//! The web server: the current generation's `www/` with HEAD, Range and conditional requests
//! (tower-http), the MIME types of ARCHITECTURE.md, CORS on transcripts and chapters, and a
//! switch to each new generation as soon as `build/current` moves.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::build::{self, BuildLock, BuildOptions, Generation, current_generation};

/// What the handlers share: the project and the generation being served.
pub struct AppState {
    pub root: PathBuf,
    pub current: ArcSwap<Option<Generation>>,
}

impl AppState {
    pub fn new(root: &Path) -> Arc<Self> {
        Arc::new(AppState { root: root.to_path_buf(), current: ArcSwap::from_pointee(current_generation(root)) })
    }

    /// Follows `build/current` if another build moved it.
    pub fn refresh(&self) {
        let now = current_generation(&self.root);
        if **self.current.load() != now {
            self.current.store(Arc::new(now));
        }
    }
}

/// The application, testable without a socket.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new().fallback(serve_www).with_state(state)
}

async fn serve_www(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let generation = state.current.load_full();
    let Some(generation) = generation.as_ref() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no build yet: run `veillee build`").into_response();
    };
    let path = request.uri().path().to_owned();
    // Each request resolves against one generation's directory, not the symlink: a build that
    // swaps generations mid-request cannot mix two of them.
    let service =
        ServeDir::new(generation.www()).append_index_html_on_directories(true).ignore_multi_range_requests(true);
    let mut response = match service.oneshot(request).await {
        Ok(r) => r.map(Body::new),
        Err(e) => match e {},
    };
    if response.status().is_success()
        || response.status() == StatusCode::PARTIAL_CONTENT
        || response.status() == StatusCode::NOT_MODIFIED
    {
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

/// Builds with the listening address as base URL, then serves until Ctrl-C.
pub fn run(root: &Path, addr: &str) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local: SocketAddr = listener.local_addr()?;
        let host = if local.ip().is_unspecified() { "127.0.0.1".to_owned() } else { local.ip().to_string() };
        let base = if local.is_ipv6() {
            format!("http://[{host}]:{}", local.port())
        } else {
            format!("http://{host}:{}", local.port())
        };
        let options = BuildOptions {
            base_url: Some(base.clone()),
            now: crate::cli::now().map_err(|e| std::io::Error::other(e.to_string()))?,
        };
        {
            let root = root.to_path_buf();
            let report = tokio::task::spawn_blocking(move || {
                let _lock = BuildLock::acquire(&root)?;
                build::build_locked(&root, &options)
            })
            .await
            .map_err(std::io::Error::other)?
            .map_err(|e| std::io::Error::other(e.to_string()))?;
            print!("{report}");
        }
        let state = AppState::new(root);
        let watcher = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                watcher.refresh();
            }
        });
        println!("serving {base}/ — feed: {base}/feed.xml (Ctrl-C to stop)");
        use std::io::Write as _;
        std::io::stdout().flush()?;
        axum::serve(listener, app(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}
