//! Speaker labels written in the text: whisperX's `[SPEAKER_00]: `, subtitle editors' `Name: `.

use super::Cue;

/// Splits a leading speaker label off a cue's text: `[LABEL]:` (or `[LABEL]` then a space), or
/// a name of one to three capitalized words followed at once by `:` and a space. French prose
/// puts a space before a colon (`Exemple : …`), so that form is left as text.
pub(super) fn split_label(text: &str) -> (Option<String>, &str) {
    if let Some(rest) = text.strip_prefix('[')
        && let Some((label, after)) = rest.split_once(']')
        && !label.is_empty()
        && label.chars().count() <= MAX_LABEL
        && !label.contains('[')
        && (after.starts_with(':') || after.starts_with(char::is_whitespace))
    {
        let after = after.strip_prefix(':').unwrap_or(after);
        if !after.trim().is_empty() {
            return (Some(label.trim().to_owned()), after.trim_start());
        }
    }
    // A label needs words after it: `Un:` alone is text.
    if let Some((name, rest)) = text.split_once(':')
        && rest.starts_with(char::is_whitespace)
        && !rest.trim().is_empty()
        && is_name(name)
    {
        return (Some(name.to_owned()), rest.trim_start());
    }
    (None, text)
}

/// The longest speaker label kept.
const MAX_LABEL: usize = 64;

/// A label as the model keeps it: one line of words, no tags, brackets or angle brackets, no
/// arrow nor trailing dash, at most [`MAX_LABEL`] characters, so that every format can write
/// it and read it back.
pub(super) fn clean_label(label: &str) -> Option<String> {
    let label = super::vtt::strip_cue_tags(label);
    let words: Vec<&str> = label
        .split(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '[' | ']' | '<' | '>'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = words.join(" ");
    while out.contains("-->") {
        out = out.replace("-->", "->");
    }
    if out.chars().count() > MAX_LABEL {
        out = out.chars().take(MAX_LABEL).collect();
    }
    // `<v name-->` would read as a time line.
    out.truncate(out.trim_end_matches(|c: char| c == '-' || c.is_whitespace()).len());
    Some(out).filter(|l| !l.is_empty())
}

/// How SRT names a speaker at the start of a card: `Name: `, or `[label]: ` for a label that
/// does not look like a name (which `Name: ` would not read back).
pub(super) fn srt_prefix(label: &str) -> String {
    match clean_label(label) {
        Some(label) if is_name(&label) => format!("{label}: "),
        Some(label) => format!("[{label}]: "),
        None => String::new(),
    }
}

fn is_name(s: &str) -> bool {
    let words: Vec<&str> = s.split(' ').collect();
    !s.is_empty()
        && s.len() <= 32
        && words.len() <= 3
        && words.iter().all(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(char::is_uppercase)
                && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '.' | '_'))
        })
}

/// A cue with no label continues the previous speaker's turn (SRT and HTML transcripts name
/// the speaker only when it changes).
pub(super) fn carry_forward(cues: &mut [Cue]) {
    let mut current: Option<String> = None;
    for cue in cues {
        match &cue.voice {
            Some(v) => current = Some(v.clone()),
            None => cue.voice.clone_from(&current),
        }
    }
}

/// `SPEAKER_00`, `Speaker1`, `spk_2`: labels a diarizer made, which nobody should hear read out.
pub(super) fn is_machine_label(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    stem.len() < lower.len() && matches!(stem.trim_end_matches(['_', ' ', '-']), "speaker" | "spk" | "locuteur")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(split_label("[SPEAKER_00]: Bonjour"), (Some("SPEAKER_00".into()), "Bonjour"));
        assert_eq!(split_label("Travis: When you"), (Some("Travis".into()), "When you"));
        assert_eq!(split_label("Marie-Hélène Dupont: oui"), (Some("Marie-Hélène Dupont".into()), "oui"));
        assert_eq!(split_label("Exemple : la carte"), (None, "Exemple : la carte"));
        assert_eq!(split_label("il dit: oui"), (None, "il dit: oui"));
        assert_eq!(split_label("Il était une fois: oui"), (None, "Il était une fois: oui"));
        assert_eq!(split_label("12:30 rendez-vous"), (None, "12:30 rendez-vous"));
        assert!(is_machine_label("SPEAKER_00") && is_machine_label("Speaker1") && !is_machine_label("Camille"));
    }
}
