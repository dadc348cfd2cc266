//! Veillée turns plain files in a git repository into a podcast: a feed every directory accepts,
//! a website, transcripts and an archive, and serves them.
//!
//! The front door is [`project::Project`]: one method per operation, called by the command line
//! (in the binary) and by the server's handlers alike. The pipeline behind it, one module per
//! stage (docs/ARCHITECTURE.md has the map):
//! - [`catalog`]: read and check every source once (`Catalog::load`);
//! - [`media`]: exact audio facts (`probe`);
//! - [`transcript`]: the cue model, its readers and writers;
//! - [`feed`]: RSS 2.0 + iTunes + Podcasting 2.0, and JSON chapters;
//! - [`site`]: the French website, from templates;
//! - [`search`]: the transcript index and its queries;
//! - [`generate`]: rendering a catalog into a build generation;
//! - [`archive`]: writing the ledger;
//! - [`serve`]: the web server;
//! - [`problem`]: coded problems, in English and French; [`markdown`], [`util`]: helpers.

pub mod archive;
pub mod catalog;
pub mod deploy;
pub mod feed;
pub mod generate;
pub mod markdown;
pub mod media;
pub mod problem;
pub mod project;
pub mod search;
pub mod serve;
pub mod site;
pub mod transcript;
pub mod util;
