//! Arbitrary text into the body formatter both renderers run on every message: it must never
//! panic, what a reader sees must be the typed characters in order (markers only dropped, never
//! invented), and every link must point at http(s), mailto or tel.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::rich::{self, Block, Inline};

fn check_links(inlines: &[Inline]) {
    for inline in inlines {
        match inline {
            Inline::Link { href, text } => {
                let safe = ["https://", "http://", "mailto:", "tel:+"].iter().any(|p| href.to_ascii_lowercase().starts_with(p));
                assert!(safe, "unsafe href {href:?} for {text:?}");
                assert!(!text.is_empty());
            }
            Inline::Bold(c) | Inline::Italic(c) | Inline::Strike(c) => check_links(c),
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let blocks = rich::parse(body);
    for block in &blocks {
        match block {
            Block::Paragraph(i) | Block::Quote(i) => check_links(i),
            Block::Bullets(items) | Block::Numbered { items, .. } => items.iter().for_each(|i| check_links(i)),
            Block::Code(_) => {}
        }
    }
    let shown = rich::plain(&blocks);
    let mut typed = body.chars();
    for c in shown.chars() {
        assert!(typed.any(|t| t == c), "{c:?} was not typed (in order) in {body:?}");
    }
});
