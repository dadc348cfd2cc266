//! The server, through `app()` without a socket, and once as a real process on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use veillee::serve::{AppState, app};

use crate::util::Project;

const MP3: &str = "/media/enquete-de-besoins-a-leaz.f5e72987.mp3";

fn request(
    state: &std::sync::Arc<AppState>,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = app(state.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, body)
    })
}

fn served() -> (Project, std::sync::Arc<AppState>) {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let state = AppState::new(p.project());
    (p, state)
}

#[test]
fn pages_feed_and_types() {
    let (p, s) = served();
    let (status, h, body) = request(&s, Method::GET, "/", &[]);
    assert_eq!(status, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert_eq!(body, std::fs::read(p.www().join("index.html")).unwrap());
    let cases = [
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        (MP3, "audio/mpeg"),
        ("/media/cartographie-sensible-a-jazeneuil.c2eb2dfc.m4a", "audio/x-m4a"),
        ("/transcripts/enquete-de-besoins-a-leaz.vtt", "text/vtt; charset=utf-8"),
        ("/chapters/enquete-de-besoins-a-leaz.chapters.json", "application/json+chapters"),
        ("/episodes/enquete-de-besoins-a-leaz/", "text/html; charset=utf-8"),
    ];
    for (uri, ct) in cases {
        let (status, h, _) = request(&s, Method::GET, uri, &[]);
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(h[header::CONTENT_TYPE], ct, "{uri}");
    }
    let (_, h, _) = request(&s, Method::GET, "/transcripts/enquete-de-besoins-a-leaz.vtt", &[]);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let (_, h, _) = request(&s, Method::GET, "/chapters/enquete-de-besoins-a-leaz.chapters.json", &[]);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let (status, _, _) = request(&s, Method::GET, "/nope/", &[]);
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = request(&s, Method::GET, "/../../etc/passwd", &[]);
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST);
}

/// Apple requires HEAD and byte ranges on audio and images.
#[test]
fn head_and_ranges() {
    let (p, s) = served();
    let bytes = std::fs::read(p.www().join(&MP3[1..])).unwrap();
    let (status, h, body) = request(&s, Method::HEAD, MP3, &[]);
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_empty());
    assert_eq!(h[header::CONTENT_LENGTH], bytes.len().to_string());
    assert_eq!(h[header::ACCEPT_RANGES], "bytes");
    assert!(h.contains_key(header::ETAG));
    // Re-tagging changes a media file under its name: revalidated, never `immutable`.
    assert_eq!(h[header::CACHE_CONTROL], "public, max-age=86400");
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "web players on other sites read media");
    let (status, h, body) = request(&s, Method::GET, MP3, &[("range", "bytes=100-199")]);
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(h[header::CONTENT_RANGE], format!("bytes 100-199/{}", bytes.len()));
    assert_eq!(body, &bytes[100..200]);
    let (status, _, body) = request(&s, Method::GET, MP3, &[("range", "bytes=-10")]);
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, &bytes[bytes.len() - 10..]);
    let (status, _, body) = request(&s, Method::GET, MP3, &[("range", "bytes=0-1,5-6")]);
    assert_eq!(status, StatusCode::OK, "a multi-range request gets the whole file");
    assert_eq!(body, bytes);
    let (status, h, _) = request(&s, Method::GET, MP3, &[("range", "bytes=999999-")]);
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(h[header::CONTENT_RANGE], format!("bytes */{}", bytes.len()));
    // A unit other than bytes is ignored (RFC 9110 §14.2): the whole file.
    let (status, _, body) = request(&s, Method::GET, MP3, &[("range", "items=0-9")]);
    assert_eq!((status, body.len()), (StatusCode::OK, bytes.len()));
    // If-Range (§13.1.5): the range only if the validator is the file's as it is now.
    let (_, h, _) = request(&s, Method::HEAD, MP3, &[]);
    let (etag, date) =
        (h[header::ETAG].to_str().unwrap().to_owned(), h[header::LAST_MODIFIED].to_str().unwrap().to_owned());
    for (validator, expected) in [
        (etag.as_str(), StatusCode::PARTIAL_CONTENT),
        (date.as_str(), StatusCode::PARTIAL_CONTENT),
        ("\"an-old-version\"", StatusCode::OK),
        ("Mon, 01 Jan 2024 00:00:00 GMT", StatusCode::OK),
    ] {
        let (status, _, body) = request(&s, Method::GET, MP3, &[("range", "bytes=0-9"), ("if-range", validator)]);
        assert_eq!(status, expected, "If-Range: {validator}");
        assert_eq!(body.len(), if expected == StatusCode::OK { bytes.len() } else { 10 });
    }
    let (_, h, _) = request(&s, Method::GET, "/images/cover.e9153e3f.jpg", &[("range", "bytes=0-9")]);
    assert_eq!(h[header::CONTENT_RANGE].to_str().unwrap().split('/').next(), Some("bytes 0-9"));
    let etag = h[header::ETAG].to_str().unwrap().to_owned();
    let (status, _, _) = request(&s, Method::GET, "/images/cover.e9153e3f.jpg", &[("if-none-match", &etag)]);
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[test]
fn the_server_follows_new_generations() {
    let (p, s) = served();
    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Démonstration :", "Nouvelle version :");
    p.ok(&["build"]);
    let (_, _, before) = request(&s, Method::GET, "/feed.xml", &[]);
    assert!(!String::from_utf8(before).unwrap().contains("Nouvelle version"));
    s.refresh();
    let (_, _, after) = request(&s, Method::GET, "/feed.xml", &[]);
    assert!(String::from_utf8(after).unwrap().contains("Nouvelle version"));
}

/// A `veillee serve` process on a free port of 127.0.0.1; stopped when dropped.
struct Server {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    /// What it printed before it served.
    printed: Vec<String>,
}

impl Server {
    fn start(p: &Project, args: &[&str]) -> Server {
        let mut child = p
            .command()
            .arg("serve")
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut printed = Vec::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines
            .find_map(|l| {
                let l = l.ok()?;
                printed.push(l.clone());
                l.starts_with("serving ").then_some(l)
            })
            .expect("serving line");
        let addr = line.strip_prefix("serving http://").unwrap().split('/').next().unwrap().to_owned();
        Server { child, addr, printed }
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
        response
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address rule: `serve` serves `build/current` as built for channel.toml's `base_url`,
/// whatever address it listens on; the generation and the ledger never hold that address.
#[test]
fn serve_publishes_only_the_base_url() {
    let p = Project::fixture("show");
    let ledger = p.read("feed/archive.toml");
    let server = Server::start(&p, &[]);
    let feed = server.get("/feed.xml");
    assert!(feed.contains("<atom:link href=\"https://veillee.example.org/feed.xml\""), "{feed}");
    assert!(!feed.contains("127.0.0.1"), "the feed names the listening address");
    drop(server);
    let current = crate::util::tree(&p.file("build/current"));
    assert!(!current.values().any(|bytes| String::from_utf8_lossy(bytes).contains("127.0.0.1")));
    assert_eq!(p.read("feed/archive.toml"), ledger);
}

/// `serve --preview` builds for the address it listens on, into build/preview: a podcast app on
/// this machine downloads from it. Before and after, build/current is the same generation with
/// the same bytes.
#[test]
fn the_preview_is_built_for_the_listening_address_and_leaves_current_alone() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    let before = crate::util::tree(&p.file("build/current"));
    let ledger = p.read("feed/archive.toml");
    let server = Server::start(&p, &["--preview"]);
    assert_eq!(server.printed[0], "built the preview build/preview-1: 3 episodes");
    let feed = server.get("/feed.xml");
    let base = format!("http://{}", server.addr);
    assert!(feed.contains(&format!("<atom:link href=\"{base}/feed.xml\"")), "{feed}");
    let media = feed.split(&format!("url=\"{base}/media/")).nth(1).unwrap().split('"').next().unwrap().to_owned();
    let response = server.get(&format!("/media/{media}"));
    assert!(response.contains("content-type: audio/"), "{response}");
    // The audio is the current generation's file, linked rather than copied.
    let inode = |slot: &str| {
        std::os::unix::fs::MetadataExt::ino(
            &std::fs::metadata(p.file(&format!("build/{slot}/www/media/{media}"))).unwrap(),
        )
    };
    assert_eq!(inode("preview"), inode("current"));
    assert!(!feed.contains("Un brouillon"), "drafts only with --drafts");
    drop(server);
    assert_eq!(std::fs::read_link(p.file("build/current")).unwrap().to_str(), Some("gen-1"));
    assert_eq!(crate::util::tree(&p.file("build/current")), before);
    assert_eq!(p.read("feed/archive.toml"), ledger);

    let drafts = Server::start(&p, &["--drafts"]);
    assert!(drafts.get("/feed.xml").contains("Un brouillon"), "--drafts implies --preview");
    drop(drafts);
    assert_eq!(crate::util::tree(&p.file("build/current")), before);
}

/// A generation a server still answers from is not deleted by later builds, however quick.
#[test]
fn builds_keep_the_generation_a_server_holds() {
    let (p, s) = served();
    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Démonstration :", "Deux :");
    p.ok(&["build"]);
    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Deux :", "Trois :");
    p.ok(&["build"]);
    assert!(p.file("build/gen-1").is_dir(), "gen-1 is held by the server");
    let (status, _, body) = request(&s, Method::GET, "/feed.xml", &[]);
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("Démonstration :"));
    s.refresh();
    p.edit("episodes/cartographie-sensible-a-jazeneuil.md", "Trois :", "Quatre :");
    p.ok(&["build"]);
    assert!(!p.file("build/gen-1").exists(), "released once the server moved on");
    assert!(p.file("build/gen-3").is_dir(), "the generation it serves now is held");
}

#[test]
fn search_api_and_page() {
    let (p, s) = served();
    // The API gives what `veillee search --json` prints: one serde type for both.
    let (status, h, body) = request(&s, Method::GET, "/api/search?q=portes&limit=5", &[]);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    let api: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let cli: serde_json::Value = serde_json::from_str(&p.ok(&["search", "portes", "--limit", "5", "--json"])).unwrap();
    assert_eq!(api, cli);
    insta::assert_snapshot!(serde_json::to_string_pretty(&api).unwrap());
    let link = api["episodes"][0]["moments"][0]["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with("/episodes/enquete-de-besoins-a-leaz/#t="), "{link}");

    // Filters; an unknown parameter is refused, not ignored.
    let (_, _, body) = request(&s, Method::GET, "/api/search?q=portes&territory=jazeneuil", &[]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["total"], 0);
    let (status, _, body) = request(&s, Method::GET, "/api/search?q=portes&methode=x", &[]);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_snapshot!(String::from_utf8(body).unwrap(), @r#"{"error":{"code":"search.bad-query","message":"Un paramètre de la recherche est inconnu ou mal écrit : les paramètres sont q, partner, method, territory, year (un nombre), speaker et limit (un nombre)."}}"#);
    let (status, _, body) = request(&s, Method::GET, "/recherche/?q=portes&year=deux-mille", &[]);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8(body).unwrap().contains("search.bad-query"), "a French page with the code");
    // Stop words alone ask nothing: no episode.
    let (_, _, body) = request(&s, Method::GET, "/api/search?q=le+la", &[]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["total"], 0);
    let long = format!("/api/search?q={}", "a+".repeat(600));
    let (status, _, body) = request(&s, Method::GET, &long, &[]);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_snapshot!(String::from_utf8(body).unwrap(), @r#"{"error":{"code":"search.too-long","message":"La recherche fait 1199 caractères : au plus 1000 sont lus. Raccourcissez-la."}}"#);

    // The page works without JavaScript: a form, the moments as links, facets that narrow.
    let (status, h, body) = request(&s, Method::GET, "/recherche/?q=portes", &[]);
    assert_eq!(status, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains(&format!("href=\"{link}\"")), "{page}");
    assert!(page.matches("<script").count() == 1 && page.contains("<script src=\"/veillee.js\" defer>"), "{page}");
    insta::assert_snapshot!(page);
    // Search words are escaped where the page repeats them.
    let (_, _, body) = request(&s, Method::GET, "/recherche/?q=%3Cscript%3Ealert(1)%3C/script%3E", &[]);
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\"") && !page.contains("<script>"));
    let (status, h, _) = request(&s, Method::GET, "/recherche?q=portes", &[]);
    assert_eq!(
        (status, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::MOVED_PERMANENTLY, "/recherche/?q=portes")
    );
}

/// `serve` starting after changes prints the build's counts, not the list of its outputs.
#[test]
fn serve_prints_the_counts_not_the_outputs() {
    let p = Project::fixture("show");
    p.ok(&["build"]);
    p.edit("feed/channel.toml", "Une émission de démonstration", "Une émission");
    let server = Server::start(&p, &[]);
    assert!(server.printed[0].starts_with("built build/gen-2: 3 episodes; 0 re-probed"), "{:?}", server.printed);
    assert!(server.printed.iter().all(|l| !l.starts_with("  ")), "{:?}", server.printed);
}

/// An unknown address gets the website's own French 404 page, with status 404; `/episodes/`
/// (no page of its own) moves to the archives.
#[test]
fn unknown_paths_get_the_404_page_and_episodes_moves_to_the_archives() {
    let (p, s) = served();
    for path in ["/nulle-part/", "/episodes/inconnu/", "/methodes/inconnue/index.html", "/media/absent.mp3"] {
        let (status, h, body) = request(&s, Method::GET, path, &[]);
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        assert_eq!(body, std::fs::read(p.www().join("404.html")).unwrap(), "{path}");
    }
    let (status, h, _) = request(&s, Method::GET, "/episodes/", &[]);
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(h[header::LOCATION], "/archives/");
    let (status, _, body) = request(&s, Method::GET, "/archives/", &[]);
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("<h1>Tous les épisodes</h1>"));
}

/// Other sites' players may ask before reading; text goes compressed; pages carry a strict
/// Content-Security-Policy, and every answer no-sniff and a referrer policy.
#[test]
fn preflight_compression_and_security_headers() {
    let (p, s) = served();
    let (status, h, _) = request(
        &s,
        Method::OPTIONS,
        MP3,
        &[("origin", "https://player.example"), ("access-control-request-headers", "range")],
    );
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(h[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().contains("Range"));
    let (status, h, _) = request(&s, Method::OPTIONS, "/", &[]);
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "pages are not shared");

    let feed = std::fs::read(p.www().join("feed.xml")).unwrap();
    let (status, h, body) = request(&s, Method::GET, "/feed.xml", &[("accept-encoding", "gzip")]);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_ENCODING], "gzip");
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, feed);
    assert!(body.len() * 3 < feed.len(), "{} bytes gzipped of {}", body.len(), feed.len());
    let (_, h, body) = request(&s, Method::GET, MP3, &[("accept-encoding", "gzip, br")]);
    assert!(!h.contains_key(header::CONTENT_ENCODING), "audio goes as it is");
    assert_eq!(body, std::fs::read(p.www().join(&MP3[1..])).unwrap());

    let (_, h, _) = request(&s, Method::GET, "/episodes/enquete-de-besoins-a-leaz/", &[]);
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self';") && csp.contains("style-src 'self';") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::REFERRER_POLICY], "strict-origin-when-cross-origin");
    assert_eq!(h[header::CACHE_CONTROL], "public, max-age=300");
    let (_, h, _) = request(&s, Method::GET, "/recherche/?q=portes", &[]);
    assert!(h.contains_key(header::CONTENT_SECURITY_POLICY), "the search page too");
}

/// `serve --watch`: an edited source is on the site without a restart.
#[test]
fn watch_rebuilds_when_a_source_changes() {
    let p = Project::fixture("show");
    let server = Server::start(&p, &["--preview", "--watch"]);
    let page = "/episodes/enquete-de-besoins-a-leaz/";
    assert!(!server.get(page).contains("revu et corrigé"));
    p.edit(
        "episodes/enquete-de-besoins-a-leaz.md",
        "title = \"Frapper aux portes",
        "title = \"Frapper aux portes, revu et corrigé,",
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !server.get(page).contains("revu et corrigé") {
        assert!(std::time::Instant::now() < deadline, "the edit never reached the served page");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// A service manager stops the server with SIGTERM: it ends cleanly (exit 0), and each request
/// was written to its log as one `key=value` line.
#[test]
fn sigterm_stops_the_server_cleanly_and_requests_are_logged() {
    let p = Project::fixture("show");
    let mut child = p
        .command()
        .args(["serve", "--preview", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let line = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("serving "))
        .unwrap();
    let addr = line.strip_prefix("serving http://").unwrap().split('/').next().unwrap().to_owned();
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(stream, "GET /feed.xml?secret=1 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    stream.read_to_end(&mut Vec::new()).unwrap();
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    let request = log.lines().find(|l| l.contains("path=\"/feed.xml\"")).unwrap_or_else(|| panic!("{log}"));
    assert!(
        request.starts_with("time=") && request.contains(" method=GET ") && request.contains(" status=200 "),
        "{request}"
    );
    assert!(!log.contains("secret"), "no query string in the log: {log}");
}

/// Hostile paths reach nothing outside www and crash nothing: each gets a 4xx (or a page of
/// www when it names one), and the server answers normally after them.
#[test]
fn hostile_paths_reach_nothing_outside_www() {
    let (p, s) = served();
    std::fs::write(p.path().join("secret.txt"), "not to be served").unwrap();
    let hostile = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/media/..%2F..%2Fsecret.txt",
        "/media/..%5C..%5Csecret.txt",
        "/..%2fsecret.txt",
        "//etc/passwd",
        "/%00",
        "/episodes/%00/",
        "/feed.xml%00.html",
        "/%C0%AE%C0%AE/secret.txt",
        "/media/%ff%fe",
        "/recherche/?q=%00%ff",
        "/api/search?q=%ff",
    ];
    for path in hostile {
        let (status, _, body) = request(&s, Method::GET, path, &[]);
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("not to be served") && !body.contains("root:"), "{path} leaked: {status}");
        assert!(status.is_client_error() || status == StatusCode::OK, "{path}: {status}");
    }
    let (status, _, _) = request(&s, Method::GET, "/feed.xml", &[]);
    assert_eq!(status, StatusCode::OK, "still serving");
}

/// A symbolic link placed in www (a build never makes one) does not lead out of it: whether it
/// names a file or a directory outside, the answer is the 404 page; a link inside www works.
#[test]
fn symlinks_do_not_lead_out_of_www() {
    let (p, s) = served();
    std::fs::write(p.path().join("secret.txt"), "not to be served").unwrap();
    let www = std::fs::canonicalize(p.www()).unwrap();
    std::os::unix::fs::symlink(p.path().join("secret.txt"), www.join("lien.txt")).unwrap();
    std::os::unix::fs::symlink(p.path(), www.join("dehors")).unwrap();
    std::os::unix::fs::symlink(www.join("feed.xml"), www.join("flux.xml")).unwrap();
    for path in ["/lien.txt", "/dehors/secret.txt", "/dehors/feed/channel.toml", "/%6cien.txt"] {
        let (status, _, body) = request(&s, Method::GET, path, &[]);
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("not to be served"), "{path}");
    }
    let (status, _, _) = request(&s, Method::GET, "/flux.xml", &[]);
    assert_eq!(status, StatusCode::OK, "a link that stays inside www is served");
}
