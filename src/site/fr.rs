//! French formatting for the pages: dates, durations, sizes, numbers, the roles of people.

use crate::catalog::Episode;

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `12 juin 2024`, in the offset the date was written with.
pub(super) fn date_fr(e: &Episode) -> String {
    let local = e.offset.to_datetime(e.pub_date());
    let day = if local.day() == 1 { "1er".to_owned() } else { local.day().to_string() };
    format!("{day} {} {}", MONTHS[(local.month() - 1) as usize], local.year())
}

/// `45 s`, `1 min 04 s`, `12 min`, `1 h 03`: seconds matter only for short episodes.
pub(super) fn duration_fr(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..600 => format!("{} min {:02} s", s / 60, s % 60),
        600..3600 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {:02}", s / 3600, s / 60 % 60),
    }
}

/// `8 ko`, `12,4 Mo`.
pub(super) fn size_fr(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} ko", bytes.div_ceil(1000))
    } else {
        format!("{:.1} Mo", bytes as f64 / 1_000_000.0).replace('.', ",")
    }
}

/// `796`, `6 197` (a narrow no-break space, as French typography writes thousands).
pub(super) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The taxonomy's roles people meet most, in French.
pub(super) fn role_fr(role: &str) -> &str {
    match role.to_ascii_lowercase().as_str() {
        "host" => "animation",
        "co-host" => "co-animation",
        "guest" => "invité·e",
        "guest host" => "animation invitée",
        "producer" => "production",
        "reporter" => "reportage",
        "narrator" => "narration",
        "editor" | "audio editor" => "montage",
        "sound designer" => "création sonore",
        "composer" | "theme music" => "musique",
        "transcriber" => "transcription",
        "translator" => "traduction",
        "researcher" => "recherche",
        _ => role,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_formats() {
        assert_eq!(duration_fr(45_000), "45 s");
        assert_eq!(duration_fr(63_969), "1 min 04 s");
        assert_eq!(duration_fr(12 * 60_000), "12 min");
        assert_eq!(duration_fr(3_820_000), "1 h 03");
        assert_eq!(group_thousands(46712), "46\u{202f}712");
        assert_eq!(group_thousands(796), "796");
        assert_eq!(size_fr(8377), "9 ko");
        assert_eq!(size_fr(12_400_000), "12,4 Mo");
    }
}
