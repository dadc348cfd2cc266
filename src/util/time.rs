//! Time codes: milliseconds inside the program, `MM:SS` or `H:MM:SS` for people, decimal seconds
//! in the Podcasting 2.0 formats.

/// Parses `SS`, `MM:SS`, `H:MM:SS`, with optional `.mmm` milliseconds, into milliseconds.
pub(crate) fn parse_timecode(text: &str) -> Option<u64> {
    let text = text.trim();
    let (clock, millis) = match text.split_once('.') {
        Some((clock, frac)) => {
            if frac.is_empty() || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let scale = 10u64.pow(3 - frac.len() as u32);
            (clock, frac.parse::<u64>().ok()? * scale)
        }
        None => (text, 0),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let nums: Vec<u64> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    // Below the leading field, minutes and seconds are two digits under 60.
    for (p, n) in parts.iter().zip(&nums).skip(1) {
        if p.len() != 2 || *n >= 60 {
            return None;
        }
    }
    let seconds = nums.iter().try_fold(0u64, |acc, n| acc.checked_mul(60)?.checked_add(*n))?;
    seconds.checked_mul(1000)?.checked_add(millis)
}

/// Seconds as the Podcasting 2.0 formats want them: a decimal with no trailing zeros.
pub fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}", ms / 1000)
    } else {
        format!("{}.{:03}", ms / 1000, ms % 1000).trim_end_matches('0').to_owned()
    }
}

/// `H:MM:SS` or `MM:SS` for people.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timecodes() {
        assert_eq!(parse_timecode("00:00"), Some(0));
        assert_eq!(parse_timecode("01:10"), Some(70_000));
        assert_eq!(parse_timecode("1:03:40"), Some(3_820_000));
        assert_eq!(parse_timecode("75"), Some(75_000));
        assert_eq!(parse_timecode("1:10.5"), Some(70_500));
        assert_eq!(parse_timecode("1:75"), None);
        assert_eq!(parse_timecode("1:5"), None);
        assert_eq!(parse_timecode("a:00"), None);
        assert_eq!(parse_timecode(""), None);
        assert_eq!(parse_timecode("1:00:00:00"), None);
        assert_eq!(parse_timecode("99999999999999999:00:00"), None, "no overflow");
    }

    #[test]
    fn seconds_are_short_decimals() {
        assert_eq!(seconds(70_000), "70");
        assert_eq!(seconds(70_500), "70.5");
        assert_eq!(seconds(1), "0.001");
        assert_eq!(clock(3_820_000), "1:03:40");
        assert_eq!(clock(70_000), "01:10");
    }
}
