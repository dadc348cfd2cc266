//! Mastering: a recording (WAV, FLAC, Ogg, M4A or MP3) made into the episode's MP3 at the
//! show's settings — decoded (symphonia), downmixed (5.1 to stereo by ITU-R BS.775, stereo to
//! mono by the mean), resampled (rubato), brought to the loudness target by one gain, kept under
//! the true-peak ceiling by a look-ahead limiter, and encoded by LAME (built from source by
//! cargo) with its gapless header (encoder delay and padding), so that the duration is exact.
//! The result is measured again after encoding, and limited harder when the encoder's own
//! overshoot crossed the ceiling.

use ebur128::{EbuR128, Mode};
use rubato::Resampler;
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::TrackType;

use super::ProbeError;

/// What a mastering aims at: channel.toml's `[mastering]`, each field defaulting to the below.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub target_lufs: f64,
    pub true_peak_db: f64,
    pub bitrate_kbps: u32,
    pub channels: u8,
    pub sample_rate: u32,
    /// The light version's format, if the show offers one (at the same loudness and ceiling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub light: Option<Format>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            target_lufs: -16.0,
            true_peak_db: -1.0,
            bitrate_kbps: 96,
            channels: 1,
            sample_rate: 44_100,
            light: None,
        }
    }
}

impl Settings {
    /// The main file's format.
    pub fn main(&self) -> Format {
        Format { bitrate_kbps: self.bitrate_kbps, channels: self.channels, sample_rate: self.sample_rate }
    }
}

/// An MP3's format: `[mastering]`'s own, or its `light = { … }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Format {
    pub bitrate_kbps: u32,
    pub channels: u8,
    pub sample_rate: u32,
}

impl Default for Format {
    /// The light version's: mono 32 kbit/s at 22,050 Hz (14 MB an hour), which every app plays.
    fn default() -> Self {
        Format { bitrate_kbps: 32, channels: 1, sample_rate: 22_050 }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = if self.channels > 1 { "s" } else { "" };
        write!(f, "{} kbit/s, {} channel{s}, {} Hz", self.bitrate_kbps, self.channels, self.sample_rate)
    }
}

impl Format {
    /// Why LAME cannot encode this format, if it cannot: MPEG-2 (16 to 24 kHz) goes up to
    /// 160 kbit/s, MPEG-1 (32 to 48 kHz) starts at 32.
    pub fn unencodable(&self) -> Option<String> {
        if !BITRATES.contains(&self.bitrate_kbps) {
            return Some(format!("{} kbit/s is not an MP3 bit rate", self.bitrate_kbps));
        }
        if !SAMPLE_RATES.contains(&self.sample_rate) {
            return Some(format!("{} Hz is not an MP3 sample rate", self.sample_rate));
        }
        match (self.sample_rate <= 24_000, self.bitrate_kbps) {
            (true, kbps) if kbps > 160 => {
                Some(format!("at {} Hz an MP3 goes up to 160 kbit/s, not {kbps}", self.sample_rate))
            }
            (false, kbps) if kbps < 32 => {
                Some(format!("at {} Hz an MP3 starts at 32 kbit/s, not {kbps}", self.sample_rate))
            }
            _ => None,
        }
    }
}

/// The bit rates LAME encodes at constant rate, kbit/s.
pub const BITRATES: [u32; 16] = [8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
/// The output sample rates offered (MPEG-1 and MPEG-2 layer III).
pub const SAMPLE_RATES: [u32; 6] = [22_050, 24_000, 32_000, 44_100, 48_000, 16_000];

impl std::fmt::Display for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} LUFS, {} dBTP, {}", self.target_lufs, self.true_peak_db, self.main())?;
        match &self.light {
            Some(light) => write!(f, "; light version {light}"),
            None => Ok(()),
        }
    }
}

/// Why a recording cannot be mastered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    #[error("{0}")]
    Audio(#[from] ProbeError),
    #[error("it holds only silence: there is nothing to bring to a loudness")]
    Silence,
    #[error("{0} kbit/s is not an MP3 bit rate LAME offers (8 to 320, as 32, 64, 96, 128…)")]
    Bitrate(u32),
    #[error("{0}")]
    Format(String),
    #[error("the encoder refused: {0}")]
    Encoder(String),
    #[error("the resampler refused: {0}")]
    Resampler(String),
}

/// A loudness and a true peak.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Level {
    pub integrated_lufs: f64,
    pub true_peak_dbtp: f64,
}

/// A mastered recording: the main MP3, and the light one if the settings ask for it.
#[derive(Debug, Clone)]
pub struct Mastered {
    /// The recording's level.
    pub before: Level,
    pub main: Rendered,
    pub light: Option<Rendered>,
}

/// One MP3 made from the recording.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub mp3: Vec<u8>,
    pub format: Format,
    /// Its level, measured on the MP3.
    pub after: Level,
    /// Frames of the recording, resampled to the output rate (what the MP3 must play).
    pub frames: u64,
    /// The gain applied, in dB.
    pub gain_db: f64,
}

/// Decoded audio, interleaved.
#[derive(Clone)]
struct Pcm {
    rate: u32,
    channels: usize,
    samples: Vec<f32>,
}

/// Masters the recording `bytes` (`ext` a hint) at `settings`: decoded once, then the main MP3
/// and the light one made side by side, one on each core.
pub fn master(bytes: &[u8], ext: Option<&str>, settings: &Settings) -> Result<Mastered, EncodeError> {
    for format in std::iter::once(settings.main()).chain(settings.light) {
        if let Some(why) = format.unencodable() {
            return Err(EncodeError::Format(why));
        }
    }
    let step = crate::util::progress::step("decode");
    let pcm = decode(bytes, ext)?;
    drop(step);
    let before = level(&pcm.samples, pcm.channels, pcm.rate).ok_or(EncodeError::Silence)?;
    let _step = crate::util::progress::step("encode");
    let pcm = &pcm;
    let (main, light) = std::thread::scope(|s| {
        let light = settings.light.map(|format| s.spawn(move || render(pcm, format, settings)));
        let main = render(pcm, settings.main(), settings);
        let light = light.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (main, light)
    });
    Ok(Mastered { before, main: main?, light: light.transpose()? })
}

/// One MP3 of `pcm` in `format`, at the loudness and under the ceiling of `settings`.
fn render(pcm: &Pcm, format: Format, settings: &Settings) -> Result<Rendered, EncodeError> {
    let pcm = downmix(pcm, usize::from(format.channels.max(1)));
    let pcm = resample(pcm, format.sample_rate)?;
    let frames = (pcm.samples.len() / pcm.channels) as u64;
    // Each pass through the encoder is counted; a pass again adds to the bar.
    crate::util::progress::add(pcm.samples.len());
    let now = level(&pcm.samples, pcm.channels, pcm.rate).ok_or(EncodeError::Silence)?;
    let mut gain_db = settings.target_lufs - now.integrated_lufs;
    // The gain of the first pass, the limiter's share given back.
    let mut first_gain = None;
    // What the loudness may miss the target by when no pass lands within 0.2 LU: the main file's
    // half a LU (what a listener cannot hear), a light version's one, its encoder's low-pass and
    // overshoot being coarser.
    let tolerance = if format == settings.main() { 0.5 } else { 1.0 };
    let mut best = None;
    // The limiter's sample ceiling starts under the true-peak one (the peaks between samples and
    // the encoder's overshoot), and goes down by what the encoded file still exceeds.
    let mut margin = 1.0;
    // What the encoder takes off the loudness, aimed above by as much.
    let mut encoder_loss = 0.0;
    for pass in 0..6 {
        if pass > 0 {
            crate::util::progress::add(pcm.samples.len());
        }
        let ceiling = 10f32.powf((settings.true_peak_db - margin) as f32 / 20.0);
        // What the limiter takes off the loudness is given back by the gain, a few times over.
        let mut limited = Vec::new();
        for _ in 0..4 {
            let gain = 10f32.powf(gain_db as f32 / 20.0);
            let gained: Vec<f32> = pcm.samples.iter().map(|s| s * gain).collect();
            limited = limit(&gained, pcm.channels, pcm.rate, ceiling);
            let aim = settings.target_lufs + encoder_loss;
            let short = level(&limited, pcm.channels, pcm.rate).map_or(0.0, |l| aim - l.integrated_lufs);
            if short.abs() < 0.1 {
                break;
            }
            gain_db += short;
        }
        let mp3 = encode(&limited, pcm.channels, pcm.rate, format.bitrate_kbps)?;
        let measured = super::loudness::measure(&mp3, Some("mp3")).map_err(|(_, e)| EncodeError::Audio(e))?;
        let after = Level {
            integrated_lufs: measured.integrated_lufs.unwrap_or(f64::NEG_INFINITY),
            true_peak_dbtp: measured.true_peak_dbtp.unwrap_or(f64::NEG_INFINITY),
        };
        let over = after.true_peak_dbtp - settings.true_peak_db;
        let first_gain = *first_gain.get_or_insert(gain_db);
        // The encoder's low-pass takes some loudness off (more at low bit rates): given back.
        let short = settings.target_lufs - after.integrated_lufs;
        if over <= 0.0 && short.abs() <= 0.2 {
            return Ok(Rendered { mp3, format, after, frames, gain_db });
        }
        if over <= 0.0
            && short.abs() <= tolerance
            && best.as_ref().is_none_or(|b: &Rendered| short.abs() < b.short(settings))
        {
            best = Some(Rendered { mp3, format, after, frames, gain_db });
        }
        if over > 0.0 {
            margin += over + 0.1;
        } else {
            encoder_loss += short;
        }
        // At a low bit rate, more loudness asks for more limiting, which the encoder's overshoot
        // answers with higher peaks: past 6 dB more than the first gain, it only gets worse.
        if gain_db > first_gain + 6.0 {
            break;
        }
    }
    best.ok_or_else(|| {
        EncodeError::Encoder(format!(
            "the {} MP3 stays away from {} LUFS or above {} dBTP after six tries",
            format, settings.target_lufs, settings.true_peak_db
        ))
    })
}

impl Rendered {
    /// How far below (or above) the target it is, in LU.
    fn short(&self, settings: &Settings) -> f64 {
        (settings.target_lufs - self.after.integrated_lufs).abs()
    }
}

/// Decodes a whole file (its default audio track).
fn decode(bytes: &[u8], ext: Option<&str>) -> Result<Pcm, EncodeError> {
    if bytes.is_empty() {
        return Err(ProbeError::Empty.into());
    }
    let mut format = super::probe::open(bytes, ext).map_err(|(_, e)| e)?;
    let track = format.default_track(TrackType::Audio).ok_or(ProbeError::NoAudioTrack)?;
    let params = track.codec_params.as_ref().and_then(|p| p.audio()).ok_or(ProbeError::NoAudioTrack)?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|_| ProbeError::NoDecoder { codec: super::probe::codec_label(params.codec) })?;
    let track_id = track.id;
    let frames = track.num_frames.unwrap_or(0);
    // The AAC priming an MP4 declares: without this, the audio would start late by it.
    let trim = (format.format_info().format == symphonia::core::formats::well_known::FORMAT_ID_ISOMP4)
        .then(|| super::probe::mp4_trim(&mut *format, bytes, frames))
        .flatten();
    crate::util::progress::add(bytes.len());
    let mut pcm = Pcm { rate: 0, channels: 0, samples: Vec::new() };
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) => return Err(ProbeError::Damaged { reason: format!("it stops midway: {e}") }.into()),
        };
        crate::util::progress::advance(packet.data.len());
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(buf) => buf,
            Err(SymphoniaError::DecodeError(e)) => {
                return Err(ProbeError::Damaged { reason: format!("a packet cannot be decoded: {e}") }.into());
            }
            Err(e) => return Err(ProbeError::Damaged { reason: e.to_string() }.into()),
        };
        let spec = buf.spec();
        let (rate, channels) = (spec.rate(), spec.channels().count());
        if channels == 0 || buf.frames() == 0 {
            continue;
        }
        if pcm.channels == 0 {
            (pcm.rate, pcm.channels) = (rate, channels);
        } else if (rate, channels) != (pcm.rate, pcm.channels) {
            return Err(ProbeError::Damaged { reason: "its format changes midway".into() }.into());
        }
        let at = pcm.samples.len();
        pcm.samples.resize(at + buf.samples_interleaved(), 0.0);
        buf.copy_to_slice_interleaved(&mut pcm.samples[at..]);
    }
    if let Some((skip, keep, _)) = trim {
        let channels = pcm.channels.max(1);
        let end = (skip.saturating_add(keep) as usize).saturating_mul(channels).min(pcm.samples.len());
        let start = (skip as usize).saturating_mul(channels).min(end);
        pcm.samples.truncate(end);
        pcm.samples.drain(..start);
    }
    if pcm.samples.is_empty() {
        return Err(ProbeError::NoAudioFrames.into());
    }
    Ok(pcm)
}

/// Loudness and true peak, `None` for silence.
fn level(samples: &[f32], channels: usize, rate: u32) -> Option<Level> {
    let mut r128 = EbuR128::new(channels as u32, rate, Mode::I | Mode::TRUE_PEAK).ok()?;
    r128.add_frames_f32(samples).ok()?;
    let integrated = r128.loudness_global().ok().filter(|l| l.is_finite())?;
    let peak = (0..channels as u32).filter_map(|c| r128.true_peak(c).ok()).fold(0.0f64, f64::max);
    Some(Level { integrated_lufs: integrated, true_peak_dbtp: 20.0 * peak.max(1e-10).log10() })
}

/// Fewer channels: 5.1 (L R C LFE Ls Rs) to stereo by ITU-R BS.775 (centre and surrounds at
/// −3 dB, the LFE left out), then stereo (or more) to mono by the mean.
fn downmix(pcm: &Pcm, channels: usize) -> std::borrow::Cow<'_, Pcm> {
    if pcm.channels <= channels {
        return std::borrow::Cow::Borrowed(pcm);
    }
    let k = std::f32::consts::FRAC_1_SQRT_2;
    let frames = pcm.samples.chunks_exact(pcm.channels);
    let stereo: Vec<[f32; 2]> = match pcm.channels {
        6 => frames.map(|f| [f[0] + k * f[2] + k * f[4], f[1] + k * f[2] + k * f[5]]).collect(),
        _ => Vec::new(),
    };
    let samples: Vec<f32> = match (stereo.is_empty(), channels) {
        (false, 2) => stereo.iter().flat_map(|s| *s).collect(),
        (false, _) => stereo.iter().map(|[l, r]| (l + r) / 2.0).collect(),
        (true, 1) => pcm.samples.chunks_exact(pcm.channels).map(|f| f.iter().sum::<f32>() / f.len() as f32).collect(),
        // Any other count to stereo: the first two channels.
        (true, _) => pcm.samples.chunks_exact(pcm.channels).flat_map(|f| [f[0], f[1]]).collect(),
    };
    std::borrow::Cow::Owned(Pcm { rate: pcm.rate, channels, samples })
}

/// The same audio at `rate` (rubato's FFT resampler; its delay trimmed, the length exact).
fn resample(pcm: std::borrow::Cow<'_, Pcm>, rate: u32) -> Result<std::borrow::Cow<'_, Pcm>, EncodeError> {
    if pcm.rate == rate {
        return Ok(pcm);
    }
    let err = |e: &dyn std::fmt::Display| EncodeError::Resampler(e.to_string());
    let frames = pcm.samples.len() / pcm.channels;
    let mut resampler =
        rubato::Fft::<f32>::new(pcm.rate as usize, rate as usize, 1024, pcm.channels, rubato::FixedSync::Input)
            .map_err(|e| err(&e))?;
    let input = rubato::audioadapter_buffers::direct::InterleavedSlice::new(&pcm.samples, pcm.channels, frames)
        .map_err(|e| err(&e))?;
    let out = resampler.process_all(&input, frames, None).map_err(|e| err(&e))?;
    Ok(std::borrow::Cow::Owned(Pcm { rate, channels: pcm.channels, samples: out.take_data() }))
}

/// A look-ahead peak limiter: no sample above `ceiling`. The gain needed at each sample is held
/// over a window around it (so it is down before the peak arrives), then released smoothly.
fn limit(samples: &[f32], channels: usize, rate: u32, ceiling: f32) -> Vec<f32> {
    let frames = samples.len() / channels;
    let need: Vec<f32> = samples
        .chunks_exact(channels)
        .map(|f| {
            let peak = f.iter().fold(0.0f32, |m, s| m.max(s.abs()));
            if peak > ceiling { ceiling / peak } else { 1.0 }
        })
        .collect();
    if need.iter().all(|g| *g >= 1.0) {
        return samples.to_vec();
    }
    // 5 ms either side: the minimum over the window (a monotonic deque), then a release of
    // 80 ms that never rises above that minimum.
    let half = (rate as usize * 5 / 1000).max(1);
    let mut held = vec![1.0f32; frames];
    let mut window: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    for i in 0..frames + half {
        if i < frames {
            while window.back().is_some_and(|&j| need[j] >= need[i]) {
                window.pop_back();
            }
            window.push_back(i);
        }
        if i >= half {
            let centre = i - half;
            while window.front().is_some_and(|&j| j + 2 * half < centre + half) {
                window.pop_front();
            }
            held[centre] = window.front().map_or(1.0, |&j| need[j]);
        }
    }
    let release = (-1.0 / (0.080 * rate as f32)).exp();
    let mut gain = 1.0f32;
    let mut out = Vec::with_capacity(samples.len());
    for (frame, target) in samples.chunks_exact(channels).zip(held) {
        gain = if target < gain { target } else { target - (target - gain) * release };
        out.extend(frame.iter().map(|s| s * gain.min(target)));
    }
    out
}

/// Whether LAME's tag fits in a constant-bit-rate frame (LAME's `InitVbrTag`): the frame
/// holds the header, the side information and the 156-byte Xing and LAME header. 32 kbit/s at
/// 22,050 Hz does not (104 bytes).
fn cbr_tag_fits(channels: usize, rate: u32, kbps: u32) -> bool {
    let mpeg1 = rate >= 32_000;
    let frame = if mpeg1 { 144_000 } else { 72_000 } * kbps / rate;
    let side = match (mpeg1, channels) {
        (true, 1) | (false, 2..) => 17,
        (true, _) => 32,
        (false, _) => 9,
    };
    frame >= 4 + side + 156
}

/// LAME, constant bit rate (average where the tag would not fit), with its LAME tag (the first frame: delay and padding for gapless
/// players and exact durations).
fn encode(samples: &[f32], channels: usize, rate: u32, kbps: u32) -> Result<Vec<u8>, EncodeError> {
    use mp3lame_encoder::{Bitrate, Builder, FlushGap, InterleavedPcm, MonoPcm, Quality};
    let bitrate = match kbps {
        8 => Bitrate::Kbps8,
        16 => Bitrate::Kbps16,
        24 => Bitrate::Kbps24,
        32 => Bitrate::Kbps32,
        40 => Bitrate::Kbps40,
        48 => Bitrate::Kbps48,
        64 => Bitrate::Kbps64,
        80 => Bitrate::Kbps80,
        96 => Bitrate::Kbps96,
        112 => Bitrate::Kbps112,
        128 => Bitrate::Kbps128,
        160 => Bitrate::Kbps160,
        192 => Bitrate::Kbps192,
        224 => Bitrate::Kbps224,
        256 => Bitrate::Kbps256,
        320 => Bitrate::Kbps320,
        other => return Err(EncodeError::Bitrate(other)),
    };
    let err = |e: &dyn std::fmt::Display| EncodeError::Encoder(e.to_string());
    let mut builder = Builder::new().ok_or_else(|| EncodeError::Encoder("LAME did not start".into()))?;
    builder.set_num_channels(channels as u8).map_err(|e| err(&e))?;
    builder.set_sample_rate(rate).map_err(|e| err(&e))?;
    // LAME would otherwise pick a lower rate for a low bit rate: the show's rate is the one asked.
    builder.set_output_sample_rate(std::num::NonZeroU32::new(rate)).map_err(|e| err(&e))?;
    builder.set_brate(bitrate).map_err(|e| err(&e))?;
    if !cbr_tag_fits(channels, rate, kbps) {
        // The LAME tag would not fit in a frame at this bit rate, and without it the duration is
        // not exact: an average bit rate instead (its tag frame is at 64 kbit/s).
        builder.set_vbr_mode(mp3lame_encoder::VbrMode::Abr).map_err(|e| err(&e))?;
        // SAFETY: the pointer is the builder's own, used before it is built; the call only sets
        // a field.
        let set = unsafe { mp3lame_encoder::ffi::lame_set_VBR_mean_bitrate_kbps(builder.as_ptr(), kbps as i32) };
        if set != 0 {
            return Err(EncodeError::Bitrate(kbps));
        }
    }
    builder.set_quality(Quality::Good).map_err(|e| err(&e))?;
    builder.set_to_write_vbr_tag(true).map_err(|e| err(&e))?;
    let mut encoder = builder.build().map_err(|e| err(&e))?;
    let mut out = Vec::with_capacity(samples.len() / 8);
    for chunk in samples.chunks(1152 * channels * 64) {
        out.reserve(mp3lame_encoder::max_required_buffer_size(chunk.len() / channels));
        let written = if channels == 1 {
            encoder.encode(MonoPcm(chunk), out.spare_capacity_mut())
        } else {
            encoder.encode(InterleavedPcm(chunk), out.spare_capacity_mut())
        }
        .map_err(|e| err(&e))?;
        // SAFETY: the encoder initialized `written` bytes of the spare capacity.
        unsafe { out.set_len(out.len() + written) };
        crate::util::progress::advance(chunk.len());
    }
    out.reserve(7200);
    // The last frame padded with silence, which the LAME tag counts (the no-gap flush keeps the
    // encoder's last samples for a next file that never comes).
    let written = encoder.flush::<FlushGap>(out.spare_capacity_mut()).map_err(|e| err(&e))?;
    // SAFETY: as above.
    unsafe { out.set_len(out.len() + written) };
    // The LAME tag replaces the first frame, which LAME wrote empty to hold it (the crate
    // writes into the vector's spare capacity only).
    let mut tag = Vec::with_capacity(encoder.lame_tag_size());
    match encoder.lame_tag_encode_to_vec(&mut tag) {
        Some(_) if tag.len() <= out.len() => out[..tag.len()].copy_from_slice(&tag),
        _ => return Err(EncodeError::Encoder("LAME gave no LAME tag: the duration would not be exact".into())),
    }
    Ok(out)
}
