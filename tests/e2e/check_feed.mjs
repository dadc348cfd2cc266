// End-to-end checks of a built Veillée feed with the npm parsers (ESM).
//
//   node check_feed.mjs --feed WWW/feed.xml --model MODEL.json
//
// MODEL.json is written by check_feed.py --write-model: the feed as a strict XML parser reads it
// (every element of the channel and of each item, with its attributes and text), plus the size of
// every built file by URL. It is the reference: each check compares what a parser made of
// feed.xml with what we emit.
//
// - [partytime] podcast-partytime `parseFeed`: `pc20support` lists every Podcasting 2.0 tag we emit
//   that partytime knows, and the parsed values (transcripts, chapters, persons, locked, funding,
//   licence, guid, soundbites, season/episode, location, medium, podroll, trailer, the light
//   version's alternateEnclosure with its length and SRI hash checked against the built file) are
//   ours.
// - [feedsmith] feedsmith `parseRssFeed`: every tag we emit (RSS, itunes, podcast, atom, content)
//   with our values; a tag we emit that this script does not know is a failure, so the suite keeps up.
//
// One line per check (`ok   [group] name` or `FAIL [group] name: why`), then `node: N passed, M failed`.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import partytime from 'podcast-partytime';
import { parseRssFeed } from 'feedsmith';
import { assert, check, fail, finish, show } from './checks.mjs';

const { parseFeed } = partytime;
const require = createRequire(import.meta.url);

// ------------------------------------------------------------------ reporting (check, assert: checks.mjs)

// A block of checks that computes its expectations as it goes: if that fails (a tag it relies on is
// missing, say), the block stops with one failure and the checks after it still run.
function guard(group, name, fn) {
  try {
    fn();
  } catch (e) {
    fail(group, `${name}: the remaining checks of this block stopped by ${e?.name}: ${e?.message}`);
  }
}

// Deep equality after a JSON round trip (drops undefined keys, turns Dates into ISO strings).
const canon = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
function eq(group, name, actual, expected) {
  check(group, name, () => {
    const got = canon(typeof actual === 'function' ? actual() : actual);
    const want = canon(typeof expected === 'function' ? expected() : expected);
    assert(isDeepStrictEqual(got, want), `expected ${show(want)}, got ${show(got)}`);
  });
}

// ------------------------------------------------------------------ the model

const { values: args } = parseArgs({ options: { feed: { type: 'string' }, model: { type: 'string' } } });
if (!args.feed || !args.model) {
  console.error('usage: node check_feed.mjs --feed WWW/feed.xml --model MODEL.json');
  process.exit(2);
}
const xml = readFileSync(args.feed, 'utf8');
const model = JSON.parse(readFileSync(args.model, 'utf8'));
const channel = model.channel;
const items = model.items;

const allOf = (recs, tag) => recs.filter((r) => r.tag === tag);
const first = (recs, tag) => allOf(recs, tag)[0];
const text = (recs, tag) => first(recs, tag)?.text;
const has = (recs, tag) => allOf(recs, tag).length > 0;
const local = (tag) => tag.split(':')[1];
function* walk(recs) {
  for (const r of recs) {
    yield r;
    yield* walk(r.children);
  }
}
const numOrUndef = (v) => (v === undefined ? undefined : Number(v));
// The SRI hash of a built file, by its URL (what podcast:integrity must say).
const sriOf = (url) => `sha256-${createHash('sha256').update(readFileSync(join(dirname(args.feed), new URL(url).pathname))).digest('base64')}`;
const boolOf = (v) => ({ true: true, yes: true, false: false, no: false, clean: false })[String(v).toLowerCase()];
const optional = (obj) => Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== ''));

// ------------------------------------------------------------------ pinned versions

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
for (const [name, version] of Object.entries(pkg.dependencies)) {
  eq('env', `${name} is the pinned ${version}`, () => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version, version);
}

// ------------------------------------------------------------------ podcast-partytime

// The tags partytime 5.0.0 reads, by where it reads them (dist/parser/phase/index.js: `feeds` and
// `items`): it looks only at direct children of <channel> and <item>, by the literal `podcast:` prefix.
const PARTYTIME_CHANNEL = ['locked', 'funding', 'person', 'location', 'trailer', 'license', 'guid', 'value', 'medium',
  'images', 'liveItem', 'block', 'txt', 'remoteItem', 'podroll', 'chat', 'publisher', 'id', 'social', 'recommendations'];
const PARTYTIME_ITEM = ['transcript', 'chapters', 'soundbite', 'person', 'location', 'season', 'episode', 'license',
  'alternateEnclosure', 'value', 'images', 'socialInteract', 'txt', 'chat', 'recommendations', 'gateway'];
// Known limitation: partytime's XML parser (fast-xml-parser, parseTagValue) turns a text of "true",
// "false" or a number into a boolean or number, and its podcast:txt support check wants a string, so
// it drops `<podcast:txt purpose="ai-content">false</podcast:txt>` (a valid value per the spec).
const PARTYTIME_TRANSCRIPT_TYPES = {
  'text/plain': 'text/plain', 'text/html': 'text/html', 'application/json': 'application/json', 'text/vtt': 'text/vtt',
  'application/srt': 'application/srt', 'application/x-subrip': 'application/srt', 'text/srt': 'application/srt',
};
const typedByPartytime = (s) => /^(true|false|[-+]?\d+(\.\d+)?)$/i.test(s.trim());

function checkPartytime() {
  const g = 'partytime';
  let feed;
  check(g, 'parseFeed returns a feed', () => {
    feed = parseFeed(xml);
    assert(feed && typeof feed === 'object', `got ${show(feed)}`);
  });
  if (!feed) return;

  const support = Object.values(feed.pc20support ?? {}).flat();
  console.log(`info [${g}] pc20support: ${show(feed.pc20support)}`);
  const emittedChannel = new Set(channel.filter((r) => r.tag.startsWith('podcast:')).map((r) => local(r.tag)));
  const emittedItem = new Set(items.flatMap((it) => it.filter((r) => r.tag.startsWith('podcast:')).map((r) => local(r.tag))));
  const expected = new Set([
    ...PARTYTIME_CHANNEL.filter((t) => emittedChannel.has(t)),
    ...PARTYTIME_ITEM.filter((t) => emittedItem.has(t)),
  ]);
  const txts = [...walk(channel), ...items.flatMap((it) => [...walk(it)])].filter((r) => r.tag === 'podcast:txt');
  const txtDropped = txts.length > 0 && txts.every((r) => typedByPartytime(r.text));
  if (txtDropped) expected.delete('txt');
  const unknown = [...new Set([...emittedChannel, ...emittedItem])].filter((t) => !PARTYTIME_CHANNEL.includes(t) && !PARTYTIME_ITEM.includes(t));
  console.log(`info [${g}] emitted podcast: tags partytime does not know: ${show(unknown)}`);
  check(g, `pc20support lists every podcast: tag we emit that it knows (${[...expected].sort().join(', ')})`, () => {
    const missing = [...expected].filter((t) => !support.includes(t));
    assert(missing.length === 0, `missing ${show(missing)}; pc20support has ${show(support)}`);
  });
  check(g, 'pc20support lists nothing we do not emit', () => {
    const extra = support.filter((t) => !expected.has(t) && !(t === 'txt' && txtDropped));
    assert(extra.length === 0, `unexpected ${show(extra)}`);
  });
  if (txtDropped) {
    eq(g, 'podcast:txt with a "true"/"false" text is dropped (known partytime limitation; if this fails, partytime reads it now: expect it in pc20support)',
      () => [support.includes('txt'), feed.podcastTxt], [false, undefined]);
  }

  // Channel values.
  eq(g, 'channel title', () => feed.title, text(channel, 'title'));
  eq(g, 'channel itunes:author', () => feed.author, text(channel, 'itunes:author'));
  eq(g, 'channel itunes:owner', () => feed.owner, () => Object.fromEntries(first(channel, 'itunes:owner').children.map((r) => [local(r.tag), r.text])));
  eq(g, 'channel itunes:image', () => feed.itunesImage, first(channel, 'itunes:image')?.attrs.href);
  eq(g, 'channel itunes:explicit', () => feed.explicit, boolOf(text(channel, 'itunes:explicit')));
  eq(g, 'channel itunes:category', () => feed.itunesCategory,
    allOf(channel, 'itunes:category').map((r) => [r.attrs.text, ...r.children.map((s) => s.attrs.text)].join(' > ')));
  if (has(channel, 'podcast:guid')) eq(g, 'channel podcast:guid', () => feed.guid, text(channel, 'podcast:guid'));
  if (has(channel, 'podcast:locked')) {
    const r = first(channel, 'podcast:locked');
    eq(g, 'channel podcast:locked (value and owner)', () => [feed.locked, feed.podcastOwner], [r.text === 'yes', r.attrs.owner]);
  }
  if (has(channel, 'podcast:funding')) {
    eq(g, 'channel podcast:funding', () => feed.podcastFunding,
      allOf(channel, 'podcast:funding').map((r) => ({ message: r.text, url: r.attrs.url })));
  }
  if (has(channel, 'podcast:license')) {
    const r = first(channel, 'podcast:license');
    eq(g, 'channel podcast:license', () => feed.license, optional({ identifier: r.text, url: r.attrs.url }));
  }
  if (has(channel, 'podcast:medium')) eq(g, 'channel podcast:medium', () => feed.medium, text(channel, 'podcast:medium'));
  if (has(channel, 'podcast:person')) eq(g, 'channel podcast:person', () => normPeople(feed.podcastPeople), people(channel));
  if (has(channel, 'podcast:location')) {
    eq(g, 'channel podcast:location (partytime keeps the first one, name and geo only)', () => feed.podcastLocation, firstLocation(channel));
  }
  if (has(channel, 'podcast:podroll')) {
    eq(g, 'channel podcast:podroll', () => feed.podroll,
      first(channel, 'podcast:podroll').children.filter((r) => r.tag === 'podcast:remoteItem')
        .map((r) => optional({ feedGuid: r.attrs.feedGuid, feedUrl: r.attrs.feedUrl, itemGuid: r.attrs.itemGuid, title: r.attrs.title })));
  }
  if (has(channel, 'podcast:trailer')) {
    eq(g, 'channel podcast:trailer', () => feed.trailers, () => allOf(channel, 'podcast:trailer').map((r) => optional({
      title: r.text, url: r.attrs.url, pubdate: new Date(r.attrs.pubdate).toISOString(), type: r.attrs.type,
      length: numOrUndef(r.attrs.length), season: numOrUndef(r.attrs.season),
    })));
  }

  // Items.
  eq(g, 'item count', () => feed.items.length, items.length);
  eq(g, 'items in feed order (by guid)', () => feed.items.map((x) => x.guid), items.map((it) => text(it, 'guid')));
  items.forEach((it, i) => guard(g, `item ${i + 1}`, () => {
    const w = `item ${i + 1}`;
    const pi = feed.items.find((x) => x.guid === text(it, 'guid'));
    if (!pi) {
      check(g, `${w} found`, () => assert(false, `no item with guid ${show(text(it, 'guid'))}`));
      return;
    }
    // A tag the item does not emit is checked too: partytime must not invent it.
    const eqTag = (tag, name, actual, expected) => eq(g, `${w} ${name}${has(it, tag) ? '' : ' (not emitted: absent)'}`, actual, expected);
    const enc = first(it, 'enclosure').attrs;
    eq(g, `${w} guid`, () => pi.guid, text(it, 'guid'));
    eq(g, `${w} title`, () => pi.title, text(it, 'title'));
    eq(g, `${w} pubDate`, () => pi.pubDate, new Date(text(it, 'pubDate')).toISOString());
    eq(g, `${w} enclosure (length = the file's size)`, () => pi.enclosure,
      { url: enc.url, length: model.files[enc.url] ?? `no built file for ${enc.url}`, type: enc.type });
    eq(g, `${w} itunes:duration`, () => pi.duration, Number(text(it, 'itunes:duration')));
    eq(g, `${w} itunes:explicit`, () => pi.explicit, boolOf(text(it, 'itunes:explicit')));
    eq(g, `${w} itunes:episodeType`, () => pi.itunesEpisodeType, text(it, 'itunes:episodeType'));
    eqTag('itunes:season', 'itunes:season', () => pi.itunesSeason, numOrUndef(text(it, 'itunes:season')));
    eqTag('itunes:episode', 'itunes:episode', () => pi.itunesEpisode, numOrUndef(text(it, 'itunes:episode')));
    eqTag('podcast:transcript', 'podcast:transcript', () => pi.podcastTranscripts,
      has(it, 'podcast:transcript')
        ? allOf(it, 'podcast:transcript').map((r) => optional({
          url: r.attrs.url,
          // partytime names SRT application/srt, and any type it does not know "unknown" (so do we).
          type: PARTYTIME_TRANSCRIPT_TYPES[r.attrs.type] ?? 'unknown',
          // The channel <language> applies when the tag has none (the spec, and partytime).
          language: r.attrs.language ?? text(channel, 'language'),
          rel: r.attrs.rel && 'captions',
        }))
        : undefined);
    eqTag('podcast:chapters', 'podcast:chapters', () => pi.podcastChapters,
      has(it, 'podcast:chapters') ? { url: first(it, 'podcast:chapters').attrs.url, type: first(it, 'podcast:chapters').attrs.type } : undefined);
    eqTag('podcast:soundbite', 'podcast:soundbite', () => pi.podcastSoundbites,
      has(it, 'podcast:soundbite')
        ? allOf(it, 'podcast:soundbite').map((r) => optional({ duration: Number(r.attrs.duration), startTime: Number(r.attrs.startTime), title: r.text }))
        : undefined);
    eqTag('podcast:person', 'podcast:person', () => normPeople(pi.podcastPeople), has(it, 'podcast:person') ? people(it) : undefined);
    eqTag('podcast:location', 'podcast:location (first one, name and geo)', () => pi.podcastLocation, firstLocation(it));
    eqTag('podcast:season', 'podcast:season', () => pi.podcastSeason,
      has(it, 'podcast:season') ? optional({ number: Number(text(it, 'podcast:season')), name: first(it, 'podcast:season').attrs.name }) : undefined);
    eqTag('podcast:alternateEnclosure', "podcast:alternateEnclosure (length = the file's size, SRI = its SHA-256)", () => pi.alternativeEnclosures,
      has(it, 'podcast:alternateEnclosure')
        ? allOf(it, 'podcast:alternateEnclosure').map((r) => {
          const uri = first(r.children, 'podcast:source').attrs.uri;
          return optional({
            type: r.attrs.type, length: model.files[uri] ?? `no built file for ${uri}`, source: [{ uri, contentType: r.attrs.type }],
            default: r.attrs.default === 'true', bitrate: numOrUndef(r.attrs.bitrate), title: r.attrs.title,
            integrity: has(r.children, 'podcast:integrity') ? { type: 'sri', value: sriOf(uri) } : undefined,
          });
        })
        : undefined);
    eqTag('podcast:episode', 'podcast:episode', () => pi.podcastEpisode,
      has(it, 'podcast:episode') ? optional({ number: Number(text(it, 'podcast:episode')), display: first(it, 'podcast:episode').attrs.display }) : undefined);
  }));
}

// partytime capitalises role and group ("Host", "Cast"); compare them case-insensitively.
function normPeople(list) {
  return list?.map((p) => optional({ name: p.name, role: p.role?.toLowerCase(), group: p.group?.toLowerCase(), href: p.href, img: p.img }));
}
function people(recs) {
  return allOf(recs, 'podcast:person').map((r) => optional({
    name: r.text, role: (r.attrs.role ?? 'host').toLowerCase(), group: (r.attrs.group ?? 'cast').toLowerCase(), href: r.attrs.href, img: r.attrs.img,
  }));
}
function firstLocation(recs) {
  const r = first(recs, 'podcast:location');
  return r ? optional({ name: r.text, geo: r.attrs.geo, osm: r.attrs.osm }) : undefined;
}

// ------------------------------------------------------------------ feedsmith

// How feedsmith 3.0.1 names what it reads of each podcast: tag (dist/namespaces/podcast/common/types.d.mts).
// key: property on `podcast`; many: an array; text: the property that holds the element's text
// (textAs: its type); nums/bools: attributes read as numbers/booleans; rename: attribute -> property.
const FEEDSMITH_PODCAST = {
  transcript: { key: 'transcripts', many: true },
  chapters: { key: 'chapters' },
  soundbite: { key: 'soundbites', many: true, text: 'display', nums: ['startTime', 'duration'] },
  person: { key: 'persons', many: true, text: 'display' },
  location: { key: 'locations', many: true, text: 'display' },
  season: { key: 'season', text: 'number', textAs: Number },
  episode: { key: 'episode', text: 'number', textAs: Number },
  license: { key: 'license', text: 'display' },
  locked: { key: 'locked', text: 'value', textAs: boolOf },
  block: { key: 'blocks', many: true, text: 'value', textAs: boolOf },
  funding: { key: 'fundings', many: true, text: 'display' },
  trailer: { key: 'trailers', many: true, text: 'display', nums: ['length', 'season'], rename: { pubdate: 'pubDate' } },
  guid: { key: 'guid', scalar: true },
  medium: { key: 'medium', scalar: true },
  image: { key: 'images', many: true, nums: ['width', 'height'], rename: { 'aspect-ratio': 'aspectRatio' } },
  txt: { key: 'txts', many: true, text: 'display' },
  updateFrequency: { key: 'updateFrequency', text: 'display', bools: ['complete'] },
  remoteItem: { key: 'remoteItems', many: true },
  podroll: { key: 'podroll', container: true },
  alternateEnclosure: {
    key: 'alternateEnclosures', many: true, value: (r) => optional({
      type: r.attrs.type, length: Number(r.attrs.length), bitrate: numOrUndef(r.attrs.bitrate), title: r.attrs.title,
      default: r.attrs.default === undefined ? undefined : boolOf(r.attrs.default),
      sources: allOf(r.children, 'podcast:source').map((c) => optional({ uri: c.attrs.uri, contentType: c.attrs.contentType })),
      integrity: first(r.children, 'podcast:integrity')?.attrs,
    }),
  },
};

function feedsmithValue(r) {
  const spec = FEEDSMITH_PODCAST[local(r.tag)];
  if (spec.value) return spec.value(r);
  if (spec.scalar) return r.text;
  if (spec.container) {
    const out = {};
    for (const child of r.children) {
      const cs = FEEDSMITH_PODCAST[local(child.tag)];
      (out[cs.key] ??= []).push(feedsmithValue(child));
    }
    return out;
  }
  const out = {};
  for (const [name, value] of Object.entries(r.attrs)) {
    const prop = spec.rename?.[name] ?? name;
    out[prop] = spec.nums?.includes(name) ? Number(value) : spec.bools?.includes(name) ? boolOf(value) : value;
  }
  if (spec.text && r.text !== '') out[spec.text] = spec.textAs ? spec.textAs(r.text) : r.text;
  return out;
}

function feedsmithPodcast(g, where, parsed, recs) {
  const podcastRecs = recs.filter((r) => r.tag.startsWith('podcast:'));
  const byKey = new Map();
  for (const r of podcastRecs) {
    const spec = FEEDSMITH_PODCAST[local(r.tag)];
    if (!spec) {
      check(g, `${where} <${r.tag}> is checked`, () => assert(false, 'we emit it but check_feed.mjs has no feedsmith mapping for it: add one'));
      continue;
    }
    if (!byKey.has(spec.key)) byKey.set(spec.key, { tag: r.tag, spec, values: [] });
    byKey.get(spec.key).values.push(feedsmithValue(r));
  }
  for (const [key, { tag, spec, values }] of byKey) {
    eq(g, `${where} <${tag}>${spec.many ? ` (${values.length})` : ''}`, () => parsed?.podcast?.[key], spec.many ? values : values[0]);
  }
}

const RSS_CHANNEL = {
  title: (f, r) => [f.title, r.text],
  link: (f, r) => [f.link, r.text],
  description: (f, r) => [f.description, r.text],
  language: (f, r) => [f.language, r.text],
  copyright: (f, r) => [f.copyright, r.text],
  generator: (f, r) => [f.generator, r.text],
  pubDate: (f, r) => [f.pubDate, r.text],
  lastBuildDate: (f, r) => [f.lastBuildDate, r.text],
  image: (f, r) => [f.image, Object.fromEntries(r.children.map((c) => [c.tag, c.text]))],
  'atom:link': (f, r) => [f.atom?.links?.find((l) => l.rel === r.attrs.rel), r.attrs],
  'itunes:author': (f, r) => [f.itunes?.author, r.text],
  'itunes:owner': (f, r) => [f.itunes?.owner, Object.fromEntries(r.children.map((c) => [local(c.tag), c.text]))],
  'itunes:image': (f, r) => [f.itunes?.image, r.attrs.href],
  'itunes:category': (f, r, recs) => [f.itunes?.categories, allOf(recs, 'itunes:category').map(category)],
  'itunes:explicit': (f, r) => [f.itunes?.explicit, boolOf(r.text)],
  'itunes:type': (f, r) => [f.itunes?.type, r.text],
};
function category(r) {
  return r.children.length ? { text: r.attrs.text, categories: r.children.map(category) } : { text: r.attrs.text };
}
const RSS_ITEM = {
  title: (f, r) => [f.title, r.text],
  link: (f, r) => [f.link, r.text],
  description: (f, r) => [f.description, r.text],
  guid: (f, r) => [f.guid, { value: r.text, isPermaLink: boolOf(r.attrs.isPermaLink ?? 'true') }],
  pubDate: (f, r) => [f.pubDate, r.text],
  'content:encoded': (f, r) => [f.content?.encoded, r.text],
  enclosure: (f, r, recs) => [f.enclosures, allOf(recs, 'enclosure').map((e) => ({ url: e.attrs.url, length: Number(e.attrs.length), type: e.attrs.type }))],
  'itunes:title': (f, r) => [f.itunes?.title, r.text],
  'itunes:author': (f, r) => [f.itunes?.author, r.text],
  'dc:creator': (f, r) => [f.dc?.creators, [r.text]],
  'itunes:summary': (f, r) => [f.itunes?.summary, r.text],
  'itunes:duration': (f, r) => [f.itunes?.duration, Number(r.text)],
  'itunes:episodeType': (f, r) => [f.itunes?.episodeType, r.text],
  'itunes:season': (f, r) => [f.itunes?.season, Number(r.text)],
  'itunes:episode': (f, r) => [f.itunes?.episode, Number(r.text)],
  'itunes:explicit': (f, r) => [f.itunes?.explicit, boolOf(r.text)],
  'itunes:image': (f, r) => [f.itunes?.image, r.attrs.href],
};

function feedsmithTags(g, where, parsed, recs, table) {
  const done = new Set();
  for (const r of recs) {
    if (r.tag.startsWith('podcast:')) continue;
    const map = table[r.tag];
    const label = r.tag === 'atom:link' ? `atom:link rel=${r.attrs.rel}` : r.tag;
    if (!map) {
      check(g, `${where} <${r.tag}> is checked`, () => assert(false, 'we emit it but check_feed.mjs has no feedsmith check for it: add one'));
      continue;
    }
    if (done.has(label)) continue;
    done.add(label);
    check(g, `${where} <${label}>`, () => {
      const [got, want] = map(parsed ?? {}, r, recs).map(canon);
      assert(isDeepStrictEqual(got, want), `expected ${show(want)}, got ${show(got)}`);
    });
  }
}

function checkFeedsmith() {
  const g = 'feedsmith';
  let feed;
  check(g, 'parseRssFeed parses the feed', () => {
    feed = parseRssFeed(xml);
    assert(feed && typeof feed === 'object', `got ${show(feed)}`);
  });
  if (!feed) return;
  feedsmithTags(g, 'channel', feed, channel, RSS_CHANNEL);
  feedsmithPodcast(g, 'channel', feed, channel);
  eq(g, 'item count', () => feed.items?.length, items.length);
  eq(g, 'items in feed order (by guid)', () => feed.items?.map((x) => x.guid?.value), items.map((it) => text(it, 'guid')));
  items.forEach((it, i) => guard(g, `item ${i + 1}`, () => {
    const fi = feed.items?.find((x) => x.guid?.value === text(it, 'guid'));
    if (!fi) {
      check(g, `item ${i + 1} found`, () => assert(false, `no item with guid ${show(text(it, 'guid'))}`));
      return;
    }
    feedsmithTags(g, `item ${i + 1}`, fi, it, RSS_ITEM);
    feedsmithPodcast(g, `item ${i + 1}`, fi, it);
    const enc = first(it, 'enclosure')?.attrs;
    if (enc) {
      eq(g, `item ${i + 1} enclosure length = the file's size`, () => fi?.enclosures?.[0]?.length, model.files[enc.url] ?? `no built file for ${enc.url}`);
    }
  }));
}

guard('partytime', '[partytime]', checkPartytime);
guard('feedsmith', '[feedsmith]', checkFeedsmith);
process.exitCode = finish('node');
