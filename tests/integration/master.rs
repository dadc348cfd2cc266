//! `master`: a recording made into the episode's MP3 at the target loudness, under the true-peak
//! ceiling, with its exact length; recordings that cannot be mastered refused by name.

use crate::util::Project;

/// A 48 kHz stereo 24-bit WAV: `seconds` of quiet noise and a tone, with a loud burst (peaks
/// near full scale) in its middle, for the limiter.
fn recording(path: &std::path::Path, seconds: u32, amplitude: f32) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let mut seed = 12345u32;
    let frames = 48_000 * seconds;
    for n in 0..frames {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
        let t = n as f32 / 48_000.0;
        let burst = if amplitude > 0.0 && (frames / 2..frames / 2 + 4800).contains(&n) { 0.95 } else { amplitude };
        let s = burst * (0.6 * (2.0 * std::f32::consts::PI * 330.0 * t).sin() + 0.4 * noise);
        let v = (s * 8_388_607.0) as i32;
        w.write_sample(v).unwrap();
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
}

#[test]
fn a_recording_is_mastered_to_the_target() {
    let p = Project::fixture("show");
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("enregistrement.wav");
    recording(&rec, 20, 0.02);
    let out = p.ok(&["master", "brouillon", "--from", rec.to_str().unwrap()]);
    assert!(out.starts_with("wrote episodes/brouillon.mp3: "), "{out}");
    let mp3 = std::fs::read(p.file("episodes/brouillon.mp3")).unwrap();
    let measured = p.ok(&["probe", "--loudness", "--json", p.file("episodes/brouillon.mp3").to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&measured).unwrap();
    let l = &json[0];
    let lufs = l["integrated_lufs"].as_f64().unwrap();
    let peak = l["true_peak_dbtp"].as_f64().unwrap();
    assert!((lufs + 16.0).abs() <= 0.5, "{lufs} LUFS");
    assert!(peak <= -1.0, "{peak} dBTP");
    // The length of the recording, resampled: 20 s at 44,100 Hz, within one MPEG frame.
    let facts: serde_json::Value =
        serde_json::from_str(&p.ok(&["probe", "--json", p.file("episodes/brouillon.mp3").to_str().unwrap()])).unwrap();
    let samples = facts[0]["samples"].as_u64().unwrap();
    assert!(samples.abs_diff(20 * 44_100) <= 1152, "{samples} samples");
    assert_eq!(facts[0]["channels"].as_u64(), Some(1));
    assert!(mp3.len() < 20 * 96_000 / 8 + 5_000, "96 kbit/s");
    let md = p.read("episodes/brouillon.md");
    assert!(
        md.contains("mastered_from = { file = ")
            && md.contains("settings = \"-16 LUFS, -1 dBTP, 96 kbit/s, 1 channel, 44100 Hz\""),
        "{md}"
    );
    p.ok(&["check"]);
    // Mastered again, the file is as loud: nothing measurable changes.
    let again = dir.path().join("again.mp3");
    std::fs::copy(p.file("episodes/brouillon.mp3"), &again).unwrap();
    let out = p.ok(&["master", "brouillon", "--from", again.to_str().unwrap()]);
    assert!(out.contains("gain +0.") || out.contains("gain -0.") || out.contains("gain +0.0"), "{out}");
}

#[test]
fn what_cannot_be_mastered_is_refused() {
    let p = Project::fixture("show");
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "ceci n'est pas du son\n").unwrap();
    let silence = dir.path().join("silence.wav");
    recording(&silence, 2, 0.0);
    let said = [
        p.fails(&["master", "brouillon", "--from", text.to_str().unwrap()]),
        p.fails(&["master", "brouillon", "--from", silence.to_str().unwrap()]),
        p.fails(&["master", "nulle-part", "--from", text.to_str().unwrap()]),
    ]
    .join("")
    .replace(dir.path().to_str().unwrap(), "DIR");
    insta::assert_snapshot!(said, @"
        error: `DIR/notes.wav` is not audio that can be published: this is a text file, not audio
        error: invalid recording: `DIR/silence.wav` cannot be mastered: it holds only silence: there is nothing to bring to a loudness
        error: no episode `nulle-part`
        ");
    assert_eq!(
        std::fs::read(p.file("episodes/brouillon.mp3")).unwrap().len(),
        std::fs::metadata(crate::util::fixtures().join("projects/show/episodes/brouillon.mp3")).unwrap().len() as usize,
        "nothing written"
    );
}

/// channel.toml's `[mastering]` is what `master` makes, and `check` holds it to what LAME can do.
#[test]
fn the_show_settings_decide() {
    let p = Project::fixture("show");
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("enregistrement.wav");
    recording(&rec, 6, 0.05);
    p.edit(
        "feed/channel.toml",
        "[loudness]",
        "[mastering]\ntarget_lufs = -18.0\nbitrate_kbps = 64\nchannels = 2\nsample_rate = 48000\n\n[loudness]",
    );
    p.ok(&["check"]);
    let out = p.ok(&["master", "brouillon", "--from", rec.to_str().unwrap()]);
    assert!(out.contains("-18 LUFS, -1 dBTP, 64 kbit/s, 2 channels, 48000 Hz"), "{out}");
    let facts: serde_json::Value =
        serde_json::from_str(&p.ok(&["probe", "--json", p.file("episodes/brouillon.mp3").to_str().unwrap()])).unwrap();
    assert_eq!((facts[0]["channels"].as_u64(), facts[0]["sample_rate"].as_u64()), (Some(2), Some(48_000)));
    let measured: serde_json::Value = serde_json::from_str(&p.ok(&[
        "probe",
        "--loudness",
        "--json",
        p.file("episodes/brouillon.mp3").to_str().unwrap(),
    ]))
    .unwrap();
    assert!((measured[0]["integrated_lufs"].as_f64().unwrap() + 18.0).abs() <= 0.5);
    p.edit("feed/channel.toml", "bitrate_kbps = 64", "bitrate_kbps = 100");
    p.edit("feed/channel.toml", "sample_rate = 48000", "sample_rate = 44000");
    let err = p.fails(&["check"]);
    assert!(err.contains("mastering.bitrate_kbps") && err.contains("mastering.sample_rate"), "{err}");
}
