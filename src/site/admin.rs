//! The pages of `/admin/`, in French: login, the episodes by state, the form of an episode, its
//! preview. Built into the program (not overridable by `site/templates/`: a show's theme must not
//! be able to change what its staff's forms send).

use minijinja::Environment;
use minijinja::value::{Serde, Value};

use super::TemplateError;

const PAGES: [(&str, &str); 6] = [
    ("admin/base.html", include_str!("theme/admin/base.html")),
    ("admin/login.html", include_str!("theme/admin/login.html")),
    ("admin/list.html", include_str!("theme/admin/list.html")),
    ("admin/form.html", include_str!("theme/admin/form.html")),
    ("admin/episode.html", include_str!("theme/admin/episode.html")),
    ("admin/mastering.html", include_str!("theme/admin/mastering.html")),
];

/// The admin's stylesheet, served at `/admin/admin.css` (a file: the CSP forbids inline style).
pub(crate) const ADMIN_CSS: &str = include_str!("theme/admin/admin.css");

static ENV: std::sync::LazyLock<Result<Environment<'static>, TemplateError>> = std::sync::LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in PAGES {
        env.add_template(name, source).map_err(TemplateError::from)?;
    }
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.set_formatter(super::escape_formatter);
    env.add_filter("nombre", number_fr);
    Ok(env)
});

/// Renders `admin/<page>.html` with `context` (JSON-like).
pub(crate) fn admin_page(page: &str, context: &serde_json::Value) -> Result<String, TemplateError> {
    let env = ENV.as_ref().map_err(Clone::clone)?;
    Ok(env.get_template(&format!("admin/{page}.html"))?.render(Value::from(Serde(context)))?)
}

/// `12 juin 2024` for an RFC 3339 time, in Paris.
pub(crate) fn date_fr(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) => {
            let tz = jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC);
            let d = t.to_zoned_datetime(tz).date();
            super::fr::iso_date_fr(&d.to_string())
        }
        Err(_) => rfc3339.to_owned(),
    }
}

/// `1 h 03` for seconds.
pub(crate) fn duration_fr(seconds: f64) -> String {
    super::fr::duration_fr((seconds.max(0.0) * 1000.0) as u64)
}

/// `12,4 Mo` for bytes.
pub(crate) fn size_fr(bytes: u64) -> String {
    super::fr::size_fr(bytes)
}

/// `-16.5` as `−16,5`: a measure as French writes it.
fn number_fr(value: f64) -> String {
    let text = format!("{}", (value * 100.0).round() / 100.0).replace('.', ",");
    match text.strip_prefix('-') {
        Some(rest) => format!("\u{2212}{rest}"),
        None => text,
    }
}
