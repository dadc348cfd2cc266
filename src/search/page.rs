//! `/recherche/`: the results as a plain HTML page that works without JavaScript (a form, the
//! episodes with their moments as deep links, facets as links that narrow the search).

use super::{FacetCount, Query, SearchResults};
use crate::markdown::html_escape;

/// The address of the search page for `query`.
fn href(query: &Query) -> String {
    let query = Query { limit: None, ..query.clone() };
    format!("/recherche/?{}", serde_urlencoded::to_string(&query).unwrap_or_default())
}

/// The page for `results` (or the empty form when nothing was asked).
pub fn results_page(results: &SearchResults) -> String {
    let query = &results.query;
    let q = html_escape(&query.q);
    let title = if query.q.is_empty() { "Rechercher".to_owned() } else { format!("Recherche : {q}") };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n<meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n<main>\n<p><a href=\"/\">Accueil</a></p>\n<h1>Rechercher dans les épisodes</h1>\n<form action=\"/recherche/\" method=\"get\" role=\"search\">\n<label for=\"q\">Mots cherchés</label>\n<input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\">\n"
    );
    let filters = [
        ("partner", "Partenaire", query.partner.clone()),
        ("method", "Méthode", query.method.clone()),
        ("territory", "Territoire", query.territory.clone()),
        ("year", "Année", query.year.map(|y| y.to_string())),
        ("speaker", "Voix", query.speaker.clone()),
    ];
    for (name, _, value) in &filters {
        if let Some(v) = value {
            out.push_str(&format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n", html_escape(v)));
        }
    }
    out.push_str("<button type=\"submit\">Chercher</button>\n</form>\n<p class=\"aide\">Tous les mots sont cherchés, avec ou sans accents ; \"entre guillemets\" pour une expression exacte, -mot pour écarter un mot.</p>\n");
    let active: Vec<String> = filters
        .iter()
        .filter_map(|(name, label, value)| {
            let v = value.as_ref()?;
            let mut without = query.clone();
            match *name {
                "partner" => without.partner = None,
                "method" => without.method = None,
                "territory" => without.territory = None,
                "year" => without.year = None,
                _ => without.speaker = None,
            }
            let shown = label_of(results, name, v);
            Some(format!(
                "<li>{label} : {} <a href=\"{}\" aria-label=\"retirer ce filtre\">✕</a></li>",
                html_escape(&shown),
                html_escape(&href(&without))
            ))
        })
        .collect();
    if !active.is_empty() {
        out.push_str(&format!("<ul class=\"filtres\">\n{}\n</ul>\n", active.join("\n")));
    }
    if query.q.trim().is_empty() && active.is_empty() {
        out.push_str("</main>\n</body>\n</html>\n");
        return out;
    }
    out.push_str(&match results.total {
        0 => "<p>Aucun épisode trouvé.</p>\n".to_owned(),
        1 => "<p>1 épisode trouvé.</p>\n".to_owned(),
        n => format!("<p>{n} épisodes trouvés.</p>\n"),
    });
    if results.total > 0 {
        out.push_str("<nav class=\"facettes\" aria-label=\"Affiner\">\n");
        let f = &results.facets;
        for (name, heading, counts) in [
            ("method", "Méthodes", &f.method),
            ("partner", "Partenaires", &f.partner),
            ("territory", "Territoires", &f.territory),
            ("year", "Années", &f.year),
        ] {
            facet_list(&mut out, query, name, heading, counts);
        }
        out.push_str("</nav>\n<ol class=\"resultats\">\n");
        for hit in &results.episodes {
            out.push_str(&format!(
                "<li>\n<h2><a href=\"{}\">{}</a></h2>\n<p><time datetime=\"{}\">{}</time></p>\n",
                html_escape(&hit.link),
                html_escape(&hit.title),
                html_escape(&hit.date),
                html_escape(&hit.date)
            ));
            if hit.moments.is_empty()
                && let Some(notes) = &hit.notes
            {
                out.push_str(&format!("<p>{notes}</p>\n"));
            }
            if !hit.moments.is_empty() {
                out.push_str("<ul class=\"moments\">\n");
                for m in &hit.moments {
                    let clock = crate::catalog::clock((m.start * 1000.0) as u64);
                    let speaker =
                        m.speaker.as_deref().map(|s| format!(" <b>{}</b> :", html_escape(s))).unwrap_or_default();
                    // The snippet is HTML made by the index: escaped text and <mark>.
                    out.push_str(&format!(
                        "<li><a href=\"{}\">▶ {clock}</a>{speaker} {}</li>\n",
                        html_escape(&m.link),
                        m.snippet
                    ));
                }
                out.push_str("</ul>\n");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn facet_list(out: &mut String, query: &Query, name: &str, heading: &str, counts: &[FacetCount]) {
    if counts.is_empty() {
        return;
    }
    out.push_str(&format!("<h2>{heading}</h2>\n<ul>\n"));
    for c in counts {
        let mut narrower = query.clone();
        match name {
            "method" => narrower.method = Some(c.value.clone()),
            "partner" => narrower.partner = Some(c.value.clone()),
            "territory" => narrower.territory = Some(c.value.clone()),
            _ => narrower.year = c.value.parse().ok(),
        }
        out.push_str(&format!(
            "<li><a href=\"{}\">{}</a> ({})</li>\n",
            html_escape(&href(&narrower)),
            html_escape(&c.label),
            c.count
        ));
    }
    out.push_str("</ul>\n");
}

/// The name of a filter's value, from the facets when they have it.
fn label_of(results: &SearchResults, name: &str, value: &str) -> String {
    let f = &results.facets;
    let list = match name {
        "method" => &f.method,
        "partner" => &f.partner,
        "territory" => &f.territory,
        _ => return value.to_owned(),
    };
    list.iter().find(|c| c.value == value).map_or_else(|| value.to_owned(), |c| c.label.clone())
}
