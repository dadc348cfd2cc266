//! The progress bar: on stderr, only when it is a terminal, and only for a step that has run a
//! second (a small show's build prints nothing more than its report).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use veillee::util::progress::Observer;

/// A step shorter than this shows no bar.
const QUIET: Duration = Duration::from_secs(1);

/// Installs the bar if stderr is a terminal.
pub(super) fn install() {
    if std::io::stderr().is_terminal() {
        veillee::util::progress::observe(Box::new(Bar::default()));
    }
}

#[derive(Default)]
struct Bar {
    bar: Arc<Mutex<Option<ProgressBar>>>,
    /// Counts the steps begun, so that a late timer knows its step is over.
    begun: Arc<AtomicU64>,
}

impl Bar {
    fn current(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Observer for Bar {
    fn begin(&self, step: &'static str) {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        // A spinner until the step says how many items it has (flushing to disk has none).
        bar.set_style(ProgressStyle::with_template("{msg:>6} {spinner} {elapsed}").expect("a valid template"));
        bar.set_message(step);
        *self.current() = Some(bar.clone());
        let number = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let begun = Arc::clone(&self.begun);
        std::thread::spawn(move || {
            std::thread::sleep(QUIET);
            if begun.load(Ordering::SeqCst) == number && !bar.is_finished() {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(200));
            }
        });
    }

    fn add(&self, n: u64) {
        if let Some(bar) = self.current().as_ref() {
            if bar.length() == Some(0) {
                // Downloads and decoding count bytes; encoding counts samples, shown as a share.
                let template = match bar.message().as_str() {
                    "download" | "decode" => "{msg:>6} [{bar:32}] {bytes}/{total_bytes} {bytes_per_sec} {elapsed}",
                    "encode" => "{msg:>6} [{bar:32}] {percent}% {elapsed} (about {eta} left)",
                    _ => "{msg:>6} [{bar:32}] {pos}/{len} {elapsed}",
                };
                let style = ProgressStyle::with_template(template).expect("a valid template");
                bar.set_style(style.progress_chars("=> "));
            }
            bar.inc_length(n);
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = self.current().as_ref() {
            bar.inc(n);
        }
    }

    fn end(&self, _step: &'static str) {
        if let Some(bar) = self.current().take() {
            bar.finish_and_clear();
        }
    }
}
