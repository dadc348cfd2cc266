//! An audio file's payload: its coded audio, without the tags a publisher may rewrite. A
//! published copy keeps the source's audio as it is (an MP3's MPEG frames behind our tag; an
//! M4A's samples, whatever moves around them and whatever chapter track is added; the packets of
//! a FLAC or Ogg stream, however its comment header is paginated; a WAV whole), so comparing
//! payloads tells a re-tagged file from a damaged one without decoding anything.

use symphonia::core::formats::TrackType;

use super::ProbeError;
use super::probe::{next_packet, open};

/// Why two files' payloads cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{which}: {error}")]
pub struct PayloadError {
    /// "the source" or "the published copy".
    pub which: &'static str,
    pub error: ProbeError,
}

/// Whether `source` and `published`, two files of extension `ext` (as probe names them), carry
/// the same coded audio.
pub fn same(source: &[u8], published: &[u8], ext: &str) -> Result<bool, PayloadError> {
    let source_err = |error| PayloadError { which: "the source", error };
    let published_err = |error| PayloadError { which: "the published copy", error };
    match ext {
        // The frames are one run of bytes: compared as they lie, at memory speed.
        "mp3" => {
            let a = super::tag::mp3_audio(source).map_err(|(_, e)| source_err(e))?;
            let b = super::tag::mp3_audio(published).map_err(|(_, e)| published_err(e))?;
            Ok(source[a] == published[b])
        }
        "wav" => Ok(source == published),
        _ => {
            let mut a = Packets::new(source, ext).map_err(source_err)?;
            let mut b = Packets::new(published, ext).map_err(published_err)?;
            loop {
                match (a.next().map_err(source_err)?, b.next().map_err(published_err)?) {
                    (None, None) => return Ok(true),
                    (Some(x), Some(y)) if x == y => {}
                    _ => return Ok(false),
                }
            }
        }
    }
}

/// The packets of a file's default audio track, in order.
struct Packets<'a> {
    format: Box<dyn symphonia::core::formats::FormatReader + 'a>,
    track: u32,
}

impl<'a> Packets<'a> {
    fn new(bytes: &'a [u8], ext: &str) -> Result<Self, ProbeError> {
        let format = open(bytes, Some(ext)).map_err(|(_, e)| e)?;
        let track = format.default_track(TrackType::Audio).ok_or(ProbeError::NoAudioTrack)?.id;
        Ok(Packets { format, track })
    }

    fn next(&mut self) -> Result<Option<Box<[u8]>>, ProbeError> {
        loop {
            match next_packet(&mut *self.format).map_err(|(_, e)| e)? {
                None => return Ok(None),
                Some(p) if p.track_id == self.track => return Ok(Some(p.data)),
                Some(_) => {}
            }
        }
    }
}
