//! Image re-encoding and thumbnails, under explicit decoding limits.
//!
//! Decoding is where a hostile image hurts: a few KB of PNG can declare 100k × 100k pixels, or
//! 40 megapixels of 16-bit RGBA (320 MB once decoded), and a small GIF can hold a hundred
//! frames of that size, each of which every viewer's browser decodes. So the limit is on what
//! decoding costs, checked from the headers before any pixel is decoded: sides, pixels, and
//! width × height × bytes per pixel × frames against [`MAX_DECODED_BYTES`]. The decoder's own
//! allocations are capped as well. Re-encoding drops EXIF (GPS position, camera serial) and
//! every other metadata chunk; EXIF orientation is applied first so phone photos stay upright.
//! GIFs are re-muxed, not re-encoded: each frame's compressed pixels are copied as they are
//! into a new file that carries nothing else (no comments, no XMP or other application data),
//! so animations still move and lose no quality.

use crate::error::{Error, Result};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use shared::media::THUMB_MAX_SIDE;
use std::io::Cursor;

/// Largest side accepted, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// Largest picture accepted, in pixels (40 megapixels: any phone camera).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Most memory the decoder may allocate for one image.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// Most bytes one picture may take decoded: all its frames, at their bytes per pixel. 40
/// megapixels of 8-bit RGB fit; 16-bit RGBA of that size, or a big animation, do not.
pub const MAX_DECODED_BYTES: u64 = 128 * 1024 * 1024;

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
        _ => return Err(Error::unsupported_media("Photos must be JPEG, PNG, GIF or WebP.")),
    };
    let (width, height) = reader(&bytes, format).into_dimensions().map_err(unreadable)?;
    check_dimensions(width, height)?;
    // A GIF is re-muxed first: that also counts its frames, without decoding any.
    let (gif, frames) = if format == ImageFormat::Gif {
        let (clean, frames) = clean_gif(&bytes)?;
        (Some(clean), frames)
    } else {
        (None, 1)
    };

    let mut decoder = reader(&bytes, format).into_decoder().map_err(unreadable)?;
    // GIF frames are shown as RGBA whatever the palette: 4 bytes a pixel.
    let bytes_per_pixel =
        if format == ImageFormat::Gif { 4 } else { u64::from(decoder.color_type().bytes_per_pixel()) };
    check_decoded_size(width, height, bytes_per_pixel, frames)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);

    let thumb = image.thumbnail(THUMB_MAX_SIDE, THUMB_MAX_SIDE);
    // Judged on the small thumbnail: an alpha channel that is opaque everywhere is no reason
    // to keep a photo as PNG.
    let transparent = thumb.color().has_alpha() && thumb.to_rgba8().pixels().any(|p| p[3] < 255);
    let (thumb, thumb_mime) = encode(&thumb, 75, transparent)?;
    let (width, height) = (image.width(), image.height());
    let (bytes, mime) = if let Some(gif) = gif {
        (gif, "image/gif")
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
        return Err(Error::too_large(format!("Photos may be at most {MAX_SIDE} pixels on a side and 40 megapixels.")));
    }
    Ok(())
}

fn check_decoded_size(width: u32, height: u32, bytes_per_pixel: u64, frames: u64) -> Result<()> {
    let decoded = u64::from(width)
        .saturating_mul(u64::from(height))
        .saturating_mul(bytes_per_pixel)
        .saturating_mul(frames.max(1));
    if decoded > MAX_DECODED_BYTES {
        return Err(Error::too_large(format!(
            "This picture would take {} MB to open (at most {} MB): use fewer frames, fewer pixels or 8-bit colour.",
            decoded / (1024 * 1024),
            MAX_DECODED_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// Writes a new GIF with the same screen, palette, loop count and frames (their compressed
/// pixels copied untouched) and nothing else. Returns it and its number of frames.
fn clean_gif(bytes: &[u8]) -> Result<(Vec<u8>, u64)> {
    let mut options = gif::DecodeOptions::new();
    // Frames come back as their LZW data: counted and copied, never decoded here.
    options.skip_frame_decoding(true);
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(Cursor::new(bytes)).map_err(unreadable)?;
    let (width, height) = (decoder.width(), decoder.height());
    let palette = decoder.global_palette().map(<[u8]>::to_vec).unwrap_or_default();
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().map_err(unreadable)? {
        frames.push(frame.clone());
    }
    if frames.is_empty() {
        return Err(unreadable("no frame"));
    }
    let repeat = decoder.repeat();
    let encoding = |e: gif::EncodingError| Error::Internal(format!("gif re-mux: {e}"));
    let mut out = Vec::with_capacity(bytes.len());
    {
        let mut encoder = gif::Encoder::new(&mut out, width, height, &palette).map_err(encoding)?;
        if frames.len() > 1 {
            encoder.set_repeat(repeat).map_err(encoding)?;
        }
        for frame in &frames {
            encoder.write_lzw_pre_encoded_frame(frame).map_err(encoding)?;
        }
    }
    Ok((out, frames.len() as u64))
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
        return Error::too_large("This photo is too large to open.");
    }
    Error::unsupported_media("This photo could not be read; it may be damaged.")
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
        assert!(matches!(err, Error::Api(ref e) if e.code == shared::ErrorCode::PayloadTooLarge), "{err}");
    }

    /// A valid PNG header (of a 1×1 image of `color`) that claims `side` × `side` pixels.
    fn png_claiming(side: u32, color: DynamicImage) -> Vec<u8> {
        let mut png = encode_as(&color, ImageFormat::Png).expect("png");
        png[16..20].copy_from_slice(&side.to_be_bytes());
        png[20..24].copy_from_slice(&side.to_be_bytes());
        let crc = crc32fast::hash(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    fn refused_as_too_large(result: Result<Processed>) -> String {
        match result {
            Err(Error::Api(e)) if e.code == shared::ErrorCode::PayloadTooLarge => e.message,
            Err(other) => panic!("refused for another reason: {other}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn sixteen_bit_rgba_at_forty_megapixels_is_refused_by_its_decoded_size() {
        // 6324 × 6324 is under the pixel limit, but 8 bytes a pixel make 305 MB decoded.
        let deep = DynamicImage::ImageRgba16(ImageBuffer::from_pixel(1, 1, image::Rgba([1u16, 2, 3, 4])));
        let message = refused_as_too_large(process(png_claiming(6324, deep), "image/png"));
        assert!(message.contains("MB"), "{message}");
        // The same pixels in 8-bit RGB are fine as far as size goes (this one then fails to
        // decode, since its data is that of a 1 × 1 image).
        let plain = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(1, 1, Rgb([1u8, 2, 3])));
        let err = process(png_claiming(6324, plain), "image/png").err().expect("refused");
        assert!(matches!(err, Error::Api(ref e) if e.code == shared::ErrorCode::UnsupportedMediaType), "{err}");
    }

    /// A GIF of `frames` 1×1 frames on a `side` × `side` screen, with a comment and an XMP
    /// packet naming a place.
    fn gif_with_metadata(side: u16, frames: usize) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let palette = [0u8, 0, 0, 255, 255, 255];
            let mut encoder = gif::Encoder::new(&mut out, side, side, &palette).expect("encoder");
            encoder.set_repeat(gif::Repeat::Infinite).expect("repeat");
            encoder.write_raw_extension(gif::AnyExtension(0xFE), &[b"shot at 51.5007N 0.1246W"]).expect("comment");
            encoder
                .write_raw_extension(
                    gif::AnyExtension(0xFF),
                    &[b"XMP DataXMP", b"<exif:GPSLatitude>51,30.04N</exif:GPSLatitude>"],
                )
                .expect("xmp");
            for i in 0..frames {
                let mut frame = gif::Frame::from_indexed_pixels(1, 1, vec![(i % 2) as u8], None);
                frame.delay = 10;
                encoder.write_frame(&frame).expect("frame");
            }
        }
        out
    }

    #[test]
    fn a_gif_keeps_its_frames_and_loses_its_metadata() {
        let original = gif_with_metadata(64, 3);
        let out = process(original.clone(), "image/gif").expect("process");
        assert_eq!(out.mime, "image/gif");
        let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(contains(&original, b"51.5007N") && contains(&original, b"GPSLatitude"));
        assert!(!contains(&out.bytes, b"51.5007N"), "the comment was kept");
        assert!(!contains(&out.bytes, b"GPSLatitude"), "the XMP packet was kept");
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::Indexed);
        let mut decoder = options.read_info(Cursor::new(&out.bytes[..])).expect("still a gif");
        let mut frames = 0;
        while decoder.read_next_frame().expect("frame").is_some() {
            frames += 1;
        }
        assert_eq!(frames, 3, "an animation stays an animation");
        assert_eq!(decoder.repeat(), gif::Repeat::Infinite);
    }

    #[test]
    fn a_gif_whose_frames_would_take_too_much_memory_is_refused() {
        // 60 frames of a 1000 × 1000 screen: tiny on the wire, 240 MB for a browser to decode.
        let message = refused_as_too_large(process(gif_with_metadata(1000, 60), "image/gif"));
        assert!(message.contains("frames"), "{message}");
        assert!(process(gif_with_metadata(1000, 8), "image/gif").is_ok(), "8 such frames (32 MB) are fine");
    }

    #[test]
    fn garbage_is_unreadable() {
        let err = process(b"\x89PNG\r\n\x1a\nnot really".to_vec(), "image/png").err().expect("refused");
        assert!(matches!(err, Error::Api(ref e) if e.code == shared::ErrorCode::UnsupportedMediaType), "{err}");
    }
}
