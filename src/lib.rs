//! Veillée turns plain files in a git repository into a podcast: a feed every directory accepts,
//! a website, transcripts and an archive, and serves them.
//!
//! The pipeline, one module per stage:
//! - [`catalog`]: read and check every source once (`Catalog::load`);
//! - [`media`]: exact audio facts (`probe`);
//! - [`transcript`]: the cue model and its readers;
//! - [`feed`]: RSS 2.0 + iTunes + Podcasting 2.0, and JSON chapters;
//! - [`site`]: the French website;
//! - [`build`]: orchestration and build generations;
//! - [`serve`]: the web server;
//! - [`archive`]: the ledger's writer (`publish`);
//! - [`project`]: creating a show and its pages (`init`, `new`);
//! - [`cli`]: the command line.

pub mod archive;
pub mod build;
pub mod catalog;
pub mod cli;
pub mod feed;
mod fsutil;
pub mod markdown;
pub mod media;
mod par;
pub mod problem;
pub mod project;
pub mod search;
pub mod serve;
pub mod site;
pub mod transcript;
pub mod urls;
