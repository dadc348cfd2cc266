//! Exact facts about an audio file: container, codec, rate, channels, bitrate, length, MIME type,
//! content hash and duration.
//!
//! Durations are exact, not header estimates:
//! - MP3: the MPEG frames are counted (a demux without decoding, a few ms per hour of audio), minus
//!   the encoder delay and padding of the LAME tag. Symphonia alone would cut a VBR file with no
//!   Xing header at its size-based estimate, without an error.
//! - M4A: the edit list (or iTunes' `iTunSMPB`) removes the AAC priming samples.
//! - FLAC, WAV, Ogg Vorbis and Opus: the sample count of the container.

use std::io::Cursor;
use std::path::Path;

use serde::{Deserialize, Serialize};
use symphonia::core::codecs::audio::well_known as codec_ids;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::well_known as format_ids;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use super::ProbeError;

/// Bumped whenever the facts computed for the same bytes change, so that cached probes are redone.
pub(crate) const PROBE_VERSION: u32 = 2;

/// What Veillée knows about an audio file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioFacts {
    /// `mp3`, `mp4`, `ogg`, `flac` or `wav`.
    pub container: String,
    /// `mp3`, `aac`, `alac`, `vorbis`, `opus`, `flac` or `pcm`.
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    /// Average bits per second over the whole file.
    pub bitrate: u64,
    /// Bytes.
    pub length: u64,
    pub mime: String,
    /// The file extension that goes with the content (`mp3`, `m4a`, `ogg`, `opus`, `flac`, `wav`).
    pub extension: String,
    /// BLAKE3 of the whole file, hex.
    pub blake3: String,
    /// Playable samples per channel (priming and padding removed).
    pub samples: u64,
    /// `samples` in milliseconds, rounded to the nearest.
    pub duration_ms: u64,
    /// How the duration was found, for people comparing with other tools.
    pub duration_source: DurationSource,
    /// Where the audio is in the file (for MP3, its frames without the ID3 and APE tags): what
    /// the published copy keeps of the source, behind its own tag.
    pub audio_start: u64,
    pub audio_end: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DurationSource {
    /// MPEG frames counted, LAME delay and padding removed.
    FrameCount,
    /// MPEG frames counted; no LAME tag, so the decoder delay is included (as every player plays it).
    FrameCountNoGaplessInfo,
    /// The container's sample count.
    Container,
    /// The container's sample count minus the edit list's priming and padding.
    EditList,
    /// The container's sample count minus iTunSMPB's priming and padding.
    ItunSmpb,
    /// The packets' durations added up (the container gave no total).
    PacketSum,
}

impl AudioFacts {
    /// The duration in seconds, as the feed and the JSON outputs write it.
    pub(crate) fn duration_seconds(&self) -> f64 {
        self.samples as f64 / f64::from(self.sample_rate)
    }
}

/// Probes a file on disk.
pub fn probe_file(path: &Path) -> Result<AudioFacts, (Option<u64>, ProbeError)> {
    let io = |e: std::io::Error| (None, ProbeError::Io { reason: e.to_string() });
    let file = std::fs::File::open(path).map_err(io)?;
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if file.metadata().map_err(io)?.len() == 0 {
        return Err((None, ProbeError::Empty));
    }
    // Mapping the file instead of reading it saves a copy and the page faults of a buffer as
    // large as the file: a third of the time on an hour of MP3.
    // SAFETY: the map is read-only and dropped before returning; a file truncated by another
    // process meanwhile is the one case the OS cannot make safe (as for every mmap reader).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    probe_bytes(&map, ext.as_deref())
}

/// Probes audio held in memory; `ext` is a hint only (the content decides). An error may carry
/// the byte offset where the problem is.
pub(crate) fn probe_bytes(bytes: &[u8], ext: Option<&str>) -> Result<AudioFacts, (Option<u64>, ProbeError)> {
    if bytes.is_empty() {
        return Err((None, ProbeError::Empty));
    }
    // Hashing and demuxing each read the whole file: they run side by side.
    std::thread::scope(|scope| {
        let hash = scope.spawn(|| crate::util::hash::blake3_hex(bytes));
        let facts = probe_facts(bytes, ext);
        facts.map(|mut f| {
            f.blake3 = hash.join().unwrap_or_else(|_| crate::util::hash::blake3_hex(bytes));
            f
        })
    })
}

/// [`probe_bytes`] for a caller that already has the BLAKE3 of the bytes.
pub(crate) fn probe_hashed(
    bytes: &[u8],
    ext: Option<&str>,
    blake3: String,
) -> Result<AudioFacts, (Option<u64>, ProbeError)> {
    if bytes.is_empty() {
        return Err((None, ProbeError::Empty));
    }
    probe_facts(bytes, ext).map(|f| AudioFacts { blake3, ..f })
}

fn probe_facts(bytes: &[u8], ext: Option<&str>) -> Result<AudioFacts, (Option<u64>, ProbeError)> {
    let id3_end = check_id3v2(bytes)?;
    let mut format = open(bytes, ext)?;
    let info = format.format_info();
    let format_id = info.format;
    let track = format.default_track(TrackType::Audio).ok_or((None, ProbeError::NoAudioTrack))?.clone();
    let params =
        track.codec_params.as_ref().and_then(|p| p.audio()).cloned().ok_or((None, ProbeError::NoAudioTrack))?;
    let sample_rate = params.sample_rate.ok_or((None, ProbeError::NoAudioTrack))?;
    let channels = params.channels.as_ref().map_or(0, |c| c.count() as u32);
    let codec = codec_name(params.codec)
        .ok_or_else(|| (None, ProbeError::Unsupported { what: format!("codec {:?}", params.codec) }))?;
    let (container, extension, mime) = match format_id {
        format_ids::FORMAT_ID_MP3 => ("mp3", "mp3", "audio/mpeg"),
        format_ids::FORMAT_ID_ISOMP4 => ("mp4", "m4a", "audio/x-m4a"),
        format_ids::FORMAT_ID_OGG if codec == "opus" => ("ogg", "opus", "audio/opus"),
        format_ids::FORMAT_ID_OGG => ("ogg", "ogg", "audio/ogg"),
        format_ids::FORMAT_ID_FLAC => ("flac", "flac", "audio/flac"),
        format_ids::FORMAT_ID_WAVE => ("wav", "wav", "audio/wav"),
        _ => return Err((None, ProbeError::Unsupported { what: format!("container {}", info.short_name) })),
    };

    let (samples, duration_source) = match format_id {
        format_ids::FORMAT_ID_MP3 => mp3_samples(&track, bytes, id3_end)?,
        format_ids::FORMAT_ID_ISOMP4 => mp4_samples(&mut *format, &track, bytes)?,
        // The Ogg granule of an Opus stream counts the pre-skip (RFC 7845 §4.2).
        format_ids::FORMAT_ID_OGG if codec == "opus" => match track.num_frames {
            Some(n) if n > 0 => (n.saturating_sub(u64::from(track.delay.unwrap_or(0))), DurationSource::Container),
            _ => (packet_sum(&mut *format, track.id)?, DurationSource::PacketSum),
        },
        _ => match track.num_frames {
            Some(n) if n > 0 => (n, DurationSource::Container),
            _ => (packet_sum(&mut *format, track.id)?, DurationSource::PacketSum),
        },
    };
    if samples == 0 {
        return Err((Some(id3_end as u64), ProbeError::NoAudioFrames));
    }
    let audio = match format_id {
        format_ids::FORMAT_ID_MP3 => mp3_audio(bytes)?,
        _ => 0..bytes.len(),
    };
    let duration_ms = (u128::from(samples) * 1000 + u128::from(sample_rate) / 2) / u128::from(sample_rate);
    let bitrate = (u128::from(bytes.len() as u64) * 8 * u128::from(sample_rate) / u128::from(samples)) as u64;
    Ok(AudioFacts {
        container: container.into(),
        codec: codec.into(),
        sample_rate,
        channels,
        bitrate,
        length: bytes.len() as u64,
        mime: mime.into(),
        extension: extension.into(),
        blake3: String::new(),
        samples,
        duration_ms: duration_ms as u64,
        duration_source,
        audio_start: audio.start as u64,
        audio_end: audio.end as u64,
    })
}

/// Checks a leading ID3v2 header before symphonia reads it: a size field larger than the file
/// must be reported, never allocated. Returns where the audio starts.
fn check_id3v2(bytes: &[u8]) -> Result<usize, (Option<u64>, ProbeError)> {
    if bytes.len() < 10 || &bytes[..3] != b"ID3" {
        return Ok(0);
    }
    let size = bytes[6..10].iter().fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7f));
    let footer = if bytes[5] & 0x10 != 0 { 10 } else { 0 };
    let end = 10 + size + footer;
    if end > bytes.len() {
        return Err((Some(6), ProbeError::Id3TooLarge { claimed: size as u64, available: (bytes.len() - 10) as u64 }));
    }
    if bytes[end..].iter().all(|&b| b == 0) {
        return Err((Some(end as u64), ProbeError::NoAudioFrames));
    }
    Ok(end)
}

pub(super) fn open<'a>(
    bytes: &'a [u8],
    ext: Option<&str>,
) -> Result<Box<dyn FormatReader + 'a>, (Option<u64>, ProbeError)> {
    // The demuxer is given what follows the leading ID3v2 tags: symphonia looks for a format's
    // marker only so far into a file, and a tag holding a large picture hides the audio from it.
    let skip = if bytes.starts_with(b"ID3") { mp3_audio(bytes).map_or(0, |a| a.start) } else { 0 };
    let audio = &bytes[skip..];
    let mss = MediaSourceStream::new(Box::new(Cursor::new(audio)), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    if let Some(ext) = ext {
        hint.with_extension(ext);
    }
    symphonia::default::get_probe().probe(&hint, mss, FormatOptions::default(), MetadataOptions::default()).map_err(
        |_| {
            let looks_like_text =
                audio.iter().take(4096).all(|&b| b == b'\n' || b == b'\r' || b == b'\t' || (b >= 0x20 && b != 0x7f))
                    && std::str::from_utf8(&audio[..audio.len().min(4096)]).is_ok();
            (Some(skip as u64), ProbeError::NotAudio { text: looks_like_text })
        },
    )
}

/// A codec's name for people: Veillée's name for it, else symphonia's.
pub(super) fn codec_label(id: symphonia::core::codecs::audio::AudioCodecId) -> String {
    codec_name(id).map_or_else(|| id.to_string(), str::to_uppercase)
}

fn codec_name(id: symphonia::core::codecs::audio::AudioCodecId) -> Option<&'static str> {
    Some(match id {
        codec_ids::CODEC_ID_MP3 => "mp3",
        codec_ids::CODEC_ID_AAC => "aac",
        codec_ids::CODEC_ID_ALAC => "alac",
        codec_ids::CODEC_ID_VORBIS => "vorbis",
        codec_ids::CODEC_ID_OPUS => "opus",
        codec_ids::CODEC_ID_FLAC => "flac",
        id if is_pcm(id) => "pcm",
        _ => return None,
    })
}

fn is_pcm(id: symphonia::core::codecs::audio::AudioCodecId) -> bool {
    use codec_ids::*;
    [
        CODEC_ID_PCM_S16LE,
        CODEC_ID_PCM_S24LE,
        CODEC_ID_PCM_S32LE,
        CODEC_ID_PCM_U8,
        CODEC_ID_PCM_F32LE,
        CODEC_ID_PCM_F64LE,
        CODEC_ID_PCM_S16BE,
        CODEC_ID_PCM_S24BE,
        CODEC_ID_PCM_S32BE,
        CODEC_ID_PCM_S8,
    ]
    .contains(&id)
}

/// Counts every MPEG frame. The LAME tag's delay and padding are removed; a Xing/Info frame count
/// that promises more frames than the file holds means the file was cut short.
fn mp3_samples(
    track: &symphonia::core::formats::Track,
    bytes: &[u8],
    id3_end: usize,
) -> Result<(u64, DurationSource), (Option<u64>, ProbeError)> {
    let end = bytes.len() - trailing_tags(bytes);
    let scan = super::mpeg::scan(bytes, id3_end, end);
    if scan.frames == 0 {
        return Err((Some(id3_end as u64), ProbeError::NoAudioFrames));
    }
    if scan.partial > 0 {
        return Err((Some(scan.partial_at), ProbeError::PartialFrame { bytes: scan.partial }));
    }
    let raw = scan.samples;
    let delay = u64::from(track.delay.unwrap_or(0));
    let padding = u64::from(track.padding.unwrap_or(0));
    if track.delay.is_none() {
        return Ok((raw, DurationSource::FrameCountNoGaplessInfo));
    }
    // A LAME tag sits in a Xing/Info frame whose frame count symphonia used for num_frames.
    if let Some(announced) = track.num_frames.map(|n| n + delay + padding)
        && raw < announced
    {
        return Err((
            Some(bytes.len() as u64),
            ProbeError::Truncated { announced_ms: announced_ms(announced, track), found_ms: announced_ms(raw, track) },
        ));
    }
    Ok((raw.saturating_sub(delay + padding), DurationSource::FrameCount))
}

fn announced_ms(samples: u64, track: &symphonia::core::formats::Track) -> u64 {
    let rate = track.codec_params.as_ref().and_then(|p| p.audio()).and_then(|a| a.sample_rate).unwrap_or(44_100);
    samples * 1000 / u64::from(rate)
}

/// Where the MPEG frames of an MP3 are: after its ID3v2 tags (a file tagged twice has two),
/// before an ID3v1 or APEv2 tag.
pub(super) fn mp3_audio(bytes: &[u8]) -> Result<std::ops::Range<usize>, (Option<u64>, ProbeError)> {
    let mut start = 0;
    while bytes.len() - start >= 10 && &bytes[start..start + 3] == b"ID3" {
        start += check_id3v2(&bytes[start..]).map_err(|(at, e)| (at.map(|a| a + start as u64), e))?;
    }
    let end = bytes.len() - trailing_tags(bytes);
    if end <= start {
        return Err((Some(start as u64), ProbeError::NoAudioFrames));
    }
    Ok(start..end)
}

/// The length of an ID3v1 tag and an APEv2 tag at the end of the file.
fn trailing_tags(bytes: &[u8]) -> usize {
    let mut end = bytes.len();
    if end >= 128 && &bytes[end - 128..end - 125] == b"TAG" {
        end -= 128;
    }
    if end >= 32 && &bytes[end - 32..end - 24] == b"APETAGEX" {
        let size = u32::from_le_bytes(bytes[end - 20..end - 16].try_into().unwrap_or([0; 4])) as usize;
        let has_header = bytes[end - 9] & 0x80 != 0;
        end = end.saturating_sub(size + if has_header { 32 } else { 0 });
    }
    bytes.len() - end
}

/// AAC in MP4: the samples of the track minus the priming and padding declared by the edit list
/// (what ffmpeg writes) or by iTunes' `iTunSMPB` tag (what Apple's encoders write).
fn mp4_samples(
    format: &mut dyn FormatReader,
    track: &symphonia::core::formats::Track,
    bytes: &[u8],
) -> Result<(u64, DurationSource), (Option<u64>, ProbeError)> {
    let total = match track.num_frames {
        Some(n) if n > 0 => n,
        _ => packet_sum(format, track.id)?,
    };
    Ok(match mp4_trim(format, bytes, total) {
        Some((_, samples, source)) => (samples, source),
        None => (total, DurationSource::Container),
    })
}

/// The priming samples an MP4's decoder output starts with and the playable samples after them
/// (symphonia's reader applies neither), from `iTunSMPB` or the edit list; `total`: the
/// track's sample count.
pub(super) fn mp4_trim(format: &mut dyn FormatReader, bytes: &[u8], total: u64) -> Option<(u64, u64, DurationSource)> {
    if let Some((priming, samples)) = itunsmpb(format) {
        return Some((priming, samples, DurationSource::ItunSmpb));
    }
    edit_list_samples(bytes, total).map(|(start, samples)| (start, samples, DurationSource::EditList))
}

/// ` 00000000 00000840 000001CA 00000000003F31F6 …`: priming, padding, then the true sample count.
fn itunsmpb(format: &mut dyn FormatReader) -> Option<(u64, u64)> {
    let metadata = format.metadata();
    let revision = metadata.current()?;
    let tag = revision.media.tags.iter().find(|t| t.raw.key.ends_with("iTunSMPB"))?;
    let value = tag.raw.value.to_string();
    let fields: Vec<&str> = value.split_whitespace().collect();
    let priming = u64::from_str_radix(fields.get(1)?, 16).ok()?;
    let samples = u64::from_str_radix(fields.get(3)?, 16).ok()?;
    (samples > 0).then_some((priming, samples))
}

/// The first audio track's edit list: where it starts and how long it presents, in media
/// samples.
fn edit_list_samples(bytes: &[u8], total: u64) -> Option<(u64, u64)> {
    use mp4_atom::ReadFrom;
    let mut cursor = Cursor::new(bytes);
    let moov = std::iter::from_fn(|| mp4_atom::Any::read_from(&mut cursor).ok()).find_map(|atom| match atom {
        mp4_atom::Any::Moov(moov) => Some(moov),
        _ => None,
    })?;
    let movie_scale = u64::from(moov.mvhd.timescale);
    let trak = moov.trak.iter().find(|t| t.mdia.hdlr.handler == b"soun".into())?;
    let media_scale = u64::from(trak.mdia.mdhd.timescale);
    let entries = &trak.edts.as_ref()?.elst.as_ref()?.entries;
    // Only the common single edit (skip the priming, play to the end of the real audio).
    let [entry] = entries.as_slice() else { return None };
    let start = entry.media_time?;
    if movie_scale == 0 {
        return None;
    }
    let presented = if entry.segment_duration > 0 {
        // The segment is in movie time units; the samples are in media time units.
        (u128::from(entry.segment_duration) * u128::from(media_scale) / u128::from(movie_scale)) as u64
    } else {
        total.saturating_sub(start)
    };
    Some((start, presented.min(total.saturating_sub(start))))
}

fn packet_sum(format: &mut dyn FormatReader, track_id: u32) -> Result<u64, (Option<u64>, ProbeError)> {
    let mut sum = 0u64;
    while let Some(packet) = next_packet(format)? {
        if packet.track_id == track_id {
            sum += packet.dur.get();
        }
    }
    Ok(sum)
}

pub(super) fn next_packet(
    format: &mut dyn FormatReader,
) -> Result<Option<symphonia::core::packet::Packet>, (Option<u64>, ProbeError)> {
    format.next_packet().map_err(|e| (None, ProbeError::Damaged { reason: e.to_string() }))
}
