//! What a long operation tells whoever watches it: the step it is in, how many items the step
//! has (files read, outputs rendered or written, episodes indexed) and how many are done. The library only reports; the command line draws (a progress bar
//! on a terminal) through the one [`Observer`] it installs. Steps are also timed, for the build
//! report's slowest steps.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Watches the steps of the process's operations (one at a time: the build lock orders builds).
pub trait Observer: Send + Sync {
    /// A step begins (`load`, `render`, …).
    fn begin(&self, step: &'static str);
    /// The current step has `n` more items to do.
    fn add(&self, n: u64);
    /// `n` more items of the current step are done.
    fn advance(&self, n: u64);
    /// The step is over.
    fn end(&self, step: &'static str);
}

static OBSERVER: OnceLock<Box<dyn Observer>> = OnceLock::new();

/// Installs the process's observer (the first one stays).
pub fn observe(observer: Box<dyn Observer>) {
    let _ = OBSERVER.set(observer);
}

/// A step under way: begun when made, over when dropped or [`Step::end`]ed.
#[must_use]
pub(crate) struct Step {
    name: &'static str,
    start: Instant,
    over: bool,
}

/// Begins a step.
pub(crate) fn step(name: &'static str) -> Step {
    if let Some(o) = OBSERVER.get() {
        o.begin(name);
    }
    Step { name, start: Instant::now(), over: false }
}

impl Step {
    /// Ends the step: its name and how long it took.
    pub(crate) fn end(mut self) -> (&'static str, Duration) {
        self.over = true;
        if let Some(o) = OBSERVER.get() {
            o.end(self.name);
        }
        (self.name, self.start.elapsed())
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        if !self.over
            && let Some(o) = OBSERVER.get()
        {
            o.end(self.name);
        }
    }
}

/// The current step has `n` more items.
pub(crate) fn add(n: usize) {
    if let Some(o) = OBSERVER.get() {
        o.add(n as u64);
    }
}

/// `f`, each call counted as an item of the current step done (the caller [`add`]s them first).
pub(crate) fn each<T: ?Sized, R>(f: impl Fn(&T) -> R + Sync) -> impl Fn(&T) -> R + Sync {
    move |item| {
        let r = f(item);
        advance(1);
        r
    }
}

/// `n` more items of the current step are done.
pub(crate) fn advance(n: usize) {
    if let Some(o) = OBSERVER.get() {
        o.advance(n as u64);
    }
}
