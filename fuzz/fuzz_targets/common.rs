//! What every transcript reader must hold for any input: no panic, and what it reads survives
//! being written as WebVTT, SRT and Podcast Index JSON and read back (same times, speakers and
//! words).

use veillee::transcript::{Format, ReadOptions, Transcript, parse, write_json, write_srt, write_vtt};

fn same(a: &Transcript, b: &Transcript, what: &str) {
    assert_eq!(a.cues.len(), b.cues.len(), "{what}: cue count");
    for (x, y) in a.cues.iter().zip(&b.cues) {
        assert_eq!((x.start_ms, x.end_ms), (y.start_ms, y.end_ms), "{what}: times");
        assert_eq!(x.voice, y.voice, "{what}: voice");
        let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(words(&x.text), words(&y.text), "{what}: text");
    }
}

pub fn check(data: &[u8], format: Option<Format>) {
    let options = ReadOptions { format, ..ReadOptions::default() };
    let Ok(parsed) = parse(data, &options, None) else { return };
    let t = parsed.transcript;
    let name = &Default::default();
    for (out, format, what) in [
        (write_vtt(&t, name), Format::Vtt, "vtt"),
        (write_srt(&t, name), Format::Srt, "srt"),
        (write_json(&t, name), Format::PodcastIndex, "json"),
    ] {
        let again = parse(out.as_bytes(), &ReadOptions { format: Some(format), ..ReadOptions::default() }, None)
            .unwrap_or_else(|e| panic!("{what}: our own output does not read back: {e:?}\n{out}"));
        same(&t, &again.transcript, what);
    }
}
