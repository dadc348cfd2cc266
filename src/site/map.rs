//! The map of `/territoires/`: metropolitan France's outline (`theme/france.json`, made once by
//! `tests/e2e/make_france_map.mjs` from Natural Earth, whose source and licence it names) and
//! each territory's point, projected here with the numbers the outline was projected with. No
//! tile server: the page asks nothing of anyone.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The outline and its projection: x = (lon − west) × cos_lat × scale, y = (north − lat) × scale.
#[derive(Deserialize)]
struct Outline {
    west: f64,
    north: f64,
    scale: f64,
    cos_lat: f64,
    width: f64,
    height: f64,
    path: String,
}

static OUTLINE: LazyLock<Outline> =
    LazyLock::new(|| serde_json::from_str(include_str!("theme/france.json")).expect("theme/france.json is ours"));

/// What the template draws.
#[derive(Debug, Serialize)]
pub(super) struct MapCtx {
    width: f64,
    height: f64,
    path: &'static str,
    points: Vec<MapPoint>,
}

#[derive(Debug, Serialize)]
struct MapPoint {
    /// The territory's number in the list under the map, from 1.
    number: usize,
    x: f64,
    y: f64,
    name: String,
    url: String,
}

impl MapCtx {
    /// The map of `places` (name, address, latitude, longitude), numbered in their order; a
    /// place outside metropolitan France (overseas) keeps its number but has no point. `None`
    /// when no place is on the map.
    pub(super) fn new<'a>(places: impl IntoIterator<Item = (&'a str, String, f64, f64)>) -> Option<Self> {
        let o = &*OUTLINE;
        let points: Vec<MapPoint> = places
            .into_iter()
            .enumerate()
            .filter_map(|(i, (name, url, lat, lon))| {
                let (x, y) = ((lon - o.west) * o.cos_lat * o.scale, (o.north - lat) * o.scale);
                let inside = (0.0..=o.width).contains(&x) && (0.0..=o.height).contains(&y);
                inside.then(|| MapPoint { number: i + 1, x: round(x), y: round(y), name: name.to_owned(), url })
            })
            .collect();
        (!points.is_empty()).then(|| MapCtx { width: o.width, height: o.height, path: &o.path, points })
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_projected_inside_the_outline_frame() {
        let map = MapCtx::new([
            ("Léaz", "/territoires/leaz/".to_owned(), 46.0967, 5.8878),
            ("Lunas", "/territoires/lunas/".to_owned(), 43.7050, 3.1936),
            ("Cayenne", "/territoires/cayenne/".to_owned(), 4.9372, -52.3260),
        ])
        .unwrap();
        assert_eq!(map.points.len(), 2, "overseas places have no point");
        let leaz = &map.points[0];
        // Léaz is east of Lunas and north of it: right of it and above it on the map.
        assert!(leaz.x > map.points[1].x && leaz.y < map.points[1].y);
        assert_eq!((leaz.x, leaz.y), (round((5.8878 + 5.5) * OUTLINE.cos_lat * 50.0), round((51.3 - 46.0967) * 50.0)));
        assert!(map.path.starts_with('M') && map.path.matches('M').count() >= 2, "the mainland and Corsica");
        assert!(MapCtx::new([("Cayenne", String::new(), 4.9, -52.3)]).is_none());
    }
}
