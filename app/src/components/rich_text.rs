//! A message body as formatted text: the tree `shared::rich` parses, built as elements from a
//! closed set with every piece of the body in a text node (never injected HTML), so the
//! server's HTML and the hydrated DOM are the same.

use leptos::prelude::*;
use shared::rich::{self, Block, Inline};

/// `body` formatted: a `<p>` when it is lines of text only (so the time can sit beside it), a
/// `<div>` of blocks when it has quotes, lists or code blocks. `dir="auto"` lets a Hebrew or
/// Arabic message read right to left.
#[component]
pub fn RichText(body: String, #[prop(into, default = "text".into())] class: String) -> impl IntoView {
    let blocks = rich::parse(&body);
    if rich::is_inline(&blocks) {
        let inlines = blocks.into_iter().flat_map(|b| match b {
            Block::Paragraph(inlines) => inlines,
            _ => Vec::new(),
        });
        return view! { <p class=class dir="auto">{runs(inlines.collect())}</p> }.into_any();
    }
    let class = format!("{class} rich");
    view! { <div class=class dir="auto">{blocks.into_iter().map(block).collect_view()}</div> }.into_any()
}

fn block(block: Block) -> AnyView {
    match block {
        Block::Paragraph(inlines) => view! { <p>{runs(inlines)}</p> }.into_any(),
        Block::Code(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
        Block::Quote(inlines) => view! { <blockquote>{runs(inlines)}</blockquote> }.into_any(),
        Block::Bullets(items) => view! { <ul>{items.into_iter().map(item).collect_view()}</ul> }.into_any(),
        Block::Numbered { start, items } => {
            view! { <ol start=start.to_string()>{items.into_iter().map(item).collect_view()}</ol> }.into_any()
        }
    }
}

fn item(inlines: Vec<Inline>) -> impl IntoView {
    view! { <li>{runs(inlines)}</li> }
}

/// A run of inlines as views. Text and line breaks next to each other become one text node with
/// `\n` in it: the body's `white-space: pre-wrap` breaks the line, and the element's text (what
/// copying, find-in-page and a screen reader get) keeps the newline a `<br>` would drop.
fn runs(inlines: Vec<Inline>) -> impl IntoView {
    let mut views = Vec::new();
    let mut text = String::new();
    for piece in inlines {
        match piece {
            Inline::Text(t) => text.push_str(&t),
            Inline::Break => text.push('\n'),
            other => {
                if !text.is_empty() {
                    views.push(std::mem::take(&mut text).into_any());
                }
                views.push(inline(other));
            }
        }
    }
    if !text.is_empty() {
        views.push(text.into_any());
    }
    views
}

fn inline(inline: Inline) -> AnyView {
    match inline {
        Inline::Text(text) => text.into_any(),
        Inline::Break => "\n".into_any(),
        Inline::Bold(children) => view! { <strong>{runs(children)}</strong> }.into_any(),
        Inline::Italic(children) => view! { <em>{runs(children)}</em> }.into_any(),
        Inline::Strike(children) => view! { <s>{runs(children)}</s> }.into_any(),
        Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        Inline::Link { href, text } => {
            view! { <a href=href target="_blank" rel="noopener noreferrer">{text}</a> }.into_any()
        }
    }
}
