//! Image re-encoding and thumbnails, under explicit decoding limits.
//!
//! Decoding is where a hostile image hurts: a few KB of PNG can declare 100k × 100k pixels. The
//! header's dimensions are checked before any pixel is decoded, and the decoder's allocations
//! are capped, so memory stays bounded whatever the upload claims. Re-encoding drops EXIF (GPS
//! position, camera serial) and every other metadata chunk; EXIF orientation is applied first so
//! phone photos stay upright. Animated GIFs are kept as they are (GIF carries no EXIF) so they
//! still move; only their thumbnail is re-encoded.

use crate::error::{Error, Result};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use shared::ErrorCode;
use shared::media::THUMB_MAX_SIDE;
use std::io::Cursor;

/// Largest side accepted, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// Largest picture accepted, in pixels (40 megapixels: any phone camera).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Most memory the decoder may allocate for one image.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

pub struct Processed {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
    pub thumb_mime: &'static str,
}

/// Decodes `bytes` (already sniffed as `mime`), returning the stored form and a thumbnail.
/// CPU-heavy: call it from `spawn_blocking`.
pub fn process(bytes: Vec<u8>, mime: &str) -> Result<Processed> {
    let format = match mime {
        "image/jpeg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        "image/gif" => ImageFormat::Gif,
        "image/webp" => ImageFormat::WebP,
        _ => return Err(Error::code(ErrorCode::UnsupportedMediaType, "Photos must be JPEG, PNG, GIF or WebP.")),
    };
    let (width, height) = reader(&bytes, format).into_dimensions().map_err(unreadable)?;
    check_dimensions(width, height)?;

    let mut decoder = reader(&bytes, format).into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);

    let thumb = image.thumbnail(THUMB_MAX_SIDE, THUMB_MAX_SIDE);
    // Judged on the small thumbnail: an alpha channel that is opaque everywhere is no reason
    // to keep a photo as PNG.
    let transparent = thumb.color().has_alpha() && thumb.to_rgba8().pixels().any(|p| p[3] < 255);
    let (thumb, thumb_mime) = encode(&thumb, 75, transparent)?;
    let (width, height) = (image.width(), image.height());
    let (bytes, mime) = if format == ImageFormat::Gif {
        (bytes, "image/gif")
    } else if format == ImageFormat::Png {
        (encode_as(&image, ImageFormat::Png)?, "image/png")
    } else {
        encode(&image, 85, transparent)?
    };
    Ok(Processed { bytes, mime, width, height, thumb, thumb_mime })
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader
}

fn check_dimensions(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(unreadable("empty image"));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::code(
            ErrorCode::PayloadTooLarge,
            format!("Photos may be at most {MAX_SIDE} pixels on a side and 40 megapixels."),
        ));
    }
    Ok(())
}

/// JPEG for opaque pictures, PNG where transparency must survive.
fn encode(image: &DynamicImage, quality: u8, transparent: bool) -> Result<(Vec<u8>, &'static str)> {
    if transparent {
        return Ok((encode_as(image, ImageFormat::Png)?, "image/png"));
    }
    let mut out = Vec::new();
    let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
    rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .map_err(|e| Error::Internal(format!("jpeg encode: {e}")))?;
    Ok((out, "image/jpeg"))
}

fn encode_as(image: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).map_err(|e| Error::Internal(format!("{format:?} encode: {e}")))?;
    Ok(out.into_inner())
}

fn unreadable(error: impl std::fmt::Display) -> Error {
    let text = error.to_string();
    if text.contains("limit") || text.contains("Limit") {
        return Error::code(ErrorCode::PayloadTooLarge, "This photo is too large to open.");
    }
    Error::code(ErrorCode::UnsupportedMediaType, "This photo could not be read; it may be damaged.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(width, height, Rgb([200, 30, 30])));
        encode_as(&image, ImageFormat::Png).expect("png")
    }

    #[test]
    fn thumbnails_fit_the_box_and_keep_the_aspect() {
        let out = process(png(1000, 500), "image/png").expect("process");
        assert_eq!((out.width, out.height), (1000, 500));
        let thumb = image::load_from_memory(&out.thumb).expect("thumb decodes");
        assert_eq!((thumb.width(), thumb.height()), (THUMB_MAX_SIDE, THUMB_MAX_SIDE / 2));
        assert_eq!(out.thumb_mime, "image/jpeg");
    }

    #[test]
    fn a_header_declaring_huge_dimensions_is_refused_before_decoding() {
        // A valid PNG header claiming 100000 x 100000 pixels, with almost no data behind it.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32fast::hash(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = process(bomb, "image/png").err().expect("refused");
        assert!(matches!(err, Error::Api(ref e) if e.code == ErrorCode::PayloadTooLarge), "{err}");
    }

    #[test]
    fn garbage_is_unreadable() {
        let err = process(b"\x89PNG\r\n\x1a\nnot really".to_vec(), "image/png").err().expect("refused");
        assert!(matches!(err, Error::Api(ref e) if e.code == ErrorCode::UnsupportedMediaType), "{err}");
    }
}
