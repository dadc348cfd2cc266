//! Integration tests: real fixture projects copied to temporary directories, the real binary,
//! snapshots of every artifact and message, and semantic checks on what we publish.

mod util;

/// Staff publishing from a browser and the JSON API.
mod admin;
/// The server killed at each point of a browser publish; a full disk during an upload and a publish.
mod admin_crash;
/// The module graph: one way, no cycles.
mod architecture;
/// Archive bags: export, the round trip to the same feed and media, damaged bags refused.
mod bag;
/// The load's cache: incremental builds equal cold builds after any change.
mod cache;
/// `check`: the valid fixture show passes; each kind of bad input gets its message.
mod check;
/// `init` and `new`.
mod cli;
/// The feed: snapshot, Apple's and the W3C validator's rules, Podcasting 2.0 attributes.
mod feed;
/// Build generations: determinism, hard links, unchanged builds, killed builds.
mod generations;
/// `import`: podcastparser's feeds, a feed on another host imported whole and again.
mod import;
/// `master`: a recording brought to the target loudness, its length kept; refusals.
mod master;
/// Every user-facing message of the library, in English and in French.
mod messages;
/// Audio facts of every audio fixture, and the errors of broken files.
mod probe;
/// The lifecycle: draft, publish, scheduled, new version, rename, refusals, killed publish.
mod publish;
/// Retraction: out of every output and of build/, sources deleted or kept, the record kept.
mod retract;
/// The bundled sample show: cues start with their speech.
mod sample;
/// Search: the relevance suite over 20 French transcripts.
mod search;
/// The server: HEAD, Range, MIME types, CORS, generation swaps.
mod serve;
/// The website: pages exist for every link of the feed, French content, escaping.
mod site;
/// Staff accounts: tokens shown once, kept as hashes, revoked.
mod staff;
/// The published MP3s: our ID3 tag, the source's frames, re-tagging.
mod tags;
/// Transcripts: readers, writers, import, checks, bad input.
mod transcripts;
/// `archive verify`: damage named with its ledger entry, edits apart, the ledger's git history.
mod verify;
