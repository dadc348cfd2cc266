// Makes src/site/theme/france.json, the outline of metropolitan France that the /territoires/ page
// draws (no tile server, no request to anyone): run once, its output committed; `cargo test` and
// builds never need these packages.
//
//   (cd tests/e2e && npm ci && node make_france_map.mjs > ../../src/site/theme/france.json)
//
// Data: npm world-atlas 2.0.2 (ISC; Natural Earth 4.1.0 Admin 0 countries at 1:50m, public
// domain), read with topojson-client 3.1.0 (ISC). France's polygons whose first point lies in
// metropolitan France (Corsica included) are kept, projected with an equirectangular projection
// scaled by cos(46.5°) (the site projects the territories' points with the same numbers:
// src/site/map.rs), rounded to a tenth of a unit, and thinned (a point closer than 0.6 unit to
// the last one kept is dropped).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const world = JSON.parse(readFileSync(require.resolve("world-atlas/countries-50m.json"), "utf8"));
const france = feature(world, world.objects.countries).features.find((f) => f.id === "250");
if (!france) throw new Error("no France (id 250) in world-atlas/countries-50m.json");

// The frame: metropolitan France and Corsica with a margin.
const WEST = -5.5;
const EAST = 10;
const SOUTH = 41.2;
const NORTH = 51.3;
const SCALE = 50; // units per degree of latitude
const K = Math.cos((46.5 * Math.PI) / 180);
const project = ([lon, lat]) => [(lon - WEST) * K * SCALE, (NORTH - lat) * SCALE];
const inFrame = ([lon, lat]) => lon >= WEST && lon <= EAST && lat >= SOUTH && lat <= NORTH;

const round = (v) => Math.round(v * 10) / 10;
const rings = [];
for (const polygon of france.geometry.coordinates) {
  const outer = polygon[0];
  if (!inFrame(outer[0])) continue;
  let last = null;
  const points = [];
  for (const p of outer.map(project)) {
    if (last && Math.hypot(p[0] - last[0], p[1] - last[1]) < 0.6) continue;
    points.push(p.map(round));
    last = p;
  }
  if (points.length >= 4) rings.push("M" + points.map(([x, y]) => `${x} ${y}`).join("L") + "Z");
}
const out = {
  source: "npm world-atlas 2.0.2 (ISC), Natural Earth 4.1.0 Admin 0 countries 1:50m (public domain), via topojson-client 3.1.0 (ISC); made by tests/e2e/make_france_map.mjs",
  west: WEST,
  north: NORTH,
  scale: SCALE,
  cos_lat: Number(K.toFixed(6)),
  width: round((EAST - WEST) * K * SCALE),
  height: round((NORTH - SOUTH) * SCALE),
  path: rings.join(""),
};
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
