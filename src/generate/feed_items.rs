//! The feed's items kept between runs (`.veillee/cache/feed-items`): each `<item>` as the feed
//! holds it, under the key of everything it is made from. A feed of 10,000 episodes where one
//! changed renders one item (its notes through Markdown and the sanitizer are most of an item's
//! cost); `veillee feed` on unchanged sources renders none. The file holds the items of the
//! main feed (every page of it), is versioned, and is safe to delete or damage (every item is
//! then rendered). The scoped feeds (a partner's, a method's) hold the same items: they read it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::feed::{self, FeedInput};

/// Bumped whenever the bytes of an item change for the same inputs (the feed's writer).
const VERSION: &str = "veillee feed items 3\n";

/// The feed of `input`, its items taken from `cache` when their key (`keys`, in the order of
/// `input.items`) is there, the others rendered on every core. With `main`, the keys of the
/// whole main feed, the cache then holds those items: this feed's, and those it had of the other
/// pages.
pub(super) fn feed(input: &FeedInput<'_>, keys: &[String], cache: Option<&Path>, main: Option<&[String]>) -> Vec<u8> {
    let bytes = cache.and_then(|c| std::fs::read(c).ok()).unwrap_or_default();
    let known = parse(&bytes).unwrap_or_default();
    let missing: Vec<usize> = (0..input.items.len()).filter(|&i| !known.contains_key(keys[i].as_str())).collect();
    let mut rendered =
        crate::util::par::map(&missing, |&i| feed::render_item_alone(input, &input.items[i])).into_iter();
    let mut items: Vec<Cow<'_, [u8]>> = Vec::with_capacity(keys.len());
    for key in keys {
        items.push(match known.get(key.as_str()) {
            Some(b) => Cow::Borrowed(b),
            None => Cow::Owned(rendered.next().expect("one rendering per missing item")),
        });
    }
    let feed = feed::render_feed_from(input, &items);
    let Some((cache, main)) = cache.zip(main) else { return feed };
    let mine: HashMap<&str, &[u8]> = keys.iter().map(String::as_str).zip(items.iter().map(AsRef::as_ref)).collect();
    let (mut kept_keys, mut kept) = (Vec::with_capacity(main.len()), Vec::with_capacity(main.len()));
    for key in main {
        if let Some(item) = mine.get(key.as_str()).or_else(|| known.get(key.as_str())) {
            kept_keys.push(key.clone());
            kept.push(Cow::Borrowed(*item));
        }
    }
    // Written when it would hold other items than it does (a failure costs the next run renders only).
    if !missing.is_empty() || known.len() != kept_keys.len() {
        let _ = crate::util::fs::write_cache(cache, &serialize(&kept_keys, &kept));
    }
    feed
}

/// `VERSION`, then for each item `key \t length \n bytes \n`, then the BLAKE3 of all that
/// (64 hex digits and a line break).
fn serialize(keys: &[String], items: &[Cow<'_, [u8]>]) -> Vec<u8> {
    let mut out = VERSION.as_bytes().to_vec();
    for (key, item) in keys.iter().zip(items) {
        out.extend_from_slice(format!("{key}\t{}\n", item.len()).as_bytes());
        out.extend_from_slice(item);
        out.push(b'\n');
    }
    let sum = blake3::hash(&out).to_hex();
    out.extend_from_slice(sum.as_bytes());
    out.push(b'\n');
    out
}

/// The items of a cache file; `None` when it is of another version or damaged anywhere (its
/// checksum: a changed byte in an item must not reach a feed).
fn parse(bytes: &[u8]) -> Option<HashMap<&str, &[u8]>> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(65)?)?;
    if sum[64] != b'\n' || blake3::hash(body).to_hex().as_bytes() != &sum[..64] {
        return None;
    }
    let mut rest = body.strip_prefix(VERSION.as_bytes())?;
    let mut items = HashMap::new();
    while !rest.is_empty() {
        let line_end = rest.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&rest[..line_end]).ok()?;
        let (key, length) = line.split_once('\t')?;
        let length: usize = length.parse().ok()?;
        let body = rest.get(line_end + 1..)?;
        let (item, after) = (body.get(..length)?, body.get(length..)?);
        rest = after.strip_prefix(b"\n")?;
        items.insert(key, item);
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_any_damage_reads_as_nothing() {
        let keys = vec!["a1".to_owned(), "b2".to_owned()];
        let items = vec![Cow::Borrowed(&b"\n    <item>\n1</item>"[..]), Cow::Borrowed(&b"\t\n"[..])];
        let bytes = serialize(&keys, &items);
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed["a1"], &b"\n    <item>\n1</item>"[..]);
        assert_eq!(parsed["b2"], &b"\t\n"[..]);
        // Cut anywhere or any byte changed: nothing (every item is rendered again).
        for cut in 0..bytes.len() {
            assert!(parse(&bytes[..cut]).is_none(), "cut at {cut}");
            let mut changed = bytes.clone();
            changed[cut] ^= 0x20;
            assert!(parse(&changed).is_none(), "byte {cut} changed");
        }
    }
}
