//! Work spread over threads, results in order: loading thousands of episodes and rendering
//! thousands of pages are independent tasks.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` over `items` on every core (at most 8 threads).
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(cores(), 64, items, f)
}

/// `f` over `items` on every core, however few: for items that each take long (probing an hour
/// of audio), where `map` would keep a short list on one thread.
pub(crate) fn map_long<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(cores(), 2, items, f)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8)
}

/// `f` over `items` for work that mostly waits on the disk (reading sources with a cold page
/// cache): more threads than cores keep more reads in flight (4: 8 gained little cold and cost
/// the warm case on 2 cores).
pub(crate) fn map_io<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(4, 64, items, f)
}

/// Each thread takes the next item when it is done with one, so that one long task (the feed)
/// does not leave the other threads idle. Fewer than `min_items` items stay on this thread.
fn map_with<T: Sync, R: Send>(threads: usize, min_items: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads < 2 || items.len() < min_items {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break out };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(super::map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(super::map_io(&items, |i| i + 1), items.iter().map(|i| i + 1).collect::<Vec<_>>());
    }
}
