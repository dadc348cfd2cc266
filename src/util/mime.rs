//! The media types Veillée publishes, in one table: the feed declares what the server sends
//! (ARCHITECTURE.md, URLs).

/// Path endings and their types, most specific first (`.chapters.json` before `.json`).
const TYPES: &[(&str, &str)] = &[
    (".chapters.json", "application/json+chapters"),
    ("/feed.xml", "application/rss+xml; charset=utf-8"),
    (".vtt", "text/vtt; charset=utf-8"),
    (".srt", "application/x-subrip"),
    (".json", "application/json"),
    (".html", "text/html; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".js", "text/javascript; charset=utf-8"),
    (".xml", "application/xml"),
    (".txt", "text/plain; charset=utf-8"),
    (".mp3", "audio/mpeg"),
    (".m4a", "audio/x-m4a"),
    (".ogg", "audio/ogg"),
    (".opus", "audio/opus"),
    (".flac", "audio/flac"),
    (".wav", "audio/wav"),
    (".jpg", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".png", "image/png"),
];

/// The type the server sends for a URL path (with its charset for text).
pub(crate) fn of_path(path: &str) -> Option<&'static str> {
    // The pages of a paged main feed: `/feed/2.xml`…
    if path.starts_with("/feed/") && path.ends_with(".xml") {
        return Some("application/rss+xml; charset=utf-8");
    }
    TYPES.iter().find(|(end, _)| path.ends_with(end)).map(|(_, mime)| *mime)
}

/// How long a copy of a path may be kept (`Cache-Control`), the same from `serve` and in object
/// storage. Media and images keep their names, but a text correction re-tags a media file under
/// the same name: long lifetimes, revalidated by ETag, never `immutable`. Feeds and pages change
/// with every publication: short ones.
pub(crate) fn cache_control(path: &str) -> &'static str {
    if path.starts_with("/media/") || path.starts_with("/images/") {
        "public, max-age=86400"
    } else if path.starts_with("/transcripts/") || path.starts_with("/chapters/") {
        "public, max-age=3600"
    } else {
        "public, max-age=300"
    }
}

/// The type of a file extension as the feed declares it: without parameters.
pub(crate) fn of_extension(ext: &str) -> Option<&'static str> {
    let ending = format!(".{ext}");
    of_path(&ending).map(|mime| mime.split(';').next().unwrap_or(mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_and_the_server_agree() {
        assert_eq!(of_extension("vtt"), Some("text/vtt"));
        assert_eq!(of_path("/transcripts/a.vtt"), Some("text/vtt; charset=utf-8"));
        assert_eq!(of_extension("m4a"), Some("audio/x-m4a"));
        assert_eq!(of_path("/chapters/a.chapters.json"), Some("application/json+chapters"));
        assert_eq!(of_path("/transcripts/a.json"), Some("application/json"));
        assert_eq!(of_path("/methodes/x/feed.xml"), Some("application/rss+xml; charset=utf-8"));
        assert_eq!(of_path("/feed/2.xml"), Some("application/rss+xml; charset=utf-8"));
        assert_eq!(of_path("/episodes/x/"), Some("text/html; charset=utf-8"));
        assert_eq!(of_extension("exe"), None);
    }
}
