//! Slugs: the lowercase ASCII names of episodes and pages, used in file names and URLs.

/// `[a-z0-9-]+`, no leading, trailing or doubled dash.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// A slug made from a French title: `Frapper aux portes : l'enquête` → `frapper-aux-portes-l-enquete`.
pub(crate) fn slugify(title: &str) -> String {
    let slug = slug::slugify(title);
    if slug.is_empty() { "sans-titre".to_owned() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_titles() {
        assert_eq!(
            slugify("Frapper aux portes : l'enquête de besoins à Léaz"),
            "frapper-aux-portes-l-enquete-de-besoins-a-leaz"
        );
        assert_eq!(slugify("Cœur & âme — Œuvre"), "coeur-ame-oeuvre");
        assert_eq!(slugify("?!…"), "sans-titre");
        assert_eq!(slugify("Léaz 🎙"), "leaz-microphone");
        assert!(is_slug(&slugify("Migné-Auxances, été 2023")));
        assert!(!is_slug("Leaz"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
    }
}
