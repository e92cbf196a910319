//! A message body read the way WhatsApp reads it: `*bold*`, `_italic_`, `~strike~`,
//! `` `code` ``, ```` ```block``` ````, `> quote`, `- ` and `1. ` lists, and links to web
//! addresses, e-mail addresses and international phone numbers.
//!
//! [`parse`] is pure and total: any string gives a tree, never a panic, and the tree holds
//! only text and the node kinds below, so both renderers (the server's HTML and the browser's
//! DOM) build elements from a closed set and put every piece of the body in a text node. A
//! link's `href` is always `https://…`, `http://…`, `mailto:…` or `tel:+…`: any other scheme
//! (`javascript:`, `data:`, `ftp:` …) stays text. Because both sides run this same code on the
//! same string, a hydrated page matches the server's.

use linkify::{LinkFinder, LinkKind};

/// One block of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Lines of text; a line ends with [`Inline::Break`].
    Paragraph(Vec<Inline>),
    /// A ```` ``` ```` fenced block, shown as written, in a monospace font.
    Code(String),
    /// Consecutive `> ` lines.
    Quote(Vec<Inline>),
    /// Consecutive `- ` or `* ` lines.
    Bullets(Vec<Vec<Inline>>),
    /// Consecutive `1. ` lines, numbered from the first one's number.
    Numbered { start: u32, items: Vec<Vec<Inline>> },
}

/// A run of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    /// A line break inside a paragraph or quote.
    Break,
    Bold(Vec<Inline>),
    Italic(Vec<Inline>),
    Strike(Vec<Inline>),
    /// `` `code` `` or ```` ```code``` ```` inside a line: no formatting, no links.
    Code(String),
    /// `text` as typed; `href` is safe to put in an `<a>` (see the module's note).
    Link {
        href: String,
        text: String,
    },
}

/// The blocks of `body`.
pub fn parse(body: &str) -> Vec<Block> {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some((code, next)) = fenced(&lines, i) {
            blocks.push(Block::Code(code));
            i = next;
            continue;
        }
        let line = lines[i];
        if let Some(text) = quoted(line) {
            let mut inlines = inline(text);
            i += 1;
            while let Some(text) = lines.get(i).and_then(|l| quoted(l)) {
                inlines.push(Inline::Break);
                inlines.extend(inline(text));
                i += 1;
            }
            blocks.push(Block::Quote(inlines));
        } else if let Some(text) = bullet(line) {
            let mut items = vec![inline(text)];
            i += 1;
            while let Some(text) = lines.get(i).and_then(|l| bullet(l)) {
                items.push(inline(text));
                i += 1;
            }
            blocks.push(Block::Bullets(items));
        } else if let Some((start, text)) = numbered(line) {
            let mut items = vec![inline(text)];
            i += 1;
            while let Some((_, text)) = lines.get(i).and_then(|l| numbered(l)) {
                items.push(inline(text));
                i += 1;
            }
            blocks.push(Block::Numbered { start, items });
        } else {
            let mut inlines = inline(line);
            i += 1;
            while let Some(line) = lines.get(i).filter(|_| fenced(&lines, i).is_none()).filter(|l| is_plain_line(l)) {
                inlines.push(Inline::Break);
                inlines.extend(inline(line));
                i += 1;
            }
            blocks.push(Block::Paragraph(inlines));
        }
    }
    blocks
}

/// Whether `blocks` are paragraphs only, so they can be shown inline (beside the time).
pub fn is_inline(blocks: &[Block]) -> bool {
    blocks.iter().all(|b| matches!(b, Block::Paragraph(_)))
}

/// The text a reader sees, without markers (for tests, previews and accessible names).
pub fn plain(blocks: &[Block]) -> String {
    fn push_inlines(out: &mut String, inlines: &[Inline]) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) | Inline::Link { text: t, .. } => out.push_str(t),
                Inline::Break => out.push('\n'),
                Inline::Bold(c) | Inline::Italic(c) | Inline::Strike(c) => push_inlines(out, c),
            }
        }
    }
    let mut out = String::new();
    for (n, block) in blocks.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        match block {
            Block::Paragraph(i) | Block::Quote(i) => push_inlines(&mut out, i),
            Block::Code(code) => out.push_str(code),
            Block::Bullets(items) | Block::Numbered { items, .. } => {
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push('\n');
                    }
                    push_inlines(&mut out, item);
                }
            }
        }
    }
    out
}

const FENCE: &str = "```";

/// A fenced block opening at line `i`: its text and the line after its closing fence. A line
/// that opens and closes on itself (```` ```x``` ````) is inline code, not a block.
fn fenced(lines: &[&str], i: usize) -> Option<(String, usize)> {
    let first = lines[i].strip_prefix(FENCE)?;
    if first.len() >= FENCE.len() && first.ends_with(FENCE) {
        return None;
    }
    let mut parts = vec![first];
    for (k, line) in lines.iter().enumerate().skip(i + 1) {
        let Some(last) = line.strip_suffix(FENCE) else {
            parts.push(line);
            continue;
        };
        parts.push(last);
        // Fences on lines of their own are not part of the code.
        let from = usize::from(first.is_empty());
        let to = parts.len() - usize::from(last.is_empty());
        let code = parts.get(from..to).unwrap_or_default().join("\n");
        return (!code.trim().is_empty()).then_some((code, k + 1));
    }
    None
}

fn quoted(line: &str) -> Option<&str> {
    line.strip_prefix("> ")
}

fn bullet(line: &str) -> Option<&str> {
    line.strip_prefix("- ").or_else(|| line.strip_prefix("* "))
}

fn numbered(line: &str) -> Option<(u32, &str)> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = line[digits..].strip_prefix(". ")?;
    let start = line[..digits].parse().ok().filter(|_| digits <= 9)?;
    Some((start, rest))
}

fn is_plain_line(line: &str) -> bool {
    quoted(line).is_none() && bullet(line).is_none() && numbered(line).is_none()
}

/// A piece of a line: a character, or a link found in it (which formatting cannot split).
#[derive(Clone, Copy)]
enum Unit {
    Char(char),
    Link(usize),
}

/// One line's inline runs.
fn inline(line: &str) -> Vec<Inline> {
    let (units, links) = units(line);
    let closers = Closers::of(&units);
    let mut out = Vec::new();
    styled(&units, 0, units.len(), &closers, &links, Active::default(), &mut out);
    out
}

/// The line as units, and the links they point at.
fn units(line: &str) -> (Vec<Unit>, Vec<(String, String)>) {
    let mut finder = LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut units = Vec::with_capacity(line.len());
    let mut links = Vec::new();
    let mut prev = None;
    for span in finder.spans(line) {
        let text = span.as_str();
        match span.kind().and_then(|kind| href(kind, text)) {
            Some(href) => {
                units.push(Unit::Link(links.len()));
                links.push((href, text.to_owned()));
            }
            None => phones(text, prev, &mut units, &mut links),
        }
        prev = text.chars().last().or(prev);
    }
    (units, links)
}

/// Where a found link may point: web addresses over http(s) (or `www.` without a scheme) and
/// e-mail addresses. Anything else linkify finds stays text.
fn href(kind: &LinkKind, text: &str) -> Option<String> {
    match kind {
        LinkKind::Email => Some(format!("mailto:{text}")),
        LinkKind::Url => {
            let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
            if lower.starts_with("https://") || lower.starts_with("http://") {
                Some(text.to_owned())
            } else if lower.starts_with("www.") {
                Some(format!("https://{text}"))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Pushes `text` as characters, with international phone numbers (`+` then 8 to 15 digits,
/// grouped by single spaces or dashes, standing alone) as `tel:` links.
fn phones(text: &str, mut prev: Option<char>, units: &mut Vec<Unit>, links: &mut Vec<(String, String)>) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '+'
            && prev.is_none_or(|p| p.is_whitespace() || p == '(')
            && let Some(len) = phone_len(rest)
        {
            let number = &rest[..len];
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            units.push(Unit::Link(links.len()));
            links.push((format!("tel:+{digits}"), number.to_owned()));
            prev = number.chars().last();
            rest = &rest[len..];
            continue;
        }
        units.push(Unit::Char(c));
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
}

/// The byte length of a phone number at the start of `s` (which starts with `+`), if one is.
fn phone_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let (mut end, mut digits, mut i) = (0, 0, 1);
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => {
                digits += 1;
                end = i + 1;
            }
            b' ' | b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) && end == i => {}
            _ => break,
        }
        i += 1;
    }
    let after = s[end..].chars().next();
    let stands_alone = after.is_none_or(|c| !c.is_alphanumeric() && c != '+' && c != '@');
    ((8..=15).contains(&digits) && stands_alone).then_some(end)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Bold,
    Italic,
    Strike,
    Code,
    Fence,
}

impl Style {
    fn of(c: char) -> Option<Style> {
        match c {
            '*' => Some(Style::Bold),
            '_' => Some(Style::Italic),
            '~' => Some(Style::Strike),
            '`' => Some(Style::Code),
            _ => None,
        }
    }

    fn width(self) -> usize {
        if self == Style::Fence { 3 } else { 1 }
    }
}

/// The styles already open around a run: a style does not nest inside itself, which also
/// bounds the recursion at three levels.
#[derive(Clone, Copy, Default)]
struct Active {
    bold: bool,
    italic: bool,
    strike: bool,
}

impl Active {
    fn has(self, style: Style) -> bool {
        match style {
            Style::Bold => self.bold,
            Style::Italic => self.italic,
            Style::Strike => self.strike,
            Style::Code | Style::Fence => false,
        }
    }

    fn with(mut self, style: Style) -> Active {
        match style {
            Style::Bold => self.bold = true,
            Style::Italic => self.italic = true,
            Style::Strike => self.strike = true,
            Style::Code | Style::Fence => {}
        }
        self
    }
}

/// For each style, the positions where a marker of it may close, ascending, so finding the
/// closer of an opener is a binary search (a line costs O(n log n), whatever it holds).
struct Closers {
    by_style: [Vec<usize>; 5],
}

impl Closers {
    fn of(units: &[Unit]) -> Closers {
        let mut by_style: [Vec<usize>; 5] = Default::default();
        for i in 0..units.len() {
            if let Some(style) = marker_at(units, i)
                && closes(units, i, style)
            {
                by_style[style as usize].push(i);
            }
        }
        Closers { by_style }
    }

    /// The first closer of `style` at or after `from` and before `end`.
    fn first(&self, style: Style, from: usize, end: usize) -> Option<usize> {
        let list = &self.by_style[style as usize];
        let at = list.partition_point(|&p| p < from);
        list.get(at).copied().filter(|&p| p + style.width() <= end)
    }
}

fn char_at(units: &[Unit], i: usize) -> Option<char> {
    match units.get(i) {
        Some(Unit::Char(c)) => Some(*c),
        _ => None,
    }
}

/// The marker starting at `i`, the three-backtick one first.
fn marker_at(units: &[Unit], i: usize) -> Option<Style> {
    let style = Style::of(char_at(units, i)?)?;
    if style == Style::Code && (1..3).all(|k| char_at(units, i + k) == Some('`')) {
        return Some(Style::Fence);
    }
    Some(style)
}

/// A unit that bounds a word: nothing, whitespace or punctuation (a link is part of a word).
fn is_boundary(unit: Option<&Unit>) -> bool {
    match unit {
        None => true,
        Some(Unit::Char(c)) => !c.is_alphanumeric(),
        Some(Unit::Link(_)) => false,
    }
}

fn is_space(unit: Option<&Unit>) -> bool {
    match unit {
        None => true,
        Some(Unit::Char(c)) => c.is_whitespace(),
        Some(Unit::Link(_)) => false,
    }
}

fn opens(units: &[Unit], i: usize, style: Style) -> bool {
    let before = i.checked_sub(1).and_then(|p| units.get(p));
    is_boundary(before) && !is_space(units.get(i + style.width()))
}

fn closes(units: &[Unit], i: usize, style: Style) -> bool {
    let before = i.checked_sub(1).and_then(|p| units.get(p));
    !is_space(before) && is_boundary(units.get(i + style.width()))
}

/// Parses `units[start..end]` into `out`.
fn styled(
    units: &[Unit],
    start: usize,
    end: usize,
    closers: &Closers,
    links: &[(String, String)],
    active: Active,
    out: &mut Vec<Inline>,
) {
    let mut text = String::new();
    let mut i = start;
    while i < end {
        if let Some(style) = marker_at(units, i).filter(|&s| i + s.width() <= end && !active.has(s)) {
            let inner = i + style.width();
            if opens(units, i, style)
                && let Some(close) = closers.first(style, inner + 1, end)
            {
                flush(&mut text, out);
                let node = match style {
                    Style::Code | Style::Fence => Inline::Code(literal(&units[inner..close], links)),
                    _ => {
                        let mut children = Vec::new();
                        styled(units, inner, close, closers, links, active.with(style), &mut children);
                        match style {
                            Style::Bold => Inline::Bold(children),
                            Style::Italic => Inline::Italic(children),
                            _ => Inline::Strike(children),
                        }
                    }
                };
                out.push(node);
                i = close + style.width();
                continue;
            }
        }
        match units[i] {
            Unit::Char(c) => text.push(c),
            Unit::Link(n) => {
                flush(&mut text, out);
                let (href, shown) = links[n].clone();
                out.push(Inline::Link { href, text: shown });
            }
        }
        i += 1;
    }
    flush(&mut text, out);
}

fn flush(text: &mut String, out: &mut Vec<Inline>) {
    if !text.is_empty() {
        out.push(Inline::Text(std::mem::take(text)));
    }
}

fn literal(units: &[Unit], links: &[(String, String)]) -> String {
    units
        .iter()
        .map(|u| match u {
            Unit::Char(c) => c.to_string(),
            Unit::Link(n) => links[*n].1.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Inline::*;

    fn t(s: &str) -> Inline {
        Text(s.to_owned())
    }

    fn line(s: &str) -> Vec<Inline> {
        match parse(s).as_slice() {
            [Block::Paragraph(inlines)] => inlines.clone(),
            other => panic!("not one paragraph: {other:?}"),
        }
    }

    #[test]
    fn plain_text_is_one_text_run() {
        assert_eq!(line("hello there"), [t("hello there")]);
        assert_eq!(parse(""), [Block::Paragraph(vec![])]);
    }

    #[test]
    fn markers_at_word_edges_format() {
        assert_eq!(line("a *bold* b"), [t("a "), Bold(vec![t("bold")]), t(" b")]);
        assert_eq!(line("_it_"), [Italic(vec![t("it")])]);
        assert_eq!(line("~gone~!"), [Strike(vec![t("gone")]), t("!")]);
        assert_eq!(line("run `ls -la` now"), [t("run "), Code("ls -la".into()), t(" now")]);
        assert_eq!(line("```mono *x*```"), [Code("mono *x*".into())]);
        assert_eq!(line("*_both_*"), [Bold(vec![Italic(vec![t("both")])])]);
        assert_eq!(line("(*a*)"), [t("("), Bold(vec![t("a")]), t(")")]);
    }

    #[test]
    fn markers_inside_words_or_beside_spaces_stay_text() {
        for s in ["snake_case_name", "2*3*4", "a * b * c", "*not *", "**", "*", "_ _", "`"] {
            assert_eq!(line(s), [t(s)], "{s}");
        }
        // An unclosed marker stays, and what follows still formats.
        assert_eq!(line("*open _it_"), [t("*open "), Italic(vec![t("it")])]);
    }

    #[test]
    fn a_style_does_not_nest_in_itself() {
        assert_eq!(line("*a *b* c*"), [Bold(vec![t("a *b")]), t(" c*")]);
    }

    #[test]
    fn web_mail_and_phone_links() {
        assert_eq!(
            line("see https://example.com/a_b_c, ok"),
            [
                t("see "),
                Link { href: "https://example.com/a_b_c".into(), text: "https://example.com/a_b_c".into() },
                t(", ok")
            ]
        );
        assert_eq!(
            line("www.example.org"),
            [Link { href: "https://www.example.org".into(), text: "www.example.org".into() }]
        );
        assert_eq!(
            line("mail ana@example.com"),
            [t("mail "), Link { href: "mailto:ana@example.com".into(), text: "ana@example.com".into() }]
        );
        assert_eq!(
            line("call +34 600-123 456."),
            [t("call "), Link { href: "tel:+34600123456".into(), text: "+34 600-123 456".into() }, t(".")]
        );
        assert_eq!(
            line("*https://example.com*"),
            [Bold(vec![Link { href: "https://example.com".into(), text: "https://example.com".into() }])]
        );
    }

    #[test]
    fn other_schemes_and_lookalikes_stay_text() {
        for s in [
            "javascript:alert(1)",
            "JavaScript://example.com/%0Aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.com/x",
            "file.rs and notes.txt",
            "costs +12 or +1234567890123456789",
            "a+34600123456",
            "vbscript:msgbox",
        ] {
            let links: Vec<_> = line(s).into_iter().filter(|i| matches!(i, Link { .. })).collect();
            assert!(links.is_empty(), "{s}: {links:?}");
            assert_eq!(plain(&parse(s)), s);
        }
    }

    #[test]
    fn blocks() {
        assert_eq!(
            parse("> quoted *one*\n> two\nafter"),
            [
                Block::Quote(vec![t("quoted "), Bold(vec![t("one")]), Break, t("two")]),
                Block::Paragraph(vec![t("after")])
            ]
        );
        assert_eq!(
            parse("list:\n- milk\n* eggs"),
            [Block::Paragraph(vec![t("list:")]), Block::Bullets(vec![vec![t("milk")], vec![t("eggs")]])]
        );
        assert_eq!(parse("3. c\n4. d"), [Block::Numbered { start: 3, items: vec![vec![t("c")], vec![t("d")]] }]);
        assert_eq!(
            parse("```\nfn main() {\n  *x*\n}\n```\nok"),
            [Block::Code("fn main() {\n  *x*\n}".into()), Block::Paragraph(vec![t("ok")])]
        );
        assert_eq!(parse("```a\nb```"), [Block::Code("a\nb".into())]);
        assert_eq!(parse("one\n\ntwo"), [Block::Paragraph(vec![t("one"), Break, Break, t("two")])]);
        assert!(is_inline(&parse("one\ntwo")));
        assert!(!is_inline(&parse("- one")));
    }

    #[test]
    fn unclosed_fences_and_odd_prefixes_are_text() {
        assert_eq!(plain(&parse("```\nno end")), "```\nno end");
        assert_eq!(parse("12345678901. x"), [Block::Paragraph(vec![t("12345678901. x")])]);
        assert_eq!(parse(">no space"), [Block::Paragraph(vec![t(">no space")])]);
    }

    #[test]
    fn long_hostile_lines_stay_linear() {
        let body = "*_~`".repeat(1024);
        let blocks = parse(&body);
        assert!(plain(&blocks).len() <= body.len());
        let body = "a *".repeat(1400);
        assert_eq!(plain(&parse(&body)), body);
    }
}
