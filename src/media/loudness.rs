//! Loudness and quality of an audio file: EBU R128 integrated loudness, loudness range and true
//! peak (the `ebur128` crate, as ffmpeg's `ebur128` filter measures them), silence at the head and
//! the tail, clipping. The file is decoded by symphonia on one thread while another measures, so
//! that an hour of audio takes the time of the slower of the two, never the whole file in memory.

use std::sync::mpsc;

use ebur128::{EbuR128, Mode};
use serde::{Deserialize, Serialize};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::TrackType;

use super::ProbeError;
use crate::problem::{Diagnostic, Lang};

/// Bumped whenever the measure of the same bytes changes, so that cached reports are redone.
pub(crate) const LOUDNESS_VERSION: u32 = 1;

/// What channel.toml's `[loudness]` asks for (Apple's recommendation by default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoudnessTargets {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: f64,
    /// How far from it an episode may be, LU.
    pub tolerance_lu: f64,
    /// The highest true peak, dBTP.
    pub true_peak_dbtp: f64,
}

impl Default for LoudnessTargets {
    fn default() -> Self {
        LoudnessTargets { integrated_lufs: -16.0, tolerance_lu: 1.0, true_peak_dbtp: -1.0 }
    }
}

/// A frame quieter than this on every channel is silence (−50 dBFS).
const SILENCE: f32 = 0.003_162_3;
/// A sample at least this loud is at full scale (−0.01 dBFS)…
const FULL_SCALE: f32 = 0.998_85;
/// …and this many in a row on one channel are a clipped passage: a waveform cut flat.
const CLIP_RUN: u32 = 3;

/// What is measured of a file's audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// `None`: the whole file is below the absolute gate (−70 LUFS), silence.
    pub integrated_lufs: Option<f64>,
    pub loudness_range_lu: f64,
    /// `None`: digital silence.
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    /// The relative gate of the integrated loudness (what ffmpeg's `loudnorm` calls `thresh`).
    pub threshold_lufs: Option<f64>,
    pub head_silence_ms: u64,
    pub tail_silence_ms: u64,
    /// Passages where the waveform is cut flat at full scale.
    pub clipped: u64,
    pub sample_rate: u32,
    pub channels: u32,
    /// Decoded, in milliseconds.
    pub decoded_ms: u64,
    /// Packets the decoder could not decode (skipped: their time is missing from the measure).
    pub damaged_packets: u64,
    /// Where decoding stopped before the end of the file, and why.
    pub stopped: Option<Stopped>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stopped {
    pub at_ms: u64,
    pub reason: String,
}

/// Interleaved samples, as decoded.
struct Chunk {
    rate: u32,
    channels: u32,
    samples: Vec<f32>,
}

/// Samples gathered before they go to the measuring thread (a few packets' worth: one message
/// per MP3 frame would cost more than the frame).
const CHUNK: usize = 64 * 1024;

/// Decodes `bytes` (`ext` a hint) and measures it.
pub(crate) fn measure(bytes: &[u8], ext: Option<&str>) -> Result<Loudness, (Option<u64>, ProbeError)> {
    if bytes.is_empty() {
        return Err((None, ProbeError::Empty));
    }
    let mut format = super::probe::open(bytes, ext)?;
    let track = format.default_track(TrackType::Audio).ok_or((None, ProbeError::NoAudioTrack))?;
    let params = track.codec_params.as_ref().and_then(|p| p.audio()).ok_or((None, ProbeError::NoAudioTrack))?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|_| (None, ProbeError::NoDecoder { codec: super::probe::codec_label(params.codec) }))?;
    let track_id = track.id;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Chunk>(4);
        let meter = scope.spawn(move || Meter::run(rx));
        let mut pending = Chunk { rate: 0, channels: 0, samples: Vec::with_capacity(CHUNK) };
        let (mut frames, mut damaged, mut stopped) = (0u64, 0u64, None);
        let send = |chunk: &mut Chunk| {
            let full = std::mem::replace(&mut chunk.samples, Vec::with_capacity(CHUNK));
            tx.send(Chunk { rate: chunk.rate, channels: chunk.channels, samples: full }).is_ok()
        };
        loop {
            let packet = match format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(e) => {
                    stopped = Some(e.to_string());
                    break;
                }
            };
            if packet.track_id != track_id {
                continue;
            }
            let buf = match decoder.decode(&packet) {
                Ok(buf) => buf,
                Err(SymphoniaError::DecodeError(_)) => {
                    damaged += 1;
                    continue;
                }
                Err(e) => {
                    stopped = Some(e.to_string());
                    break;
                }
            };
            let spec = buf.spec();
            let (rate, channels) = (spec.rate(), spec.channels().count() as u32);
            if channels == 0 || buf.frames() == 0 {
                continue;
            }
            if (rate, channels) != (pending.rate, pending.channels) {
                if !pending.samples.is_empty() && !send(&mut pending) {
                    break;
                }
                (pending.rate, pending.channels) = (rate, channels);
            }
            frames += buf.frames() as u64;
            let at = pending.samples.len();
            pending.samples.resize(at + buf.samples_interleaved(), 0.0);
            buf.copy_to_slice_interleaved(&mut pending.samples[at..]);
            if pending.samples.len() >= CHUNK && !send(&mut pending) {
                break;
            }
        }
        if !pending.samples.is_empty() {
            send(&mut pending);
        }
        drop(tx);
        let measured = meter.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        let mut loudness = measured.map_err(|reason| (None, ProbeError::Damaged { reason }))?;
        if frames == 0 {
            return Err((None, ProbeError::NoAudioFrames));
        }
        loudness.damaged_packets = damaged;
        loudness.stopped = stopped.map(|reason| Stopped { at_ms: loudness.decoded_ms, reason });
        Ok(loudness)
    })
}

/// The measuring half: EBU R128, silence and clipping over the decoded samples.
struct Meter {
    r128: Option<EbuR128>,
    rate: u32,
    channels: u32,
    frames: u64,
    first_sound: Option<u64>,
    last_sound: Option<u64>,
    clipped: u64,
    /// Per channel, how many full-scale samples in a row so far.
    runs: Vec<u32>,
}

impl Meter {
    fn run(rx: mpsc::Receiver<Chunk>) -> Result<Loudness, String> {
        let mut m = Meter {
            r128: None,
            rate: 0,
            channels: 0,
            frames: 0,
            first_sound: None,
            last_sound: None,
            clipped: 0,
            runs: Vec::new(),
        };
        for chunk in rx {
            m.add(&chunk)?;
        }
        m.finish()
    }

    fn add(&mut self, chunk: &Chunk) -> Result<(), String> {
        if self.r128.is_none() || (chunk.rate, chunk.channels) != (self.rate, self.channels) {
            let mode = Mode::I | Mode::LRA | Mode::TRUE_PEAK | Mode::SAMPLE_PEAK;
            match &mut self.r128 {
                // A stream that changes its format midway (rare, but MP3 allows it) is measured on.
                Some(r) => r.change_parameters(chunk.channels, chunk.rate).map_err(|e| format!("{e:?}"))?,
                None => self.r128 = Some(EbuR128::new(chunk.channels, chunk.rate, mode).map_err(|e| format!("{e:?}"))?),
            }
            (self.rate, self.channels) = (chunk.rate, chunk.channels);
            self.runs = vec![0; chunk.channels as usize];
        }
        let r128 = self.r128.as_mut().expect("made above");
        r128.add_frames_f32(&chunk.samples).map_err(|e| format!("{e:?}"))?;
        let channels = chunk.channels as usize;
        for (i, frame) in chunk.samples.chunks_exact(channels).enumerate() {
            let at = self.frames + i as u64;
            let mut loud = false;
            for (c, &s) in frame.iter().enumerate() {
                let a = s.abs();
                loud |= a >= SILENCE;
                if a >= FULL_SCALE {
                    self.runs[c] += 1;
                    if self.runs[c] == CLIP_RUN {
                        self.clipped += 1;
                    }
                } else {
                    self.runs[c] = 0;
                }
            }
            if loud {
                self.first_sound.get_or_insert(at);
                self.last_sound = Some(at);
            }
        }
        self.frames += (chunk.samples.len() / channels) as u64;
        Ok(())
    }

    fn finish(self) -> Result<Loudness, String> {
        let Some(r128) = self.r128 else {
            return Ok(Loudness {
                integrated_lufs: None,
                loudness_range_lu: 0.0,
                true_peak_dbtp: None,
                sample_peak_dbfs: None,
                threshold_lufs: None,
                head_silence_ms: 0,
                tail_silence_ms: 0,
                clipped: 0,
                sample_rate: 0,
                channels: 0,
                decoded_ms: 0,
                damaged_packets: 0,
                stopped: None,
            });
        };
        let ms = |frames: u64| frames * 1000 / u64::from(self.rate.max(1));
        let err = |e: ebur128::Error| format!("{e:?}");
        let db = |linear: f64| (linear > 0.0).then(|| 20.0 * linear.log10());
        let peak = |f: &dyn Fn(u32) -> Result<f64, ebur128::Error>| -> Result<f64, String> {
            (0..self.channels).map(|c| f(c).map_err(err)).try_fold(0.0f64, |m, p| p.map(|p| m.max(p)))
        };
        let finite = |x: f64| x.is_finite().then_some(x);
        let integrated = finite(r128.loudness_global().map_err(err)?);
        Ok(Loudness {
            integrated_lufs: integrated,
            loudness_range_lu: finite(r128.loudness_range().map_err(err)?).unwrap_or(0.0),
            true_peak_dbtp: db(peak(&|c| r128.true_peak(c))?),
            sample_peak_dbfs: db(peak(&|c| r128.sample_peak(c))?),
            threshold_lufs: integrated.and_then(|_| r128.relative_threshold().ok()).and_then(finite),
            head_silence_ms: ms(self.first_sound.unwrap_or(self.frames)),
            tail_silence_ms: ms(self.last_sound.map_or(0, |l| self.frames - l - 1)),
            clipped: self.clipped,
            sample_rate: self.rate,
            channels: self.channels,
            decoded_ms: ms(self.frames),
            damaged_packets: 0,
            stopped: None,
        })
    }
}

/// Head or tail silence longer than this is worth a warning.
const LONG_SILENCE_MS: u64 = 3_000;
/// Below this sample rate speech sounds like a telephone.
const LOW_RATE: u32 = 32_000;

/// What a measure says against the targets: each a warning of `check` and `probe --loudness`.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(untagged)]
pub enum QualityWarning {
    #[error("integrated loudness {lufs:.1} LUFS, the target is {target:.1} LUFS ± {tolerance:.1} LU")]
    Loudness { lufs: f64, target: f64, tolerance: f64, fix: String },
    #[error("true peak {dbtp:.1} dBTP, above the {max:.1} dBTP ceiling")]
    TruePeak { dbtp: f64, max: f64, fix: String },
    #[error("the audio is silent throughout")]
    Silent,
    #[error("{count} clipped passages (the waveform cut flat at full scale)")]
    Clipped { count: u64 },
    #[error("{seconds:.1} s of silence at the start")]
    HeadSilence { seconds: f64 },
    #[error("{seconds:.1} s of silence at the end")]
    TailSilence { seconds: f64 },
    #[error("sample rate {rate} Hz")]
    LowSampleRate { rate: u32 },
    #[error("{count} damaged packets skipped while decoding")]
    Damaged { count: u64 },
    #[error("decoding stops at {at}: {reason}")]
    Stopped { at: String, reason: String },
}

impl Loudness {
    /// The warnings of this measure against `targets`, for a file named `file` in the advice.
    pub fn warnings(&self, targets: &LoudnessTargets, file: &str) -> Vec<QualityWarning> {
        let mut out = Vec::new();
        let Some(lufs) = self.integrated_lufs else {
            out.push(QualityWarning::Silent);
            return out;
        };
        let fix = || self.loudnorm_command(targets, file);
        if (lufs - targets.integrated_lufs).abs() > targets.tolerance_lu {
            out.push(QualityWarning::Loudness {
                lufs,
                target: targets.integrated_lufs,
                tolerance: targets.tolerance_lu,
                fix: fix(),
            });
        }
        if let Some(dbtp) = self.true_peak_dbtp.filter(|p| *p > targets.true_peak_dbtp) {
            out.push(QualityWarning::TruePeak { dbtp, max: targets.true_peak_dbtp, fix: fix() });
        }
        if self.clipped > 0 {
            out.push(QualityWarning::Clipped { count: self.clipped });
        }
        let seconds = |ms: u64| ms as f64 / 1000.0;
        if self.head_silence_ms >= LONG_SILENCE_MS {
            out.push(QualityWarning::HeadSilence { seconds: seconds(self.head_silence_ms) });
        }
        if self.tail_silence_ms >= LONG_SILENCE_MS {
            out.push(QualityWarning::TailSilence { seconds: seconds(self.tail_silence_ms) });
        }
        if self.sample_rate < LOW_RATE {
            out.push(QualityWarning::LowSampleRate { rate: self.sample_rate });
        }
        if self.damaged_packets > 0 {
            out.push(QualityWarning::Damaged { count: self.damaged_packets });
        }
        if let Some(s) = &self.stopped {
            out.push(QualityWarning::Stopped { at: crate::util::time::clock(s.at_ms), reason: s.reason.clone() });
        }
        out
    }

    /// The second pass of ffmpeg's two-pass `loudnorm`, with this measure as its first: what
    /// brings the file to the targets (linear gain when the true peak allows it).
    pub fn loudnorm_command(&self, targets: &LoudnessTargets, file: &str) -> String {
        let f = |x: Option<f64>| format!("{:.2}", x.unwrap_or(-99.0));
        let out = match file.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.normalise.{ext}"),
            None => format!("{file}.normalise"),
        };
        format!(
            "ffmpeg -i {} -af loudnorm=I={}:TP={}:LRA=11:measured_I={}:measured_TP={}:measured_LRA={:.2}:measured_thresh={}:linear=true -ar {} {}",
            shell_quote(file),
            targets.integrated_lufs,
            targets.true_peak_dbtp,
            f(self.integrated_lufs),
            f(self.true_peak_dbtp),
            self.loudness_range_lu,
            f(self.threshold_lufs),
            self.sample_rate,
            shell_quote(&out),
        )
    }
}

/// `s` as one word of a POSIX shell command.
fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A number as French writes it: a decimal comma and a true minus sign.
fn fr(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",").replace('-', "\u{2212}")
}

impl Diagnostic for QualityWarning {
    fn code(&self) -> &'static str {
        match self {
            QualityWarning::Loudness { .. } => "audio.loudness",
            QualityWarning::TruePeak { .. } => "audio.true-peak",
            QualityWarning::Silent => "audio.silent",
            QualityWarning::Clipped { .. } => "audio.clipped",
            QualityWarning::HeadSilence { .. } => "audio.head-silence",
            QualityWarning::TailSilence { .. } => "audio.tail-silence",
            QualityWarning::LowSampleRate { .. } => "audio.low-sample-rate",
            QualityWarning::Damaged { .. } => "audio.damaged-packets",
            QualityWarning::Stopped { .. } => "audio.decoding-stops",
        }
    }

    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            QualityWarning::Loudness { lufs, target, tolerance, .. } => {
                let how = if lufs < target { "trop faible" } else { "trop fort" };
                format!(
                    "volume {how} : {} LUFS en moyenne, la cible est {} LUFS (± {} LU)",
                    fr(*lufs, 1),
                    fr(*target, 1),
                    fr(*tolerance, 1)
                )
            }
            QualityWarning::TruePeak { dbtp, max, .. } => {
                format!("les pics atteignent {} dBTP, au-dessus du plafond de {} dBTP", fr(*dbtp, 1), fr(*max, 1))
            }
            QualityWarning::Silent => "l'audio est silencieux du début à la fin".into(),
            QualityWarning::Clipped { count } => {
                format!("{count} passage{} saturé{} (le son écrêté à pleine échelle)", plural(*count), plural(*count))
            }
            QualityWarning::HeadSilence { seconds } => format!("{} s de silence au début", fr(*seconds, 1)),
            QualityWarning::TailSilence { seconds } => format!("{} s de silence à la fin", fr(*seconds, 1)),
            QualityWarning::LowSampleRate { rate } => format!("fréquence d'échantillonnage de {rate} Hz"),
            QualityWarning::Damaged { count } => {
                format!("{count} paquet{} abîmé{} sauté{} au décodage", plural(*count), plural(*count), plural(*count))
            }
            QualityWarning::Stopped { at, reason } => format!("le décodage s'arrête à {at} : {reason}"),
        }
    }

    fn hint(&self, lang: Lang) -> Option<String> {
        let fr_en = |fr: String, en: String| Some(if lang == Lang::Fr { fr } else { en });
        match self {
            QualityWarning::Loudness { lufs, target, fix, .. } => {
                let gain = target - lufs;
                fr_en(
                    format!(
                        "{} le volume de {} dB à l'export de votre logiciel de montage, ou normalisez avec ffmpeg (deuxième passe, les mesures sont déjà faites) : {fix}",
                        if gain > 0.0 { "montez" } else { "baissez" },
                        fr(gain.abs(), 1)
                    ),
                    format!(
                        "{} the level by {:.1} dB when exporting from your editor, or normalise with ffmpeg (second pass, already measured): {fix}",
                        if gain > 0.0 { "raise" } else { "lower" },
                        gain.abs()
                    ),
                )
            }
            QualityWarning::TruePeak { fix, .. } => fr_en(
                format!(
                    "certaines applis et enceintes satureront : appliquez un limiteur à −1 dBTP à l'export, ou avec ffmpeg : {fix}"
                ),
                format!("some apps and speakers will distort: limit to −1 dBTP when exporting, or with ffmpeg: {fix}"),
            ),
            QualityWarning::Silent => fr_en(
                "vérifiez la piste exportée : le micro était-il coupé ?".into(),
                "check the exported track: was the microphone muted?".into(),
            ),
            QualityWarning::Clipped { .. } => fr_en(
                "l'enregistrement a saturé : baissez le gain d'entrée la prochaine fois ; un limiteur ne répare pas un son écrêté, mais un outil de « declipping » peut l'atténuer".into(),
                "the recording overloaded: lower the input gain next time; a limiter cannot repair clipping, a declipping tool can soften it".into(),
            ),
            QualityWarning::HeadSilence { .. } | QualityWarning::TailSilence { .. } => fr_en(
                "coupez ce silence dans votre logiciel de montage : les auditeurs croient que l'épisode ne marche pas".into(),
                "trim the silence in your editor: listeners think the episode is broken".into(),
            ),
            QualityWarning::LowSampleRate { .. } => fr_en(
                "la voix sonnera comme au téléphone : enregistrez et exportez en 44 100 Hz".into(),
                "voices will sound like a telephone: record and export at 44,100 Hz".into(),
            ),
            QualityWarning::Damaged { .. } | QualityWarning::Stopped { .. } => fr_en(
                "le fichier est abîmé : exportez-le à nouveau".into(),
                "the file is damaged: export it again".into(),
            ),
        }
    }

    fn args(&self) -> serde_json::Value {
        crate::problem::args_of(self)
    }
}

fn plural(n: u64) -> &'static str {
    if n > 1 { "s" } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 32-bit float WAV of `channels` × `frames`.
    fn wav(rate: u32, channels: u16, frames: impl Iterator<Item = Vec<f32>>) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut out = std::io::Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for frame in frames {
            for s in frame {
                w.write_sample(s).unwrap();
            }
        }
        w.finalize().unwrap();
        out.into_inner()
    }

    /// `seconds` of a 997 Hz sine of peak `dbfs` on every channel, after `silence` seconds.
    fn sine(rate: u32, channels: u16, dbfs: f64, silence: f64, seconds: f64) -> Vec<u8> {
        let amp = 10f64.powf(dbfs / 20.0);
        let quiet = (silence * f64::from(rate)) as usize;
        let frames = quiet + (seconds * f64::from(rate)) as usize;
        wav(
            rate,
            channels,
            (0..frames).map(move |i| {
                let t = i.saturating_sub(quiet) as f64 / f64::from(rate);
                let s = if i < quiet { 0.0 } else { (amp * (2.0 * std::f64::consts::PI * 997.0 * t).sin()) as f32 };
                vec![s; usize::from(channels)]
            }),
        )
    }

    /// EBU Tech 3341 case 1 (a stereo 997 Hz sine at −23 dBFS reads −23 LUFS), after five seconds
    /// of silence that the gate leaves out and the head measure finds.
    #[test]
    fn a_reference_tone_reads_its_level() {
        let l = measure(&sine(48_000, 2, -23.0, 5.0, 20.0), Some("wav")).unwrap();
        let lufs = l.integrated_lufs.unwrap();
        assert!((lufs + 23.0).abs() <= 0.1, "{lufs}");
        let peak = l.true_peak_dbtp.unwrap();
        assert!((peak + 23.0).abs() <= 0.2, "{peak}");
        assert!(l.loudness_range_lu < 0.5, "{}", l.loudness_range_lu);
        assert!((4_990..=5_010).contains(&l.head_silence_ms), "{}", l.head_silence_ms);
        assert_eq!((l.tail_silence_ms, l.clipped, l.sample_rate, l.channels), (0, 0, 48_000, 2));
        assert_eq!(l.decoded_ms, 25_000);

        let warnings = l.warnings(&LoudnessTargets::default(), "épisode 1.wav");
        let codes: Vec<&str> = warnings.iter().map(Diagnostic::code).collect();
        assert_eq!(codes, ["audio.loudness", "audio.head-silence"]);
        let fr = warnings[0].message(Lang::Fr);
        assert!(
            fr.starts_with("volume trop faible : \u{2212}23,0 LUFS en moyenne, la cible est \u{2212}16,0 LUFS"),
            "{fr}"
        );
        let hint = warnings[0].hint(Lang::Fr).unwrap();
        assert!(hint.starts_with("montez le volume de 7,0 dB"), "{hint}");
        assert!(hint.contains("ffmpeg -i 'épisode 1.wav' -af loudnorm=I=-16:TP=-1:LRA=11:measured_I=-23.0"), "{hint}");
        assert!(hint.ends_with(":linear=true -ar 48000 'épisode 1.normalise.wav'"), "{hint}");
    }

    #[test]
    fn silence_and_clipping_are_told() {
        let silent = measure(&wav(44_100, 1, (0..44_100).map(|_| vec![0.0])), Some("wav")).unwrap();
        assert_eq!((silent.integrated_lufs, silent.true_peak_dbtp), (None, None));
        assert_eq!(silent.warnings(&LoudnessTargets::default(), "a.wav"), [QualityWarning::Silent]);

        // A sine twice too loud for the format, cut flat at full scale on every crest.
        let crests = wav(
            44_100,
            1,
            (0..44_100).map(|i| {
                vec![(2.0 * (2.0 * std::f32::consts::PI * 100.0 * i as f32 / 44_100.0).sin()).clamp(-1.0, 1.0)]
            }),
        );
        let clipped = measure(&crests, Some("wav")).unwrap();
        assert_eq!(clipped.clipped, 200, "two crests per period, 100 periods");
        let codes: Vec<&str> =
            clipped.warnings(&LoudnessTargets::default(), "a.wav").iter().map(Diagnostic::code).collect();
        assert!(codes.contains(&"audio.clipped") && codes.contains(&"audio.true-peak"), "{codes:?}");
    }

    #[test]
    fn bad_input_is_an_error_not_a_measure() {
        assert_eq!(measure(b"", None).unwrap_err().1, ProbeError::Empty);
        assert!(matches!(measure(b"Bonjour, pas du son.\n", Some("mp3")).unwrap_err().1, ProbeError::NotAudio { .. }));
    }
}
