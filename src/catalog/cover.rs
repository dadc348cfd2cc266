//! Cover art checks: what Apple Podcasts accepts (JPEG or PNG, RGB, square, 1400–3000 px).

use std::io::BufReader;
use std::path::Path;

use image::{ColorType, ImageDecoder, ImageFormat, ImageReader};

use super::ImageFault;

/// The facts of a checked cover image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cover {
    pub format: CoverFormat,
    pub width: u32,
    pub height: u32,
    pub length: u64,
    /// The first 8 hex digits of the BLAKE3 of the file: its URL changes when it changes.
    pub hash8: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoverFormat {
    Jpeg,
    Png,
}

impl CoverFormat {
    pub(crate) fn extension(self) -> &'static str {
        match self {
            CoverFormat::Jpeg => "jpg",
            CoverFormat::Png => "png",
        }
    }

    pub(crate) fn mime(self) -> &'static str {
        match self {
            CoverFormat::Jpeg => "image/jpeg",
            CoverFormat::Png => "image/png",
        }
    }
}

/// Reads the header of an image and checks it against Apple's rules.
pub(super) fn check(path: &Path) -> Result<Cover, ImageFault> {
    let unreadable = |e: &dyn std::fmt::Display| ImageFault::Unreadable { reason: e.to_string() };
    let bytes = std::fs::read(path).map_err(|e| unreadable(&e))?;
    let reader = ImageReader::new(BufReader::new(std::io::Cursor::new(&bytes)))
        .with_guessed_format()
        .map_err(|e| unreadable(&e))?;
    let format = match reader.format() {
        Some(ImageFormat::Jpeg) => CoverFormat::Jpeg,
        Some(ImageFormat::Png) => CoverFormat::Png,
        Some(other) => return Err(ImageFault::OtherFormat { format: format!("{other:?}") }),
        None => return Err(ImageFault::NotAnImage),
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let ext_ok = match format {
        CoverFormat::Jpeg => ext == "jpg" || ext == "jpeg",
        CoverFormat::Png => ext == "png",
    };
    if !ext_ok {
        return Err(ImageFault::WrongExtension { format: format.extension().to_uppercase(), ext });
    }
    let decoder = reader.into_decoder().map_err(|e| ImageFault::Damaged { reason: e.to_string() })?;
    let (width, height) = decoder.dimensions();
    match decoder.color_type() {
        ColorType::Rgb8 | ColorType::Rgb16 | ColorType::Rgba8 | ColorType::Rgba16 => {}
        ColorType::L8 | ColorType::L16 | ColorType::La8 | ColorType::La16 => {
            return Err(ImageFault::Grayscale);
        }
        other => return Err(ImageFault::NotRgb { color: format!("{other:?}") }),
    }
    if width != height {
        return Err(ImageFault::NotSquare { width, height });
    }
    if !(1400..=3000).contains(&width) {
        return Err(ImageFault::OutOfRange { width, height });
    }
    let hash8 = blake3::hash(&bytes).to_hex()[..8].to_owned();
    Ok(Cover { format, width, height, length: bytes.len() as u64, hash8 })
}
