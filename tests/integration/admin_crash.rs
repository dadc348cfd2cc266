//! The server killed (SIGKILL) at each point of a browser publish, then started again: `check`
//! passes, nothing is left half-written, and the site serves the show before or after, whole.
//! A full disk (a file size limit, SIGXFSZ ignored) fails an upload and a publish cleanly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use crate::util::{Project, fixtures};

const TITLE: &str = "Léaz, une nuit de veille";
const SLUG: &str = "leaz-une-nuit-de-veille";

/// A `veillee serve` process; killed when dropped.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    fn start(p: &Project, env: &[(&str, &str)], wrapper: &[&str]) -> Server {
        let mut cmd = if wrapper.is_empty() {
            p.command()
        } else {
            // Under a wrapper (prlimit): the same binary and environment as `p.command()`.
            let mut c = std::process::Command::new(wrapper[0]);
            c.args(&wrapper[1..])
                .arg(env!("CARGO_BIN_EXE_veillee"))
                .arg("--root")
                .arg(p.path())
                .env("SOURCE_DATE_EPOCH", crate::util::NOW.to_string());
            c
        };
        cmd.args(["serve", "--addr", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.find_map(|l| l.ok().filter(|l| l.starts_with("serving "))).expect("serving line");
        let addr = line.strip_prefix("serving http://").unwrap().split('/').next().unwrap().to_owned();
        // The rest of its output is not read: a full pipe must not stop it.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, addr }
    }

    /// One request; (status, head, body).
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Option<(u16, String, Vec<u8>)> {
        let mut stream = TcpStream::connect(&self.addr).ok()?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body).ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).ok()?;
        let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head.split(' ').nth(1)?.parse().ok()?;
        Some((status, head, response[split + 4..].to_vec()))
    }

    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let (status, _, body) = self.send("GET", path, &[], b"").expect("an answer");
        (status, body)
    }

    /// Logs in with `token`: the session cookie and the CSRF token of its forms.
    fn login(&self, token: &str) -> (String, String) {
        let (status, head, _) = self
            .send(
                "POST",
                "/admin/connexion",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                format!("token={token}").as_bytes(),
            )
            .unwrap();
        assert_eq!(status, 303, "{head}");
        let cookie =
            head.lines().find_map(|l| l.strip_prefix("set-cookie: ")).unwrap().split(';').next().unwrap().to_owned();
        let (_, _, form) = self.send("GET", "/admin/nouveau", &[("Cookie", &cookie)], b"").unwrap();
        let form = String::from_utf8(form).unwrap();
        let at = form.find("name=\"csrf\" value=\"").unwrap() + 19;
        (cookie, form[at..at + 64].to_owned())
    }

    /// Sends the new episode's form; the status, if the server answered.
    fn upload(&self, cookie: &str, csrf: &str, audio: &[u8]) -> Option<u16> {
        let boundary = "veilleeCrashBoundary";
        let mut body = Vec::new();
        let mut text = |name: &str, value: &str| {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        };
        text("csrf", csrf);
        text("title", TITLE);
        text("notes", "Une nuit à veiller les archives.");
        text("methods", "recensement-des-problemes");
        let mut file = |name: &str, bytes: &[u8]| {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        };
        file("audio", audio);
        file("transcript", b"WEBVTT\n\n00:00.000 --> 00:01.500\n<v Camille>Bonsoir.\n");
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        self.send("POST", "/admin/nouveau", &[("Cookie", cookie), ("Content-Type", &ct)], &body).map(|(s, _, _)| s)
    }

    /// Sends a new audio file for `slug` (a new version); the status, if the server answered.
    fn replace(&self, cookie: &str, csrf: &str, slug: &str, audio: &[u8]) -> Option<u16> {
        let boundary = "veilleeCrashBoundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"reason\"\r\n\r\nUn meilleur montage\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"nouveau.mp3\"\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(audio);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        let path = format!("/admin/episodes/{slug}/audio");
        self.send("POST", &path, &[("Cookie", cookie), ("Content-Type", &ct)], &body).map(|(s, _, _)| s)
    }

    fn publish(&self, cookie: &str, csrf: &str) -> Option<u16> {
        let form = format!("csrf={csrf}");
        let headers = [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")];
        self.send("POST", &format!("/admin/episodes/{SLUG}/publier"), &headers, form.as_bytes()).map(|(s, _, _)| s)
    }

    /// Waits for the process to end; how it ended.
    fn ended(&mut self) -> std::process::ExitStatus {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed().as_secs() < 30, "the server did not end");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn editor(p: &Project) -> String {
    let out = p.ok(&["staff", "add", "Camille Martin", "--email", "camille@example.org", "--role", "editor"]);
    out.lines().find_map(|l| l.split("privately): ").nth(1)).unwrap().trim().to_owned()
}

/// The episode's source files that exist.
fn sources(p: &Project) -> Vec<&'static str> {
    [
        ("md", "episodes/leaz-une-nuit-de-veille.md"),
        ("mp3", "episodes/leaz-une-nuit-de-veille.mp3"),
        ("vtt", "transcripts/leaz-une-nuit-de-veille.vtt"),
    ]
    .into_iter()
    .filter(|(_, f)| p.file(f).exists())
    .map(|(k, _)| k)
    .collect()
}

/// After a restart: the site has the episode whole (page, feed item, its enclosure served with
/// the length the feed says), or has none of it.
fn served_whole(server: &Server) -> bool {
    let (status, feed) = server.get("/feed.xml");
    assert_eq!(status, 200);
    let feed = String::from_utf8(feed).unwrap();
    let (page, _) = server.get(&format!("/episodes/{SLUG}/"));
    if !feed.contains(TITLE) {
        assert_eq!(page, 404, "a page without its feed item");
        return false;
    }
    assert_eq!(page, 200, "a feed item without its page");
    let item = &feed[feed.find(TITLE).unwrap()..];
    let enclosure = &item[item.find("<enclosure url=\"").unwrap() + 16..];
    let url = &enclosure[..enclosure.find('"').unwrap()];
    let length: usize = {
        let l = &enclosure[enclosure.find("length=\"").unwrap() + 8..];
        l[..l.find('"').unwrap()].parse().unwrap()
    };
    let path = &url[url.find("/media/").unwrap()..];
    let (status, media) = server.get(path);
    assert_eq!((status, media.len()), (200, length), "{path}: the enclosure whole");
    true
}

#[test]
fn killed_at_each_point_of_a_browser_publish() {
    let audio = std::fs::read(fixtures().join("audio/cbr.mp3")).unwrap();
    // (point, the draft is kept, the episode is published)
    let points = [
        ("draft:intent", false, false),
        ("draft:audio", false, false),
        ("draft:transcript", false, false),
        ("draft:md", false, false),
        ("draft:checked", false, false),
        ("publish:staged", true, false),
        ("publish:ledger", true, true),
        ("publish:installed", true, true),
    ];
    for (point, kept, published) in points {
        let p = Project::fixture("show");
        let token = editor(&p);
        p.ok(&["build"]);
        let ledger = p.read("feed/archive.toml");
        let mut server = Server::start(&p, &[("VEILLEE_TEST_CRASH_AT", point)], &[]);
        let (cookie, csrf) = server.login(&token);
        let uploaded = server.upload(&cookie, &csrf, &audio);
        if point.starts_with("publish:") {
            assert_eq!(uploaded, Some(303), "{point}: the draft is made before the publish");
            assert_eq!(server.publish(&cookie, &csrf), None, "{point}: no answer from a killed server");
        } else {
            assert_eq!(uploaded, None, "{point}: no answer from a killed server");
        }
        assert_eq!(server.ended().signal(), Some(9), "{point}: killed by SIGKILL");
        drop(server);

        let server = Server::start(&p, &[], &[]);
        p.ok(&["check"]);
        let files = sources(&p);
        assert!(files.is_empty() || files == ["md", "mp3", "vtt"], "{point}: the draft whole or not at all: {files:?}");
        assert_eq!(!files.is_empty(), kept, "{point}: draft kept");
        assert!(
            std::fs::read_dir(p.file(".veillee/uploads")).map_or(true, |mut d| d.next().is_none()),
            "{point}: uploads left"
        );
        assert_eq!(served_whole(&server), published, "{point}: published");
        assert_eq!(p.read("feed/archive.toml") != ledger, published, "{point}: the ledger");
    }
}

/// `prlimit --fsize` with SIGXFSZ ignored: writes past the limit fail with EFBIG, as on a full
/// disk. An upload larger than the limit is refused with nothing left; a publish whose tagged
/// copy does not fit fails, and the ledger and the site stay as they were.
#[test]
fn a_full_disk_fails_cleanly() {
    let p = Project::fixture("show");
    let token = editor(&p);
    p.ok(&["build"]);
    let ledger = p.read("feed/archive.toml");
    let audio = std::fs::read(fixtures().join("audio/cbr.mp3")).unwrap();
    // Room for the upload, not for the published copy with its tag and cover.
    let limit = audio.len() + 2_000;
    let fsize = format!("--fsize={limit}");
    let wrapper = ["bash", "-c", "trap '' XFSZ; exec prlimit \"$@\"", "prlimit", fsize.as_str(), "--"];
    let server = Server::start(&p, &[], &wrapper);
    let (cookie, csrf) = server.login(&token);

    let big = [audio.clone(), vec![0u8; limit]].concat();
    assert_eq!(server.upload(&cookie, &csrf, &big), Some(507), "the staging file cannot grow");
    assert!(sources(&p).is_empty());
    assert!(std::fs::read_dir(p.file(".veillee/uploads")).map_or(true, |mut d| d.next().is_none()));

    assert_eq!(server.upload(&cookie, &csrf, &audio), Some(303));
    assert_eq!(sources(&p), ["md", "mp3", "vtt"]);
    assert_eq!(server.publish(&cookie, &csrf), Some(507), "the tagged copy does not fit");
    assert_eq!(p.read("feed/archive.toml"), ledger, "nothing recorded");
    assert!(!served_whole(&server), "the site as it was");
    assert_eq!(server.get("/feed.xml").0, 200, "the server still serves");
    drop(server);
    p.ok(&["check"]);
}

/// Killed while replacing a published episode's audio (its .md names the file, so the .md is
/// edited too): after a restart, `check` passes and the episode is served whole, with the old
/// audio and ledger, or with the new audio recorded as a new version.
#[test]
fn killed_while_replacing_audio() {
    const SLUG: &str = "enquete-de-besoins-a-leaz";
    let new_audio = std::fs::read(fixtures().join("audio/vbr.mp3")).unwrap();
    for (point, recorded) in
        [("audio:renamed", false), ("publish:staged", false), ("publish:ledger", true), ("publish:installed", true)]
    {
        let p = Project::fixture("show");
        let token = editor(&p);
        p.ok(&["build"]);
        let ledger = p.read("feed/archive.toml");
        let md = p.read("episodes/enquete-de-besoins-a-leaz.md");
        let old_audio = std::fs::read(p.file("episodes/Léaz — porte à porte 🎙.mp3")).unwrap();
        let mut server = Server::start(&p, &[("VEILLEE_TEST_CRASH_AT", point)], &[]);
        let (cookie, csrf) = server.login(&token);
        assert_eq!(server.replace(&cookie, &csrf, SLUG, &new_audio), None, "{point}: no answer from a killed server");
        assert_eq!(server.ended().signal(), Some(9), "{point}: killed by SIGKILL");
        drop(server);

        let server = Server::start(&p, &[], &[]);
        p.ok(&["check"]);
        let new_file = p.file(&format!("episodes/{SLUG}.mp3"));
        if recorded {
            assert!(p.read("feed/archive.toml").contains("reason = \"Un meilleur montage\""), "{point}");
            assert_eq!(std::fs::read(&new_file).unwrap(), new_audio, "{point}: the new audio");
        } else {
            assert_eq!(p.read("feed/archive.toml"), ledger, "{point}: the ledger as it was");
            assert_eq!(p.read("episodes/enquete-de-besoins-a-leaz.md"), md, "{point}: the .md as it was");
            assert_eq!(std::fs::read(p.file("episodes/Léaz — porte à porte 🎙.mp3")).unwrap(), old_audio, "{point}");
            assert!(!new_file.exists(), "{point}: no new file left");
        }
        let (status, feed) = server.get("/feed.xml");
        assert_eq!(status, 200);
        let feed = String::from_utf8(feed).unwrap();
        let at = feed.find(&format!("/media/{SLUG}")).or_else(|| feed.find("/media/")).unwrap();
        let url = &feed[at..];
        let path = &url[..url.find('"').unwrap()];
        assert_eq!(server.get(path).0, 200, "{point}: {path} served");
        assert!(
            std::fs::read_dir(p.file(".veillee/uploads")).map_or(true, |mut d| d.next().is_none()),
            "{point}: uploads left"
        );
    }
}
