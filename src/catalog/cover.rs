//! Cover art checks: what Apple Podcasts accepts (JPEG or PNG, RGB, square, 1400–3000 px).

use std::io::BufReader;
use std::path::Path;

use image::{ColorType, ImageDecoder, ImageFormat, ImageReader};

/// The facts of a checked cover image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub format: CoverFormat,
    pub width: u32,
    pub height: u32,
    pub length: u64,
    /// The first 8 hex digits of the BLAKE3 of the file: its URL changes when it changes.
    pub hash8: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverFormat {
    Jpeg,
    Png,
}

impl CoverFormat {
    pub fn extension(self) -> &'static str {
        match self {
            CoverFormat::Jpeg => "jpg",
            CoverFormat::Png => "png",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            CoverFormat::Jpeg => "image/jpeg",
            CoverFormat::Png => "image/png",
        }
    }
}

/// Reads the header of an image and checks it against Apple's rules. The error says why, in a
/// phrase that follows "the cover image `file` …".
pub fn check(path: &Path) -> Result<Cover, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    let reader = ImageReader::new(BufReader::new(std::io::Cursor::new(&bytes)))
        .with_guessed_format()
        .map_err(|e| format!("cannot be read: {e}"))?;
    let format = match reader.format() {
        Some(ImageFormat::Jpeg) => CoverFormat::Jpeg,
        Some(ImageFormat::Png) => CoverFormat::Png,
        Some(other) => return Err(format!("is {other:?}, not JPEG or PNG")),
        None => return Err("is not a JPEG or PNG image".into()),
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let ext_ok = match format {
        CoverFormat::Jpeg => ext == "jpg" || ext == "jpeg",
        CoverFormat::Png => ext == "png",
    };
    if !ext_ok {
        return Err(format!("is a {} file with a `.{ext}` name", format.extension().to_uppercase()));
    }
    let decoder = reader.into_decoder().map_err(|e| format!("is damaged: {e}"))?;
    let (width, height) = decoder.dimensions();
    match decoder.color_type() {
        ColorType::Rgb8 | ColorType::Rgb16 | ColorType::Rgba8 | ColorType::Rgba16 => {}
        ColorType::L8 | ColorType::L16 | ColorType::La8 | ColorType::La16 => {
            return Err("is in grayscale, not RGB".into());
        }
        other => return Err(format!("is not RGB ({other:?})")),
    }
    if width != height {
        return Err(format!("is {width}×{height} pixels, not square"));
    }
    if !(1400..=3000).contains(&width) {
        return Err(format!("is {width}×{height} pixels, outside 1400 to 3000"));
    }
    let hash8 = blake3::hash(&bytes).to_hex()[..8].to_owned();
    Ok(Cover { format, width, height, length: bytes.len() as u64, hash8 })
}
