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

/// Test hook: with `VEILLEE_TEST_CRASH_AT=<point>` in its environment, the process kills itself
/// (SIGKILL: nothing runs after it, no destructor, no cleanup) when an operation reaches that
/// point, so that tests can check what a crash there leaves. Without the variable: one lookup.
pub(crate) fn crash_point(point: &str) {
    if std::env::var_os("VEILLEE_TEST_CRASH_AT").is_some_and(|v| v == point) {
        let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
    }
}
