// End-to-end checks of the WebVTT transcripts Veillée publishes, with npm's node-webvtt (ESM).
//
//   node check_transcripts.mjs --model TRANSCRIPTS.json
//
// TRANSCRIPTS.json is written by check_transcripts.py --write-model: for every transcript of the
// built sites, the paths of its <slug>.vtt and <slug>.json and the cues the Python `srt` package read
// from its <slug>.srt (null if srt rejected it).
//
// - [webvtt] node-webvtt `parse(text, { strict: true })` accepts <slug>.vtt (it throws on the first
//   error: no WEBVTT signature, a bad timestamp, end <= start, a bad cue setting, an identifier without
//   timing…); its cue count, first and last cue and every cue's times (to the millisecond) = those of
//   <slug>.json and of <slug>.srt as `srt` read it; each cue's voice `<v Name>` = the JSON segment's
//   speaker (and no voice where the segment has none); each cue's text (tags dropped, entities
//   decoded) = the segment's body.
//
// One line per check (`ok   [webvtt] name` or `FAIL [webvtt] name: why`), then `webvtt: N passed, M failed`.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import webvtt from 'node-webvtt';
import { assert, check, fail, finish, show } from './checks.mjs';

const require = createRequire(import.meta.url);

// ------------------------------------------------------------------ reporting (check, assert: checks.mjs)

function eq(group, name, actual, expected) {
  check(group, name, () => {
    const got = typeof actual === 'function' ? actual() : actual;
    const want = typeof expected === 'function' ? expected() : expected;
    assert(isDeepStrictEqual(got, want), `expected ${show(want)}, got ${show(got)}`);
  });
}

// ------------------------------------------------------------------ WebVTT cue text

const ENTITIES = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" };
const decode = (s) =>
  s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
const squash = (s) => s.split(/\s+/).filter(Boolean).join(' ');
// The voice of a cue: its text starts with <v[.class…] annotation> (WebVTT section 4.2.2).
const voiceOf = (text) => {
  const m = /^<v(?:\.[^\s>.]+)*[ \t\f]+([^>]*)>/.exec(text);
  return m ? decode(m[1]).trim() : null;
};
const plain = (text) => squash(decode(text.replace(/<[^>]*>/g, '')));
const ms = (seconds) => Math.round(seconds * 1000);

// ------------------------------------------------------------------ the checks

const { values: args } = parseArgs({ options: { model: { type: 'string' } } });
if (!args.model) {
  console.error('usage: node check_transcripts.mjs --model TRANSCRIPTS.json');
  process.exit(2);
}
const model = JSON.parse(readFileSync(args.model, 'utf8'));
const g = 'webvtt';
const version = JSON.parse(readFileSync(require.resolve('node-webvtt/package.json'), 'utf8')).version;
console.log(`note [${g}] node-webvtt ${version} on Node ${process.version}`);
check(g, 'check_transcripts.py found transcripts to check', () => assert(model.transcripts.length > 0, 'none'));

for (const t of model.transcripts) {
  const name = `${t.label}/${t.slug}`;
  let cues = null;
  check(g, `${name}.vtt: node-webvtt parse(…, { strict: true }) accepts it`, () => {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(t.vtt));
    const parsed = webvtt.parse(text, { strict: true });
    assert(parsed.valid === true && parsed.errors.length === 0, `valid ${parsed.valid}, errors ${show(parsed.errors.map((e) => e.message))}`);
    assert(parsed.cues.length > 0, 'no cue');
    cues = parsed.cues;
  });
  if (!cues) continue;
  const times = cues.map((c) => [ms(c.start), ms(c.end)]);

  let segments = null;
  try {
    segments = JSON.parse(readFileSync(t.json, 'utf8')).segments;
    if (!Array.isArray(segments)) segments = null;
  } catch {
    segments = null;
  }
  if (segments) {
    const want = segments.map((s) => [ms(s.startTime), ms(s.endTime)]);
    eq(g, `${name}.vtt: cue count = ${t.slug}.json segment count`, times.length, want.length);
    eq(g, `${name}.vtt: first cue times (ms) = ${t.slug}.json first segment`, times[0], want[0]);
    eq(g, `${name}.vtt: last cue times (ms) = ${t.slug}.json last segment`, times.at(-1), want.at(-1));
    eq(g, `${name}.vtt: every cue's times (ms) = ${t.slug}.json segments`, times, want);
    const speakers = segments.map((s) => s.speaker ?? null);
    const label = speakers.some(Boolean) ? `voices <v Name> = ${t.slug}.json speakers` : `no voice: ${t.slug}.json has no speaker`;
    eq(g, `${name}.vtt: ${label}`, () => cues.map((c) => voiceOf(c.text)), speakers);
    eq(g, `${name}.vtt: cue texts (tags dropped, entities decoded) = ${t.slug}.json bodies`,
      () => cues.map((c) => plain(c.text)), () => segments.map((s) => squash(String(s.body))));
  } else {
    fail(g, `${name}.vtt: compared with ${t.slug}.json: not a JSON transcript with segments (see [json])`);
  }
  if (t.srt) {
    eq(g, `${name}.vtt: cue count = ${t.slug}.srt (srt) cue count`, times.length, t.srt.length);
    eq(g, `${name}.vtt: first cue times (ms) = ${t.slug}.srt (srt) first cue`, times[0], t.srt[0]);
    eq(g, `${name}.vtt: last cue times (ms) = ${t.slug}.srt (srt) last cue`, times.at(-1), t.srt.at(-1));
    eq(g, `${name}.vtt: every cue's times (ms) = ${t.slug}.srt (srt) cues`, times, t.srt);
  } else {
    fail(g, `${name}.vtt: compared with ${t.slug}.srt: srt did not read it (see [srt])`);
  }
}

process.exit(finish('webvtt'));
