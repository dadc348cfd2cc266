//! The query language people type: every word is required, `"a phrase"` (or « une expression »)
//! is exact, `-word` and `-"a phrase"` exclude. Nothing else is syntax: a stray quote, a colon or
//! a lone dash is read as text, never as an error.

use tantivy::tokenizer::TextAnalyzer;

/// A word or a phrase of the query, as the index's analyzer makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unit {
    /// The stems, each with its position in the phrase (stop words leave gaps).
    pub terms: Vec<(usize, String)>,
    /// `-word`: a passage that would match it is left out.
    pub exclude: bool,
}

/// The words and phrases of `text`, analyzed; those that analyze to nothing (stop words) go.
pub(super) fn parse(text: &str, analyzer: &mut TextAnalyzer) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (exclude, after_sign) = match rest.strip_prefix('-') {
            Some(after) if after.starts_with(|c: char| !c.is_whitespace() && c != '-') => (true, after),
            _ => (false, rest.strip_prefix('+').unwrap_or(rest)),
        };
        let (raw, tail) = match after_sign.chars().next().and_then(closing_quote) {
            Some(close) => {
                let open_len = after_sign.chars().next().map_or(1, char::len_utf8);
                let inner = &after_sign[open_len..];
                match inner.find(close) {
                    Some(end) => (&inner[..end], &inner[end + close.len_utf8()..]),
                    // An unclosed quote runs to the end: a typing accident, not an error.
                    None => (inner, ""),
                }
            }
            None => {
                let end = after_sign.find(char::is_whitespace).unwrap_or(after_sign.len());
                (&after_sign[..end], &after_sign[end..])
            }
        };
        let terms = analyze(analyzer, raw);
        if !terms.is_empty() {
            units.push(Unit { terms, exclude });
        }
        rest = tail.trim_start();
    }
    units
}

/// The quote that closes `open`, if `open` opens a phrase.
fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '«' => Some('»'),
        '“' => Some('”'),
        _ => None,
    }
}

fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.position, token.text.clone()));
    }
    // Positions relative to the first word: a phrase is matched by offsets.
    if let Some(first) = out.first().map(|(p, _)| *p) {
        for (p, _) in &mut out {
            *p -= first;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(q: &str) -> Vec<(bool, Vec<&'static str>)> {
        parse(q, &mut crate::search::french_analyzer())
            .into_iter()
            .map(|u| (u.exclude, u.terms.into_iter().map(|(_, t)| &*t.leak()).collect()))
            .collect()
    }

    #[test]
    fn words_phrases_and_exclusions() {
        assert_eq!(stems("porte -ferney"), [(false, vec!["port"]), (true, vec!["ferney"])]);
        assert_eq!(
            stems("\"carte sensible\" -\"forum ouvert\""),
            [(false, vec!["cart", "sensibl"]), (true, vec!["forum", "ouvert"])]
        );
        assert_eq!(stems("« château d'eau »"), [(false, vec!["chateau", "eau"])]);
        assert_eq!(
            stems("porte-à-porte - le -- +budget \"non fermé"),
            [(false, vec!["port", "port"]), (false, vec!["budget"]), (false, vec!["non", "ferm"])]
        );
        let unit = &parse("château d'eau", &mut crate::search::french_analyzer())[1];
        assert_eq!(unit.terms, [(0, "eau".to_owned())], "elided article dropped, position from the first word");
    }
}
