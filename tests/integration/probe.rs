use std::path::PathBuf;

use veillee::media::{DurationSource, probe_file};
use veillee::problem::Diagnostic as _;

use crate::util::fixtures;

fn audio(name: &str) -> PathBuf {
    fixtures().join("audio").join(name)
}

/// (file, container, codec, rate, channels, mime, playable samples, duration source)
type Facts = (&'static str, &'static str, &'static str, u32, u32, &'static str, u64, DurationSource);

const FACTS: &[Facts] = &[
    ("cbr.mp3", "mp3", "mp3", 44_100, 1, "audio/mpeg", 88_200, DurationSource::FrameCount),
    ("vbr.mp3", "mp3", "mp3", 44_100, 1, "audio/mpeg", 264_600, DurationSource::FrameCount),
    ("tone.wav", "wav", "pcm", 22_050, 1, "audio/wav", 44_100, DurationSource::Container),
    ("tone.flac", "flac", "flac", 22_050, 1, "audio/flac", 44_100, DurationSource::Container),
    ("tone.ogg", "ogg", "vorbis", 22_050, 1, "audio/ogg", 44_100, DurationSource::Container),
    ("tone.opus", "ogg", "opus", 48_000, 1, "audio/opus", 96_000, DurationSource::Container),
    ("tone.m4a", "mp4", "aac", 44_100, 1, "audio/x-m4a", 88_200, DurationSource::EditList),
];

#[test]
fn exact_durations_of_every_format() {
    for &(file, container, codec, rate, channels, mime, samples, source) in FACTS {
        let f = probe_file(&audio(file)).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        assert_eq!((f.container.as_str(), f.codec.as_str()), (container, codec), "{file}");
        assert_eq!((f.sample_rate, f.channels), (rate, channels), "{file}");
        assert_eq!(f.mime, mime, "{file}");
        assert_eq!(f.samples, samples, "{file}: the signal is exactly this long");
        assert_eq!(f.duration_source, source, "{file}");
        let len = std::fs::metadata(audio(file)).unwrap().len();
        assert_eq!(f.length, len, "{file}");
        assert_eq!(f.blake3, blake3::hash(&std::fs::read(audio(file)).unwrap()).to_hex().to_string());
        assert_eq!(f.bitrate, len * 8 * u64::from(rate) / samples, "{file}");
    }
}

/// Without a Xing header symphonia's own duration is a size-based estimate (and ffprobe's too:
/// 6.58 s here); counting the frames finds the 6 s of signal plus the decoder delay, within one
/// MPEG frame of a full decode.
#[test]
fn mp3_without_xing_is_counted_not_estimated() {
    for (file, true_samples) in [("vbr-noxing.mp3", 264_600u64), ("cbr-noxing.mp3", 88_200)] {
        let f = probe_file(&audio(file)).unwrap();
        assert_eq!(f.duration_source, DurationSource::FrameCountNoGaplessInfo);
        // LAME adds 1105 samples of delay and pads to whole 1152-sample frames.
        assert!(f.samples >= true_samples && f.samples - true_samples < 1105 + 1152, "{file}: {}", f.samples);
        assert_eq!(f.samples % 1152, 0, "{file}: whole frames");
    }
    let vbr = probe_file(&audio("vbr-noxing.mp3")).unwrap();
    let tagged = probe_file(&audio("vbr.mp3")).unwrap();
    assert_eq!(vbr.samples, tagged.samples + 1105 + 407, "the same frames as the tagged file");
}

#[test]
fn broken_audio_is_reported_with_offsets() {
    let mut out = String::new();
    for file in ["empty.mp3", "text.mp3", "id3-oversize.mp3", "id3-only.mp3", "truncated.mp3", "truncated-xing.mp3"] {
        let (offset, e) = probe_file(&audio(file)).unwrap_err();
        out += &format!("{file}: {offset:?}: [{}] {e}\n", e.code());
    }
    insta::assert_snapshot!(out);
}

#[test]
fn probe_json_is_seconds_as_decimals() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_veillee"))
        .args(["probe", "--json"])
        .arg(audio("cbr.mp3"))
        .arg(audio("tone.opus"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json = String::from_utf8(out.stdout).unwrap();
    let json = json.replace(&fixtures().join("audio").display().to_string(), "[audio]");
    insta::assert_snapshot!(json);
}

#[test]
fn probe_cli_fails_with_exit_1_on_bad_files() {
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_veillee")).arg("probe").arg(audio("text.mp3")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err =
        String::from_utf8(out.stderr).unwrap().replace(&fixtures().join("audio").display().to_string(), "[audio]");
    insta::assert_snapshot!(err);
}

/// The in-place frame walk counts exactly the packets symphonia's demuxer returns.
#[test]
fn frame_scan_agrees_with_symphonia() {
    use symphonia::core::formats::probe::Hint;
    use symphonia::core::formats::{FormatOptions, TrackType};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;
    for file in ["cbr.mp3", "cbr-noxing.mp3", "vbr.mp3", "vbr-noxing.mp3"] {
        let bytes = std::fs::read(audio(file)).unwrap();
        let mss = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes.clone())), Default::default());
        let mut format = symphonia::default::get_probe()
            .probe(&Hint::new(), mss, FormatOptions::default(), MetadataOptions::default())
            .unwrap();
        let track = format.default_track(TrackType::Audio).unwrap().id;
        let (mut packets, mut samples) = (0u64, 0u64);
        while let Ok(Some(p)) = format.next_packet() {
            if p.track_id == track {
                packets += 1;
                samples += p.dur.get();
            }
        }
        let start = if &bytes[..3] == b"ID3" {
            10 + bytes[6..10].iter().fold(0usize, |a, &b| (a << 7) | usize::from(b))
        } else {
            0
        };
        let scan = veillee::media::mpeg::scan(&bytes, start, bytes.len());
        assert_eq!((scan.frames, scan.samples), (packets, samples), "{file}");
        assert_eq!(scan.partial, 0, "{file}");
    }
}

/// `probe --loudness --json` outside a show: every format measured against Apple's targets, the
/// measure next to them, the warnings with their French advice; a bad file fails the command.
#[test]
fn probe_loudness_json_outside_a_show() {
    let dir = tempfile::tempdir().unwrap();
    let files = ["vbr.mp3", "tone.flac", "tone.m4a", "tone.ogg", "tone.wav"];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_veillee"))
        .current_dir(dir.path())
        .args(["probe", "--loudness", "--json"])
        .args(files.map(audio))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json =
        String::from_utf8(out.stdout).unwrap().replace(&fixtures().join("audio").display().to_string(), "[audio]");
    let reports: serde_json::Value = serde_json::from_str(&json).unwrap();
    for r in reports.as_array().unwrap() {
        assert_eq!(r["target_integrated_lufs"], -16.0);
        // The fixtures are tones at −20 dBFS and louder noise: each within the meter's range.
        let lufs = r["integrated_lufs"].as_f64().unwrap();
        assert!((-40.0..0.0).contains(&lufs), "{r}");
    }
    insta::assert_snapshot!(json);

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_veillee"))
        .current_dir(dir.path())
        .args(["probe", "--loudness"])
        .arg(audio("text.mp3"))
        .arg(audio("tone.opus"))
        .arg(audio("cbr.mp3"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err =
        String::from_utf8(bad.stderr).unwrap().replace(&fixtures().join("audio").display().to_string(), "[audio]");
    insta::assert_snapshot!(err);
}
