//! `/admin/` and `POST /api/episodes` through `app()`: login and its limits, sessions and CSRF,
//! uploads streamed and checked by content, drafts, review, publish, corrections, new audio,
//! history in git, and an interrupted upload undone at the next start.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use veillee::serve::{AppState, app};

use crate::util::{Project, fixtures};

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

fn send(state: &Arc<AppState>, method: Method, uri: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = app(state.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
        Answer { status, headers, body }
    })
}

#[derive(Clone)]
enum Part<'a> {
    Text(&'a str),
    File(&'a str, &'a [u8]),
}

/// A multipart body, as a browser sends a form: (content type, bytes).
fn multipart(parts: &[(&str, Part<'_>)]) -> (String, Vec<u8>) {
    let boundary = "----veilleeTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, part) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(v) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{v}\r\n").as_bytes(),
                );
            }
            Part::File(file, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

struct Admin {
    p: Project,
    state: Arc<AppState>,
    editor: String,
    author: String,
}

fn token_of(out: &str) -> String {
    out.lines().find_map(|l| l.split("privately): ").nth(1)).unwrap().trim().to_owned()
}

fn admin() -> Admin {
    let p = Project::fixture("show");
    let editor =
        token_of(&p.ok(&["staff", "add", "Camille Martin", "--email", "camille@example.org", "--role", "editor"]));
    let author = token_of(&p.ok(&["staff", "add", "Yann", "--email", "yann@example.org", "--role", "author"]));
    p.ok(&["build"]);
    let state = AppState::new(p.project());
    Admin { p, state, editor, author }
}

impl Admin {
    /// Logs in; the session cookie (`name=value`).
    fn login(&self, token: &str) -> String {
        let a = send(
            &self.state,
            Method::POST,
            "/admin/connexion",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("token={token}").into_bytes(),
        );
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let set = a.headers[header::SET_COOKIE].to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    }

    /// The CSRF token of a session, as its forms carry it.
    fn csrf(&self, cookie: &str) -> String {
        let a = send(&self.state, Method::GET, "/admin/nouveau", &[("cookie", cookie)], Vec::new());
        assert_eq!(a.status, StatusCode::OK);
        let at = a.body.find("name=\"csrf\" value=\"").unwrap() + 19;
        a.body[at..at + 64].to_owned()
    }

    fn post_form(&self, uri: &str, cookie: &str, form: &str) -> Answer {
        send(
            &self.state,
            Method::POST,
            uri,
            &[("cookie", cookie), ("content-type", "application/x-www-form-urlencoded")],
            form.as_bytes().to_vec(),
        )
    }

    fn post_multipart(&self, uri: &str, headers: &[(&str, &str)], parts: &[(&str, Part<'_>)]) -> Answer {
        let (ct, body) = multipart(parts);
        let mut all = headers.to_vec();
        all.push(("content-type", &ct));
        send(&self.state, Method::POST, uri, &all, body)
    }

    /// Makes the show a git repository with `ignore` as its .gitignore, all committed; git in
    /// it, which must succeed, and its output.
    fn git_repo(&self, ignore: &str) -> impl Fn(&[&str]) -> String + '_ {
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git").arg("-C").arg(self.p.path()).args(args).output().unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q"]);
        self.p.write(".gitignore", ignore);
        git(&["add", "-A"]);
        git(&["-c", "user.name=Init", "-c", "user.email=init@example.org", "commit", "-qm", "init"]);
        git
    }

    /// Files under a directory of the project, sorted.
    fn files(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.p.file(dir))
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn mp3() -> Vec<u8> {
    std::fs::read(fixtures().join("audio/cbr.mp3")).unwrap()
}

const VTT: &str = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Camille>Bonjour à Léaz.\n\n00:01.000 --> 00:02.000\n<v Dominique>On frappe aux portes.\n";

fn draft_parts<'a>(csrf: &'a str, audio: &'a [u8], title: &'a str) -> Vec<(&'a str, Part<'a>)> {
    vec![
        ("csrf", Part::Text(csrf)),
        ("title", Part::Text(title)),
        ("date", Part::Text("2025-12-20T18:30")),
        ("summary", Part::Text("")),
        ("notes", Part::Text("Des **notes** en Markdown.")),
        ("partners", Part::Text("solucracy")),
        ("methods", Part::Text("recensement-des-problemes")),
        ("territories", Part::Text("leaz")),
        ("chapters", Part::Text("00:00 Ouverture\r\n00:01 Les portes [recensement-des-problemes]")),
        ("guests", Part::Text("Dominique | https://example.org/dominique")),
        ("audio", Part::File("../../../etc/passwd.mp3", audio)),
        ("transcript", Part::File("C:\\Users\\yann\\leaz.vtt", VTT.as_bytes())),
    ]
}

#[test]
fn login_sets_a_strict_cookie_and_limits_failures() {
    let a = admin();
    let page = send(&a.state, Method::GET, "/admin/", &[], Vec::new());
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Se connecter") && page.body.contains("name=\"token\""), "{}", page.body);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert!(page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("script-src 'self'"));

    let ok = send(
        &a.state,
        Method::POST,
        "/admin/connexion",
        &[("content-type", "application/x-www-form-urlencoded"), ("x-forwarded-proto", "https")],
        format!("token={}", a.editor).into_bytes(),
    );
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap();
    let home = send(&a.state, Method::GET, "/admin/", &[("cookie", session)], Vec::new());
    assert!(home.body.contains("Camille Martin") && home.body.contains("Brouillons"), "{}", home.body);
    assert!(home.body.contains("/admin/episodes/brouillon/"), "the fixture's draft is listed");

    // Wrong tokens: 401 five times from one address, then 429 even for the right one.
    for _ in 0..5 {
        let wrong = a.post_form("/admin/connexion", "", &format!("token={}x", &a.editor[..20]));
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("Ce jeton n&#39;ouvre aucun compte"), "{}", wrong.body);
    }
    let limited = a.post_form("/admin/connexion", "", &format!("token={}", a.editor));
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    // Another address behind the same proxy is not held back.
    let other = send(
        &a.state,
        Method::POST,
        "/admin/connexion",
        &[("content-type", "application/x-www-form-urlencoded"), ("x-forwarded-for", "203.0.113.9")],
        format!("token={}", a.editor).into_bytes(),
    );
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[test]
fn an_author_drafts_and_an_editor_publishes() {
    let a = admin();
    let yann = a.login(&a.author);
    let csrf = a.csrf(&yann);
    let audio = mp3();
    let made = a.post_multipart(
        "/admin/nouveau",
        &[("cookie", &yann)],
        &draft_parts(&csrf, &audio, "Léaz : les portes, encore"),
    );
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.headers[header::LOCATION], "/admin/episodes/leaz-les-portes-encore/");
    // The client's file names never become paths: the files are named by the slug.
    assert!(a.files("episodes").contains(&"leaz-les-portes-encore.mp3".to_owned()));
    assert_eq!(a.p.read("transcripts/leaz-les-portes-encore.vtt").lines().next(), Some("WEBVTT"));
    let md = a.p.read("episodes/leaz-les-portes-encore.md");
    insta::with_settings!({ filters => vec![(r#"guid = "[0-9a-f-]{36}""#, r#"guid = "[guid]""#)] }, {
        insta::assert_snapshot!(md);
    });
    assert!(a.files(".veillee/uploads").is_empty(), "the staging directory is gone");

    // The preview: facts, loudness, transcript, warnings in French.
    let preview =
        send(&a.state, Method::GET, "/admin/episodes/leaz-les-portes-encore/", &[("cookie", &yann)], Vec::new());
    assert_eq!(preview.status, StatusCode::OK);
    for expected in
        ["proposé par Yann, à relire", "LUFS", "2 répliques", "Vérifications", "Un éditeur ou une éditrice relira"]
    {
        assert!(preview.body.contains(expected), "{expected}:\n{}", preview.body);
    }
    assert!(!preview.body.contains(&a.p.path().display().to_string()), "no server path in the page");

    // An author cannot publish, even with a valid form.
    let refused = a.post_form("/admin/episodes/leaz-les-portes-encore/publier", &yann, &format!("csrf={csrf}"));
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!a.p.read("feed/archive.toml").contains("leaz-les-portes-encore"));

    // The editor sends it back, then publishes it.
    let camille = a.login(&a.editor);
    let ccsrf = a.csrf(&camille);
    let back = a.post_form(
        "/admin/episodes/leaz-les-portes-encore/renvoyer",
        &camille,
        &format!("csrf={ccsrf}&comment=Le+titre+est+trop+long"),
    );
    assert_eq!(back.status, StatusCode::OK);
    assert!(back.body.contains("renvoyé par Camille Martin : « Le titre est trop long »"), "{}", back.body);
    // The author corrects it: it is back for review.
    let form = send(
        &a.state,
        Method::GET,
        "/admin/episodes/leaz-les-portes-encore/modifier",
        &[("cookie", &yann)],
        Vec::new(),
    );
    assert!(
        form.body.contains("value=\"Léaz : les portes, encore\"") && form.body.contains("Des **notes** en Markdown."),
        "{}",
        form.body
    );
    let fix = [
        ("csrf", Part::Text(&csrf)),
        ("title", Part::Text("Léaz : les portes")),
        ("date", Part::Text("2025-12-20T18:30")),
        ("notes", Part::Text("Des **notes** en Markdown.")),
        ("methods", Part::Text("recensement-des-problemes")),
        ("territories", Part::Text("leaz")),
        ("chapters", Part::Text("00:00 Ouverture")),
        ("guests", Part::Text("Dominique | https://example.org/dominique")),
    ];
    let fixed = a.post_multipart("/admin/episodes/leaz-les-portes-encore/modifier", &[("cookie", &yann)], &fix);
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    assert!(
        fixed.body.contains("Corrections enregistrées.") && fixed.body.contains("proposé par Yann, à relire"),
        "{}",
        fixed.body
    );
    let no_csrf = a.post_form("/admin/episodes/leaz-les-portes-encore/publier", &camille, "csrf=");
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let other_session =
        a.post_form("/admin/episodes/leaz-les-portes-encore/publier", &camille, &format!("csrf={csrf}"));
    assert_eq!(other_session.status, StatusCode::FORBIDDEN, "another session's CSRF token");
    assert!(!a.p.read("feed/archive.toml").contains("leaz-les-portes-encore"));
    let published = a.post_form("/admin/episodes/leaz-les-portes-encore/publier", &camille, &format!("csrf={ccsrf}"));
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert!(published.body.contains("Publié : l&#39;épisode est sur le site et dans le flux."), "{}", published.body);
    assert!(a.p.read("feed/archive.toml").contains("slug = \"leaz-les-portes-encore\""));
    let feed = send(&a.state, Method::GET, "/feed.xml", &[], Vec::new());
    assert!(feed.body.contains("<title>Léaz : les portes</title>"), "the server serves the new generation");
    let page = send(&a.state, Method::GET, "/episodes/leaz-les-portes-encore/", &[], Vec::new());
    assert_eq!(page.status, StatusCode::OK);
    assert!(!a.p.read(".veillee/reviews.toml").contains("leaz-les-portes-encore"), "the review is over");
}

#[test]
fn bad_uploads_change_nothing() {
    let a = admin();
    let yann = a.login(&a.author);
    let csrf = a.csrf(&yann);
    let before = (a.files("episodes"), a.files("transcripts"));
    let unchanged = |why: &str| {
        assert_eq!((a.files("episodes"), a.files("transcripts")), before, "{why}");
        assert!(a.files(".veillee/uploads").is_empty(), "{why}: the staging directory is gone");
    };

    // Not audio, whatever its name says.
    let text = b"ID3 this is not audio at all, only text in a file named .mp3".repeat(20);
    let r = a.post_multipart("/admin/nouveau", &[("cookie", &yann)], &draft_parts(&csrf, &text, "Pas de l'audio"));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("« passwd.mp3 » n&#39;est pas un fichier audio publiable"), "{}", r.body);
    assert!(r.body.contains("value=\"Pas de l&#39;audio\""), "the form keeps what was typed");
    unchanged("not audio");

    // No CSRF token before the file: refused before the file is read.
    let audio = mp3();
    let mut parts = draft_parts("", &audio, "Sans jeton");
    parts.remove(0);
    parts.insert(0, ("audio", Part::File("a.mp3", &audio)));
    let r = a.post_multipart("/admin/nouveau", &[("cookie", &yann)], &parts);
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    unchanged("no csrf");

    // A reference to a method that does not exist and a transcript longer than the audio: the
    // draft is checked with the show and taken back whole.
    let audio = mp3();
    let mut parts = draft_parts(&csrf, &audio, "Une méthode inconnue");
    parts[6] = ("methods", Part::Text("recensement-des-problemez"));
    let long = VTT.replace("00:01.000 --> 00:02.000", "00:01.000 --> 00:09.000");
    parts[11] = ("transcript", Part::File("t.vtt", long.as_bytes()));
    let r = a.post_multipart("/admin/nouveau", &[("cookie", &yann)], &parts);
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in ["rien n&#39;a été enregistré", "recensement-des-problemes", "après la fin de l&#39;audio"] {
        assert!(r.body.contains(expected), "{expected}:\n{}", r.body);
    }
    unchanged("problems");

    // A broken transcript names the uploaded file and its line.
    let audio = mp3();
    let mut parts = draft_parts(&csrf, &audio, "Transcription cassée");
    parts[11] = ("transcript", Part::File("cassée.vtt", b"WEBVTT\n\n00:00.000 --> 00:0x.000\nTexte\n"));
    let r = a.post_multipart("/admin/nouveau", &[("cookie", &yann)], &parts);
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("<code>cassée.vtt:3</code>"), "{}", r.body);
    unchanged("broken transcript");

    // Over the show's limit (1 MB here): 413 while streaming.
    a.p.edit("feed/channel.toml", "medium = \"podcast\"", "medium = \"podcast\"\nupload_limit_mb = 1");
    let state = AppState::new(a.p.project());
    let big = vec![0xffu8; 1_200_000];
    let (ct, body) = multipart(&draft_parts(&csrf, &big, "Trop gros"));
    let r = send(&state, Method::POST, "/admin/nouveau", &[("cookie", &yann), ("content-type", &ct)], body);
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "sessions belong to one server");
    let session = {
        let a2 = send(
            &state,
            Method::POST,
            "/admin/connexion",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("token={}", a.author).into_bytes(),
        );
        a2.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned()
    };
    let page = send(&state, Method::GET, "/admin/nouveau", &[("cookie", &session)], Vec::new());
    let at = page.body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf2 = page.body[at..at + 64].to_owned();
    let (ct, body) = multipart(&draft_parts(&csrf2, &big, "Trop gros"));
    let r = send(&state, Method::POST, "/admin/nouveau", &[("cookie", &session), ("content-type", &ct)], body);
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("dépasse 1 Mo"), "{}", r.body);
    unchanged("too large");

    // Without a session: the login page, nothing written.
    let r = a.post_multipart("/admin/nouveau", &[], &draft_parts(&csrf, &mp3(), "Anonyme"));
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    unchanged("anonymous");
}

#[test]
fn corrections_and_new_audio_of_a_published_episode() {
    let a = admin();
    let camille = a.login(&a.editor);
    let csrf = a.csrf(&camille);
    let ledger_before = a.p.read("feed/archive.toml");
    let form = send(
        &a.state,
        Method::GET,
        "/admin/episodes/enquete-de-besoins-a-leaz/modifier",
        &[("cookie", &camille)],
        Vec::new(),
    );
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("name=\"date\""), "a published episode's date is the ledger's");
    let parts = vec![
        ("csrf", Part::Text(&csrf)),
        ("title", Part::Text("Enquête de besoins à Léaz (corrigé)")),
        ("notes", Part::Text("Notes corrigées.")),
        ("methods", Part::Text("recensement-des-problemes")),
        ("chapters", Part::Text("")),
        ("guests", Part::Text("")),
    ];
    let r = a.post_multipart("/admin/episodes/enquete-de-besoins-a-leaz/modifier", &[("cookie", &camille)], &parts);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Corrections enregistrées et publiées"), "{}", r.body);
    assert_eq!(a.p.read("feed/archive.toml"), ledger_before, "a correction is not a new version");
    let feed = send(&a.state, Method::GET, "/feed.xml", &[], Vec::new());
    assert!(feed.body.contains("Enquête de besoins à Léaz (corrigé)"));
    let md = a.p.read("episodes/enquete-de-besoins-a-leaz.md");
    assert!(md.contains("guid = ") && md.ends_with("Notes corrigées.\n"), "{md}");

    // Another file of the show has an error: the correction is kept, the failed build said.
    let method = a.p.read("site/methods/cartographie-sensible.md");
    a.p.write("site/methods/cartographie-sensible.md", method.replacen("title", "titre", 1));
    let mut later = parts.clone();
    later[2] = ("notes", Part::Text("Notes corrigées deux fois."));
    let r = a.post_multipart("/admin/episodes/enquete-de-besoins-a-leaz/modifier", &[("cookie", &camille)], &later);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Corrections enregistrées, mais le site n&#39;a pas pu être reconstruit"), "{}", r.body);
    assert!(a.p.read("episodes/enquete-de-besoins-a-leaz.md").ends_with("Notes corrigées deux fois.\n"));
    a.p.write("site/methods/cartographie-sensible.md", method);

    // New audio: a new version with its reason; the same file refused as unchanged.
    let audio = std::fs::read(fixtures().join("audio/vbr.mp3")).unwrap();
    let parts = |reason: &'static str, audio: &'static [u8]| {
        vec![
            ("csrf", Part::Text(Box::leak(csrf.clone().into_boxed_str()))),
            ("audio", Part::File("nouveau.mp3", audio)),
            ("reason", Part::Text(reason)),
        ]
    };
    let audio: &'static [u8] = Box::leak(audio.into_boxed_slice());
    let r = a.post_multipart(
        "/admin/episodes/enquete-de-besoins-a-leaz/audio",
        &[("cookie", &camille)],
        &parts("Un meilleur montage", audio),
    );
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Nouvelle version publiée"), "{}", r.body);
    let ledger = a.p.read("feed/archive.toml");
    assert!(
        ledger.contains("action = \"new-version\"") && ledger.contains("reason = \"Un meilleur montage\""),
        "{ledger}"
    );
    let again = a.post_multipart(
        "/admin/episodes/enquete-de-besoins-a-leaz/audio",
        &[("cookie", &camille)],
        &parts("Encore", audio),
    );
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("rien n&#39;a changé") || again.body.contains("celui de la version publiée"),
        "{}",
        again.body
    );
    assert_eq!(a.p.read("feed/archive.toml"), ledger);
    assert!(a.files(".veillee/uploads").is_empty());

    // An author may not correct a published episode, nor replace its audio, nor send it back.
    let yann = a.login(&a.author);
    let ycsrf = a.csrf(&yann);
    let page =
        send(&a.state, Method::GET, "/admin/episodes/enquete-de-besoins-a-leaz/", &[("cookie", &yann)], Vec::new());
    assert!(!page.body.contains("/modifier"), "no correction link for an author");
    let md = a.p.read("episodes/enquete-de-besoins-a-leaz.md");
    let r = a.post_multipart(
        "/admin/episodes/enquete-de-besoins-a-leaz/modifier",
        &[("cookie", &yann)],
        &[("csrf", Part::Text(&ycsrf)), ("title", Part::Text("Changé par un auteur")), ("notes", Part::Text("x"))],
    );
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(a.p.read("episodes/enquete-de-besoins-a-leaz.md"), md);
    let r = a.post_form(
        "/admin/episodes/enquete-de-besoins-a-leaz/renvoyer",
        &camille,
        &format!("csrf={csrf}&comment=non"),
    );
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "only a draft is sent back");
    let r = a.post_multipart(
        "/admin/episodes/enquete-de-besoins-a-leaz/audio",
        &[("cookie", &yann)],
        &[("csrf", Part::Text(&ycsrf)), ("audio", Part::File("x.mp3", &mp3())), ("reason", Part::Text("non"))],
    );
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(a.p.read("feed/archive.toml"), ledger);
}

#[test]
fn the_json_api_and_revoked_accounts() {
    let a = admin();
    let audio = mp3();
    let api = |token: &str, publish: &'static str, title: &'static str| {
        let auth = format!("Bearer {token}");
        let mut parts = draft_parts("", &audio, title);
        parts.remove(0);
        parts.push(("publish", Part::Text(publish)));
        a.post_multipart("/api/episodes", &[("authorization", &auth)], &parts)
    };
    let r = api("nope.nope", "true", "Sans compte");
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("\"code\":\"staff.unauthorized\""), "{}", r.body);
    let r = api(&a.author, "true", "Un auteur publie");
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("staff.forbidden"));
    let r = api(&a.author, "false", "Un brouillon par l'API");
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!((v["slug"].as_str(), v["status"].as_str()), (Some("un-brouillon-par-l-api"), Some("draft")));
    let r = api(&a.editor, "true", "Publié par l'API");
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["status"], "published");
    assert!(a.p.read("feed/archive.toml").contains(v["guid"].as_str().unwrap()));
    let r = api(&a.editor, "true", "Publié par l'API");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("episode.exists") || r.body.contains("episode.slug-used"), "{}", r.body);

    // Revoking an account ends its sessions at once.
    let camille = a.login(&a.editor);
    a.p.ok(&["staff", "revoke", "Camille Martin"]);
    let r = send(&a.state, Method::GET, "/admin/", &[("cookie", &camille)], Vec::new());
    assert!(r.body.contains("name=\"token\""), "back to the login page");

    // Wrong tokens count against the client's address, as at the login form.
    let limited = (0..6).map(|_| api("000000000000.faux", "false", "Intrus").status).collect::<Vec<_>>();
    assert!(limited.contains(&StatusCode::TOO_MANY_REQUESTS), "{limited:?}");
    assert_eq!(api(&a.editor, "false", "Trop tard").status, StatusCode::TOO_MANY_REQUESTS);
}

#[test]
fn publishing_commits_exactly_its_files_as_the_staff_member() {
    let a = admin();
    let git = a.git_repo("/build\n.veillee/\n");
    // Someone's unrelated work in progress stays out of the commit; the draft's sources were
    // committed before, so the publication is the ledger alone.
    a.p.write("NOTES.md", "Idées pour le prochain épisode\n");
    let camille = a.login(&a.editor);
    let csrf = a.csrf(&camille);
    let r = a.post_form("/admin/episodes/brouillon/publier", &camille, &format!("csrf={csrf}"));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Historique : enregistré"), "{}", r.body);
    let log = git(&["log", "-1", "--format=%an <%ae>|%s", "--name-only"]);
    insta::assert_snapshot!(log, @r"
    Camille Martin <camille@example.org>|Publish brouillon

    feed/archive.toml
    ");
    assert!(git(&["status", "--porcelain"]).contains("?? NOTES.md"));
}

#[test]
fn an_interrupted_upload_is_undone_at_the_next_start() {
    let a = admin();
    let project = a.p.project();
    // An operation under way (its staging directory alive) is left alone by another start.
    let live = project.staging().unwrap();
    std::fs::write(
        live.file("intent.json"),
        r#"{"commit_version":null,"created":["episodes/brouillon.md"],"replaced":[]}"#,
    )
    .unwrap();
    assert!(project.clean_interrupted().unwrap().is_empty());
    assert!(a.p.file("episodes/brouillon.md").exists() && live.file("intent.json").exists());
    std::fs::remove_file(live.file("intent.json")).unwrap();
    drop(live);
    // What a server killed between renaming the audio and the check leaves behind.
    let staging = project.staging().unwrap();
    let dir = staging.file("");
    a.p.write("episodes/coupe.mp3", mp3());
    a.p.write("episodes/coupe.md", "+++\ntitle = \"Coupé\"\n+++\n");
    std::fs::write(
        dir.join("intent.json"),
        r#"{"commit_version":null,"created":["episodes/coupe.mp3","episodes/coupe.md"],"replaced":[]}"#,
    )
    .unwrap();
    // The process ends (its lock on the directory with it), the intent stays.
    drop(staging);
    let undone = project.clean_interrupted().unwrap();
    assert_eq!(undone.len(), 2, "{undone:?}");
    assert!(!a.p.file("episodes/coupe.md").exists() && !a.p.file("episodes/coupe.mp3").exists());
    assert!(a.files(".veillee/uploads").is_empty());
    a.p.ok(&["check"]);
}

/// A publish from the browser and one from the command line at the same moment: one waits for
/// the other (the build lock), both are recorded, and the ledger stays readable.
#[test]
fn concurrent_publishes_are_serialized() {
    let a = admin();
    let camille = a.login(&a.editor);
    let csrf = a.csrf(&camille);
    let audio = mp3();
    let made =
        a.post_multipart("/admin/nouveau", &[("cookie", &camille)], &draft_parts(&csrf, &audio, "Deuxième brouillon"));
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let (browser, cli) = std::thread::scope(|scope| {
        let browser = scope
            .spawn(|| a.post_form("/admin/episodes/deuxieme-brouillon/publier", &camille, &format!("csrf={csrf}")));
        let cli = scope.spawn(|| a.p.run(&["publish", "brouillon"]));
        (browser.join().unwrap(), cli.join().unwrap())
    });
    assert_eq!(browser.status, StatusCode::OK, "{}", browser.body);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let ledger = a.p.read("feed/archive.toml");
    assert!(ledger.contains("slug = \"deuxieme-brouillon\"") && ledger.contains("slug = \"brouillon\""), "{ledger}");
    a.p.ok(&["check"]);
    let feed = a.p.ok(&["feed"]);
    assert!(feed.contains("Deuxième brouillon") && feed.contains("Un brouillon"));
}

/// A date to come: the editor's publish schedules the episode, which stays out of the site and
/// the feed until then and is listed as scheduled.
#[test]
fn a_date_to_come_is_scheduled() {
    let a = admin();
    let camille = a.login(&a.editor);
    let csrf = a.csrf(&camille);
    let audio = mp3();
    let mut parts = draft_parts(&csrf, &audio, "Pour le printemps");
    parts[2] = ("date", Part::Text("2026-04-01T18:00"));
    let made = a.post_multipart("/admin/nouveau", &[("cookie", &camille)], &parts);
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let r = a.post_form("/admin/episodes/pour-le-printemps/publier", &camille, &format!("csrf={csrf}"));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Programmé : l&#39;épisode sortira à sa date"), "{}", r.body);
    assert!(a.p.read("feed/archive.toml").contains("pub_date = 2026-04-01T16:00:00Z"), "18:00 in Paris (summer time)");
    let feed = send(&a.state, Method::GET, "/feed.xml", &[], Vec::new());
    assert!(!feed.body.contains("Pour le printemps"));
    assert_eq!(
        send(&a.state, Method::GET, "/episodes/pour-le-printemps/", &[], Vec::new()).status,
        StatusCode::NOT_FOUND
    );
    let list = send(&a.state, Method::GET, "/admin/", &[("cookie", &camille)], Vec::new()).body;
    let scheduled = &list[list.find("Programmés").unwrap()..list.find("Publiés").unwrap()];
    assert!(scheduled.contains("Pour le printemps"), "{scheduled}");
}

/// Unknown or hostile episode names in the admin's addresses: 404 in French, nothing written.
#[test]
fn unknown_episodes_are_404() {
    let a = admin();
    let camille = a.login(&a.editor);
    let csrf = a.csrf(&camille);
    for slug in ["nulle-part", "..%2F..%2Ffeed%2Farchive", "%2e%2e"] {
        let r = send(&a.state, Method::GET, &format!("/admin/episodes/{slug}/"), &[("cookie", &camille)], Vec::new());
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{slug}: {}", r.body);
        let r = a.post_form(&format!("/admin/episodes/{slug}/publier"), &camille, &format!("csrf={csrf}"));
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{slug}: {}", r.body);
        assert!(r.body.contains("Il n&#39;y a pas d&#39;épisode"), "{}", r.body);
        let r = a.post_form(&format!("/admin/episodes/{slug}/renvoyer"), &camille, &format!("csrf={csrf}&comment=non"));
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{slug}: {}", r.body);
    }
    assert!(!a.p.file(".veillee/reviews.toml").exists());
}

#[test]
fn editors_retract_with_a_reason() {
    let a = admin();
    let (camille, yann) = (a.login(&a.editor), a.login(&a.author));
    let (csrf, ycsrf) = (a.csrf(&camille), a.csrf(&yann));
    let uri = "/admin/episodes/enquete-de-besoins-a-leaz/retirer";
    let ledger = a.p.read("feed/archive.toml");
    let page =
        send(&a.state, Method::GET, "/admin/episodes/enquete-de-besoins-a-leaz/", &[("cookie", &camille)], Vec::new());
    assert!(page.body.contains(&format!("action=\"{uri}\"")), "an editor has the button");
    let page =
        send(&a.state, Method::GET, "/admin/episodes/enquete-de-besoins-a-leaz/", &[("cookie", &yann)], Vec::new());
    assert!(!page.body.contains(uri), "an author has none");

    let r = a.post_form(uri, &yann, &format!("csrf={ycsrf}&reason=non"));
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = a.post_form(uri, &camille, &format!("csrf={ycsrf}&reason=non"));
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another session's token");
    let r = a.post_form(uri, &camille, &format!("csrf={csrf}&reason=+++"));
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Le champ « raison » ne va pas : il est vide."), "{}", r.body);
    let r = a.post_form("/admin/episodes/brouillon/retirer", &camille, &format!("csrf={csrf}&reason=non"));
    assert!(r.body.contains("Cet épisode n&#39;est pas publié"), "{}", r.body);
    assert_eq!(a.p.read("feed/archive.toml"), ledger, "a refusal writes nothing");

    let r = a.post_form(uri, &camille, &format!("csrf={csrf}&reason=Dominique+retire+son+accord"));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(
            "est retiré du site, du flux, de la recherche et des fichiers audio servis ; ses fichiers sont supprimés"
        ),
        "{}",
        r.body
    );
    assert!(r.body.contains("<h2>Retirés <span class=\"nombre\">(1)</span></h2>"), "{}", r.body);
    assert!(r.body.contains("Dominique retire son accord"));
    let after = a.p.read("feed/archive.toml");
    assert!(after.starts_with(&ledger) && after.contains("action = \"retract\""));
    assert!(!a.p.file("episodes/enquete-de-besoins-a-leaz.md").exists());
    let feed = send(&a.state, Method::GET, "/feed.xml", &[], Vec::new());
    assert!(!feed.body.contains("0b7c4f5e-6a43-4b8e-9a3c-2f1d5e8a7b90"), "the server serves the new generation");
    let media = send(&a.state, Method::GET, "/media/enquete-de-besoins-a-leaz.f5e72987.mp3", &[], Vec::new());
    assert_eq!(media.status, StatusCode::NOT_FOUND);
    let page =
        send(&a.state, Method::GET, "/admin/episodes/enquete-de-besoins-a-leaz/", &[("cookie", &camille)], Vec::new());
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let again = a.post_form(uri, &camille, &format!("csrf={csrf}&reason=encore"));
    assert!(again.body.contains("Cet épisode a été retiré"), "{}", again.body);

    // Kept sources: the page says it is retracted and offers nothing more.
    let r = a.post_form(
        "/admin/episodes/bande-annonce/retirer",
        &camille,
        &format!("csrf={csrf}&reason=Remplac%C3%A9e&keep=1"),
    );
    assert!(r.body.contains("ses fichiers restent sur le serveur"), "{}", r.body);
    let page = send(&a.state, Method::GET, "/admin/episodes/bande-annonce/", &[("cookie", &camille)], Vec::new());
    assert!(
        page.body.contains("Cet épisode a été retiré")
            && !page.body.contains("/retirer")
            && !page.body.contains("/modifier"),
        "{}",
        page.body
    );
}

/// The integrated loudness of a row of the preview's before-and-after table (`Volume`): the
/// recording's and the mastered episode's, in LUFS.
fn before_after(page: &str) -> (f64, f64) {
    let row = page.split("<th scope=\"row\">Volume</th>").nth(1).expect("the before-and-after table");
    let mut lufs = row.split("<td>").skip(1).take(2).map(|cell| {
        let n = cell.split(" LUFS").next().unwrap().replace('\u{2212}', "-").replace(',', ".");
        n.parse::<f64>().unwrap_or_else(|_| panic!("a loudness in {cell}"))
    });
    (lufs.next().unwrap(), lufs.next().unwrap())
}

/// Staff master from the form: a WAV needs the box ticked; the upload is kept as the recording
/// (out of git), the preview shows its loudness before and after; new audio is mastered as
/// well, or loses its mastering when sent as it is; a show that asks for mastering masters
/// every upload and offers the light version.
#[test]
fn staff_master_from_the_form() {
    let a = admin();
    let git = a.git_repo("/build\n.veillee/\n*.wav\n/episodes/*.recording.*\n");
    let camille = a.login(&a.editor);
    let csrf = a.csrf(&camille);
    let form = send(&a.state, Method::GET, "/admin/nouveau", &[("cookie", &camille)], Vec::new());
    assert!(form.body.contains("name=\"master\" value=\"true\""), "{}", form.body);
    assert!(
        form.body.contains("volume \u{2212}16 LUFS, crête vraie au plus \u{2212}1 dBTP, MP3 96 kbit/s mono 44,1 kHz")
    );

    let wav_path = a.p.path().join("../enregistrement.wav");
    crate::master::recording(&wav_path, 4, 0.03);
    let wav = std::fs::read(&wav_path).unwrap();
    let episodes = a.files("episodes");
    let mut parts = draft_parts(&csrf, &wav, "Cartographie à Lunas");
    parts[10] = ("audio", Part::File("lunas.wav", &wav));
    let r = a.post_multipart("/admin/nouveau", &[("cookie", &camille)], &parts);
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("« lunas.wav » est un WAV") && r.body.contains("cochez « Masteriser »"), "{}", r.body);
    assert_eq!(a.files("episodes"), episodes, "nothing kept");

    parts.push(("master", Part::Text("true")));
    let r = a.post_multipart("/admin/nouveau", &[("cookie", &camille)], &parts);
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let slug = "cartographie-a-lunas";
    let mut expected = episodes.clone();
    expected.extend([format!("{slug}.md"), format!("{slug}.mp3"), format!("{slug}.recording.wav")]);
    expected.sort();
    assert_eq!(a.files("episodes"), expected);
    assert_eq!(std::fs::read(a.p.file(&format!("episodes/{slug}.recording.wav"))).unwrap(), wav, "kept as sent");
    let md = a.p.read(&format!("episodes/{slug}.md"));
    assert!(md.contains(&format!("mastered_from = {{ file = \"episodes/{slug}.recording.wav\", sha256 = \"")), "{md}");
    let page = send(&a.state, Method::GET, &format!("/admin/episodes/{slug}/"), &[("cookie", &camille)], Vec::new());
    assert!(page.body.contains("Avant et après le mastering"), "{}", page.body);
    let (before, after) = before_after(&page.body);
    assert!((before - after).abs() > 2.0 && (after + 16.0).abs() <= 0.5, "before {before}, after {after}");
    assert!(page.body.contains(&format!("<code>episodes/{slug}.recording.wav</code>")));
    assert!(page.body.contains("name=\"master\"") || !page.body.contains("/audio\""), "a draft has no new-audio form");

    let r = a.post_form(&format!("/admin/episodes/{slug}/publier"), &camille, &format!("csrf={csrf}"));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let committed = git(&["show", "--name-only", "--format=", "HEAD"]);
    assert!(committed.contains(&format!("episodes/{slug}.mp3")) && !committed.contains("recording"), "{committed}");

    // New audio, mastered: a louder recording replaces the old one, mastered to the same level.
    let louder_path = a.p.path().join("../plus-fort.wav");
    crate::master::recording(&louder_path, 4, 0.3);
    let louder: &'static [u8] = Box::leak(std::fs::read(&louder_path).unwrap().into_boxed_slice());
    let replace = |audio: (&'static str, &'static [u8]), reason: &'static str, master: bool| {
        let mut parts = vec![
            ("csrf", Part::Text(Box::leak(csrf.clone().into_boxed_str()))),
            ("audio", Part::File(audio.0, audio.1)),
            ("reason", Part::Text(reason)),
        ];
        if master {
            parts.push(("master", Part::Text("true")));
        }
        a.post_multipart(&format!("/admin/episodes/{slug}/audio"), &[("cookie", &camille)], &parts)
    };
    let r = replace(("plus-fort.wav", louder), "Un enregistrement plus propre", true);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Nouvelle version publiée"), "{}", r.body);
    let (before, after) = before_after(&r.body);
    assert!((before - after).abs() > 2.0 && (after + 16.0).abs() <= 0.5, "before {before}, after {after}");
    assert_eq!(std::fs::read(a.p.file(&format!("episodes/{slug}.recording.wav"))).unwrap(), louder);
    let ledger = a.p.read("feed/archive.toml");
    assert!(ledger.contains("reason = \"Un enregistrement plus propre\""), "{ledger}");

    // New audio sent as it is: the mastering's record goes with the mastered audio.
    let plain: &'static [u8] = Box::leak(std::fs::read(fixtures().join("audio/vbr.mp3")).unwrap().into_boxed_slice());
    let r = replace(("tel-quel.mp3", plain), "Le montage final, déjà au niveau", false);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("Avant et après"), "{}", r.body);
    assert!(!a.p.read(&format!("episodes/{slug}.md")).contains("mastered_from"));
    assert_eq!(std::fs::read(a.p.file(&format!("episodes/{slug}.mp3"))).unwrap(), plain);

    // A show that asks for mastering and the light version: no box, every upload mastered.
    a.p.edit("feed/channel.toml", "[loudness]", "[mastering]\nlight = {}\n\n[loudness]");
    let page = send(&a.state, Method::GET, &format!("/admin/episodes/{slug}/"), &[("cookie", &camille)], Vec::new());
    assert!(!page.body.contains("name=\"master\""), "{}", page.body);
    assert!(
        page.body.contains("Le podcast masterise chaque audio envoyé")
            && page.body.contains("version légère MP3 32 kbit/s mono 22,05 kHz"),
        "{}",
        page.body
    );
    let r = replace(("plus-fort.wav", louder), "Masterisé par le podcast", false);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Version légère") && r.body.contains(&format!("episodes/{slug}.light.mp3")), "{}", r.body);
    let committed = git(&["show", "--name-only", "--format=", "HEAD"]);
    assert!(
        committed.contains(&format!("episodes/{slug}.light.mp3")) && !committed.contains("recording"),
        "{committed}"
    );
    let feed = send(&a.state, Method::GET, "/feed.xml", &[], Vec::new());
    assert!(feed.body.contains("title=\"Version légère\""), "{}", feed.body);
    assert!(a.files(".veillee/uploads").is_empty());

    // Retracted: the recording goes with the sources, and the commit holds what git held.
    let r = a.post_form(&format!("/admin/episodes/{slug}/retirer"), &camille, &format!("csrf={csrf}&reason=Un+refus"));
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!a.p.file(&format!("episodes/{slug}.recording.wav")).exists());
    let committed = git(&["show", "--name-only", "--format=%s", "HEAD"]);
    assert!(
        committed.starts_with(&format!("Retract {slug}: Un refus")) && !committed.contains("recording"),
        "{committed}"
    );
    let status = git(&["status", "--porcelain"]);
    assert!(!status.contains(slug), "the retraction all committed: {status}");
}
