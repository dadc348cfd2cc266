//! `master`: a recording made into the episode's MP3 at the target loudness, under the true-peak
//! ceiling, with its exact length; recordings that cannot be mastered refused by name.

use crate::util::Project;

/// A 48 kHz stereo 24-bit WAV: `seconds` of quiet noise and a tone, with a loud burst (peaks
/// near full scale) in its middle, for the limiter.
pub(crate) fn recording(path: &std::path::Path, seconds: u32, amplitude: f32) {
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
    // Counted with the LAME tag's delay and padding removed: without it, speech comes late by
    // the encoder's delay in every player.
    assert_eq!(facts[0]["duration_source"].as_str(), Some("frame-count"), "{facts}");
    assert!(samples.abs_diff(20 * 44_100) <= 2, "{samples} samples: the recording's, resampled");
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

/// The SRI value of a file, as a podcast app checks it.
fn sri(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes)))
}

/// The length of an MP3's ID3v2 tag, header included.
fn id3_len(bytes: &[u8]) -> usize {
    assert_eq!(&bytes[..3], b"ID3");
    10 + bytes[6..10].iter().fold(0usize, |n, b| (n << 7) | usize::from(*b))
}

/// A show that asks for mastering and the light version: `publish` masters a draft's WAV,
/// the light version is published beside the main file (feed, page, ledger), and the archive
/// treats it as it treats the main media.
#[test]
fn publish_masters_and_offers_the_light_version() {
    let p = Project::fixture("show");
    p.edit("feed/channel.toml", "[loudness]", "[mastering]\nlight = {}\n\n[loudness]");
    std::fs::remove_file(p.file("episodes/brouillon.mp3")).unwrap();
    recording(&p.file("episodes/brouillon.wav"), 20, 0.02);
    let out = p.ok(&["publish", "brouillon"]);
    assert!(out.contains("wrote episodes/brouillon.mp3: "), "{out}");
    assert!(out.contains("wrote episodes/brouillon.light.mp3 (the light version): "), "{out}");
    assert!(out.contains("publish brouillon "), "{out}");
    let md = p.read("episodes/brouillon.md");
    assert!(md.contains("light version 32 kbit/s, 1 channel, 22050 Hz"), "{md}");
    assert!(p.file("episodes/brouillon.wav").is_file(), "the recording stays");

    // The light version: mono 22,050 Hz, as long as the recording within a frame, at the target.
    let light = p.file("episodes/brouillon.light.mp3");
    let facts: serde_json::Value = serde_json::from_str(&p.ok(&["probe", "--json", light.to_str().unwrap()])).unwrap();
    assert_eq!((facts[0]["channels"].as_u64(), facts[0]["sample_rate"].as_u64()), (Some(1), Some(22_050)));
    let samples = facts[0]["samples"].as_u64().unwrap();
    assert!(samples.abs_diff(20 * 22_050) <= 1152, "{samples} samples");
    assert_eq!(facts[0]["duration_source"].as_str(), Some("frame-count"), "{facts}");
    assert!(samples.abs_diff(20 * 22_050) <= 2, "{samples} samples: the recording's, resampled");
    let level: serde_json::Value =
        serde_json::from_str(&p.ok(&["probe", "--loudness", "--json", light.to_str().unwrap()])).unwrap();
    let (lufs, peak) = (level[0]["integrated_lufs"].as_f64().unwrap(), level[0]["true_peak_dbtp"].as_f64().unwrap());
    assert!((lufs + 16.0).abs() <= 1.0 && peak <= -1.0, "{lufs} LUFS, {peak} dBTP");

    // The ledger records it.
    let source = std::fs::read(&light).unwrap();
    let ledger = p.read("feed/archive.toml");
    let entry = &ledger[ledger.rfind("[[entry]]").unwrap()..];
    let line = entry.lines().find(|l| l.starts_with("renditions = ")).expect("renditions recorded");
    let name = line.split("name = \"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(name.starts_with("brouillon.") && name.ends_with(".light.mp3"), "{line}");
    assert!(line.contains(&format!("length = {}", source.len())), "{line}");
    assert!(line.contains(&veillee_sha256(&source)), "{line}");

    // The feed offers it with its length and SRI hash, the page with its size; both copies
    // carry the same tag.
    let www = p.www();
    let published = std::fs::read(www.join("media").join(&name)).unwrap();
    let feed = std::fs::read_to_string(www.join("feed.xml")).unwrap();
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let alternates: Vec<roxmltree::Node> =
        doc.descendants().filter(|n| n.tag_name().name() == "alternateEnclosure").collect();
    assert_eq!(alternates.len(), 2, "the main file's and the light version's");
    let main = alternates[0];
    let enclosure = doc.descendants().find(|n| n.tag_name().name() == "enclosure").unwrap();
    assert_eq!(main.attribute("default"), Some("true"));
    assert_eq!(main.attribute("length"), enclosure.attribute("length"));
    let main_uri = main.children().find(|n| n.tag_name().name() == "source").unwrap().attribute("uri");
    assert_eq!(main_uri, enclosure.attribute("url"));
    let alt = alternates[1];
    assert_eq!(alt.attribute("type"), Some("audio/mpeg"));
    // An average bit rate (LAME's tag does not fit in a 32 kbit/s frame at 22,050 Hz): about 32.
    let bitrate: u64 = alt.attribute("bitrate").unwrap().parse().unwrap();
    assert!(bitrate.abs_diff(32_000) <= 2_000, "{bitrate}");
    assert_eq!(alt.attribute("length"), Some(published.len().to_string().as_str()));
    let uri = alt.children().find(|n| n.tag_name().name() == "source").unwrap().attribute("uri").unwrap();
    assert!(uri.ends_with(&format!("/media/{name}")), "{uri}");
    let integrity = alt.children().find(|n| n.tag_name().name() == "integrity").unwrap();
    assert_eq!(integrity.attribute("type"), Some("sri"));
    assert_eq!(integrity.attribute("value"), Some(sri(&published).as_str()));
    let main_copy = std::fs::read(www.join("media").join(main_uri.unwrap().rsplit('/').next().unwrap())).unwrap();
    let tag = id3_len(&main_copy);
    assert_eq!(main_copy[..tag], published[..id3_len(&published)], "the same ID3 tag");
    assert!(published[tag..] == source[..], "the light version's frames, as mastered");
    let page = std::fs::read_to_string(www.join("episodes/brouillon/index.html")).unwrap();
    assert!(
        page.contains(&format!(
            "<a href=\"/media/{name}\">Écoutez la version légère</a> ({}&#8239;kbit/s, ",
            bitrate / 1000
        )),
        "{page}"
    );

    // Published again with nothing new: nothing is mastered again.
    let again = p.fails(&["publish", "brouillon", "--new-version", "--reason", "rien"]);
    assert!(!again.contains("wrote ") && again.contains("nothing changed in `brouillon`"), "{again}");
    // The recording sent again (a better take): the new version is mastered from it.
    let mp3 = std::fs::read(p.file("episodes/brouillon.mp3")).unwrap();
    recording(&p.file("episodes/brouillon.wav"), 20, 0.2);
    let out = p.ok(&["publish", "brouillon", "--new-version", "--reason", "une meilleure prise"]);
    assert!(out.contains("wrote episodes/brouillon.mp3: "), "{out}");
    assert_ne!(std::fs::read(p.file("episodes/brouillon.mp3")).unwrap(), mp3);
    let source = std::fs::read(&light).unwrap();
    let ledger = p.read("feed/archive.toml");
    let entry = &ledger[ledger.rfind("[[entry]]").unwrap()..];
    let name = entry.split("name = \"").nth(1).unwrap().split('"').next().unwrap().to_owned();

    // The archive checks it, and a retraction takes it away.
    p.ok(&["archive", "verify"]);
    let mut damaged = source.clone();
    let at = damaged.len() / 2;
    damaged[at] ^= 0x55;
    std::fs::write(&light, &damaged).unwrap();
    let run = p.run(&["archive", "verify"]);
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(!run.status.success() && said.contains("episodes/brouillon.light.mp3"), "{said}");
    std::fs::write(&light, &source).unwrap();
    p.ok(&["retract", "brouillon", "--reason", "essai"]);
    assert!(!light.exists(), "its light version is deleted with its sources");
    assert!(!p.file("episodes/brouillon.wav").exists(), "and the recording it was mastered from");
    assert!(!p.www().join("media").join(&name).exists());
}

fn veillee_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A light version that is not the audio's, and a light format LAME cannot make, are named.
#[test]
fn a_wrong_light_version_is_named() {
    let p = Project::fixture("show");
    p.edit("feed/channel.toml", "[loudness]", "[mastering]\nlight = {}\n\n[loudness]");
    let dir = tempfile::tempdir().unwrap();
    let (long, short) = (dir.path().join("long.wav"), dir.path().join("court.wav"));
    recording(&long, 12, 0.02);
    recording(&short, 4, 0.02);
    p.ok(&["master", "brouillon", "--from", long.to_str().unwrap()]);
    let light = std::fs::read(p.file("episodes/brouillon.light.mp3")).unwrap();
    p.ok(&["master", "brouillon", "--from", short.to_str().unwrap()]);
    p.ok(&["check"]);
    std::fs::write(p.file("episodes/brouillon.light.mp3"), light).unwrap();
    let err = p.fails(&["check"]);
    assert!(err.contains("the light version `episodes/brouillon.light.mp3` lasts "), "{err}");
    std::fs::copy(p.file("episodes/cartographie-sensible-a-jazeneuil.m4a"), p.file("episodes/brouillon.light.mp3"))
        .unwrap();
    let err = p.fails(&["check"]);
    assert!(err.contains("the light version `episodes/brouillon.light.mp3` is not an MP3"), "{err}");
    std::fs::remove_file(p.file("episodes/brouillon.light.mp3")).unwrap();
    p.edit("feed/channel.toml", "light = {}", "light = { bitrate_kbps = 320 }");
    let err = p.fails(&["check"]);
    assert!(err.contains("invalid mastering.light.bitrate_kbps `320`: one of at 16000 to 24000 Hz"), "{err}");
}

/// Mastering an episode's MP3 in place keeps the recording first, as
/// `episodes/<slug>.recording.mp3`, which a second mastering in place does not overwrite.
#[test]
fn mastering_in_place_keeps_the_recording() {
    let p = Project::fixture("show");
    let original = std::fs::read(p.file("episodes/brouillon.mp3")).unwrap();
    p.ok(&["master", "brouillon", "--from", p.file("episodes/brouillon.mp3").to_str().unwrap()]);
    assert_eq!(std::fs::read(p.file("episodes/brouillon.recording.mp3")).unwrap(), original);
    assert_ne!(std::fs::read(p.file("episodes/brouillon.mp3")).unwrap(), original);
    let md = p.read("episodes/brouillon.md");
    assert!(md.contains("mastered_from = { file = \"episodes/brouillon.recording.mp3\""), "{md}");
    p.ok(&["check"]);
    let mastered = std::fs::read(p.file("episodes/brouillon.mp3")).unwrap();
    let err = p.fails(&["master", "brouillon", "--from", p.file("episodes/brouillon.mp3").to_str().unwrap()]);
    assert!(err.contains("episodes/brouillon.recording.mp3 (another recording) is where it would be kept"), "{err}");
    assert_eq!(std::fs::read(p.file("episodes/brouillon.mp3")).unwrap(), mastered, "nothing changed");
    assert_eq!(std::fs::read(p.file("episodes/brouillon.recording.mp3")).unwrap(), original);
}

/// An M4A recording starts with the AAC encoder's priming, which its edit list hides: the
/// mastering leaves it out (else every word comes late by it), and keeps the playable length.
#[test]
fn an_m4a_recording_loses_its_priming() {
    let p = Project::fixture("show");
    let rec = p.file("episodes/cartographie-sensible-a-jazeneuil.m4a");
    let probe = |f: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&p.ok(&["probe", "--json", f.to_str().unwrap()])).unwrap()
    };
    let before = probe(&rec);
    assert_eq!(before[0]["duration_source"].as_str(), Some("edit-list"), "{before}");
    let (samples, rate) = (before[0]["samples"].as_u64().unwrap(), before[0]["sample_rate"].as_u64().unwrap());
    p.ok(&["master", "brouillon", "--from", rec.to_str().unwrap()]);
    let after = probe(&p.file("episodes/brouillon.mp3"));
    let expected = samples * 44_100 / rate;
    let got = after[0]["samples"].as_u64().unwrap();
    assert!(got.abs_diff(expected) <= 2, "{got} samples, {expected} playable in the recording");
}
