//! Helpers every stage uses and that depend on no stage: hashing, time codes, text, media
//! types, URLs, file writing, work on every core and its progress, and the one shape of an I/O
//! error.

pub mod fs;
pub mod hash;
mod io_error;
pub mod mime;
pub mod par;
pub mod progress;
pub mod text;
pub mod time;
pub mod urls;

pub(crate) use io_error::IoContext;
pub use io_error::IoError;
