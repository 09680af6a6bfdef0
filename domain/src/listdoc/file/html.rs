//! A saved government page: its tables and paragraphs (html5ever, through scraper), in order.
//! Scripts, styles and navigation menus are no list text.
//!
//! A page comes from outside, so nothing here follows its nesting with the call stack (10,000
//! nested `<span>` overflowed it), and html5ever, whose tree building costs time in proportion
//! to the depth of open elements (100,000 nested `<div>` ran for minutes), only gets a page
//! whose tags nest at most [`MAX_DEPTH`] deep, in chunks with the deadline checked between them.

use std::cell::Cell;

use ego_tree::iter::Edge;
use html5ever::{
    tendril::{StrTendril, TendrilSink},
    tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, states::RawKind,
    },
};
use scraper::{ElementRef, Html, HtmlTreeSink, Node};

use super::{
    Block, FileError, FileKind,
    limits::{Deadline, MAX_DEPTH, too_large},
};

const SKIPPED: [&str; 8] = [
    "script", "style", "noscript", "head", "nav", "header", "footer", "template",
];
const BLOCKS: [&str; 14] = [
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "br", "tr", "pre",
];
/// Bytes of the page handed to the tokenizer or the tree builder between two deadline checks.
const CHUNK: usize = 16 * 1024;

pub fn blocks(html: &str, deadline: Deadline) -> Result<Vec<Block>, FileError> {
    check_depth(html, deadline)?;
    let mut parser =
        html5ever::parse_document(HtmlTreeSink::new(Html::new_document()), Default::default());
    for chunk in chunks(html) {
        parser.process(StrTendril::from_slice(chunk));
        deadline.check(FileKind::Html)?;
    }
    let document = parser.finish();
    walk(document.root_element(), deadline)
}

/// `html` in pieces of about [`CHUNK`] bytes, cut between characters.
fn chunks(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest.len().min(CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

/// Refuses a page whose tags nest deeper than [`MAX_DEPTH`], by its tokens alone (linear time).
/// Elements whose end tag may be left out (`<p>`, `<li>`, `<td>`, …) and void ones (`<br>`) are
/// not counted: the tree builder closes them itself, and counting them would refuse ordinary
/// pages that never close a `<p>`.
fn check_depth(html: &str, deadline: Deadline) -> Result<(), FileError> {
    let tokenizer = Tokenizer::new(Depth::default(), Default::default());
    let queue = BufferQueue::default();
    for chunk in chunks(html) {
        queue.push_back(StrTendril::from_slice(chunk));
        let _ = tokenizer.feed(&queue);
        if tokenizer.sink.deepest.get() > MAX_DEPTH {
            return Err(too_large(
                FileKind::Html,
                format!("网页元素嵌套超过 {MAX_DEPTH} 层"),
            ));
        }
        deadline.check(FileKind::Html)?;
    }
    tokenizer.end();
    Ok(())
}

#[derive(Default)]
struct Depth {
    open: Cell<usize>,
    deepest: Cell<usize>,
}

impl TokenSink for Depth {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        let name: &str = &tag.name;
        let counted = !matches!(
            name,
            // Void elements.
            "area" | "base" | "br" | "col" | "embed" | "hr" | "img" | "input" | "link" | "meta"
                | "param" | "source" | "track" | "wbr" | "keygen"
                // End tags that may be left out.
                | "p" | "li" | "dt" | "dd" | "rt" | "rp" | "optgroup" | "option" | "colgroup"
                | "caption" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th" | "html" | "head"
                | "body"
        );
        match tag.kind {
            TagKind::StartTag if counted && !tag.self_closing => {
                self.open.set(self.open.get() + 1);
                self.deepest.set(self.deepest.get().max(self.open.get()));
            }
            TagKind::EndTag if counted => self.open.set(self.open.get().saturating_sub(1)),
            TagKind::StartTag | TagKind::EndTag => {}
        }
        if tag.kind == TagKind::EndTag || tag.self_closing {
            return TokenSinkResult::Continue;
        }
        // What the tree builder tells the tokenizer: the text of these is no markup.
        match name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

/// What the walk is inside of.
enum Frame {
    /// The page, or a table cell: paragraphs and tables.
    Flow {
        blocks: Vec<Block>,
        paragraph: String,
    },
    /// A table: only its rows (through `thead`, `tbody`, `tfoot`) count.
    Table(Vec<Vec<String>>),
    /// A row: only its cells count.
    Row(Vec<String>),
}

/// The page's blocks, walked in document order with a stack of its own: each frame ends with
/// the element that opened it, and a subtree that holds no list text is passed over whole.
fn walk(root: ElementRef<'_>, deadline: Deadline) -> Result<Vec<Block>, FileError> {
    let mut frames = vec![(
        root.id(),
        Frame::Flow {
            blocks: Vec::new(),
            paragraph: String::new(),
        },
    )];
    let mut skipping = None;
    for (n, edge) in root.traverse().enumerate() {
        if n % 4096 == 4095 {
            deadline.check(FileKind::Html)?;
        }
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() || node.id() == root.id() {
                    continue;
                }
                let (_, frame) = frames.last_mut().expect("the page's frame is never popped");
                let name = match node.value() {
                    Node::Text(text) => {
                        if let Frame::Flow { paragraph, .. } = frame {
                            paragraph.push_str(&collapse(text));
                        }
                        continue;
                    }
                    Node::Element(e) => e.name(),
                    _ => continue,
                };
                let opened = match frame {
                    Frame::Flow { blocks, paragraph } => {
                        if SKIPPED.contains(&name) {
                            None
                        } else if name == "table" {
                            flush(blocks, paragraph);
                            Some(Some(Frame::Table(Vec::new())))
                        } else {
                            if BLOCKS.contains(&name) {
                                flush(blocks, paragraph);
                            }
                            Some(None)
                        }
                    }
                    Frame::Table(_) => match name {
                        "tr" => Some(Some(Frame::Row(Vec::new()))),
                        "thead" | "tbody" | "tfoot" => Some(None),
                        _ => None,
                    },
                    Frame::Row(_) => match name {
                        "td" | "th" => Some(Some(Frame::Flow {
                            blocks: Vec::new(),
                            paragraph: String::new(),
                        })),
                        _ => None,
                    },
                };
                match opened {
                    None => skipping = Some(node.id()),
                    Some(Some(frame)) => frames.push((node.id(), frame)),
                    Some(None) => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                    continue;
                }
                if skipping.is_some() {
                    continue;
                }
                if frames.last().is_some_and(|(id, _)| *id == node.id()) {
                    let (_, ended) = frames.pop().expect("a frame");
                    let Some((_, parent)) = frames.last_mut() else {
                        // The page itself.
                        let Frame::Flow {
                            mut blocks,
                            mut paragraph,
                        } = ended
                        else {
                            unreachable!("the page is a flow")
                        };
                        flush(&mut blocks, &mut paragraph);
                        return Ok(blocks);
                    };
                    match (ended, parent) {
                        (Frame::Table(rows), Frame::Flow { blocks, .. }) => {
                            blocks.push(Block::Table(rows));
                        }
                        (Frame::Row(cells), Frame::Table(rows)) => rows.push(cells),
                        (
                            Frame::Flow {
                                mut blocks,
                                mut paragraph,
                            },
                            Frame::Row(cells),
                        ) => {
                            flush(&mut blocks, &mut paragraph);
                            cells.push(cell_text(blocks));
                        }
                        _ => unreachable!("frames open only inside their parents"),
                    }
                } else if let (Some((_, Frame::Flow { blocks, paragraph })), Node::Element(e)) =
                    (frames.last_mut(), node.value())
                    && BLOCKS.contains(&e.name())
                {
                    flush(blocks, paragraph);
                }
            }
        }
    }
    unreachable!("the walk ends when the page's own element closes")
}

fn flush(out: &mut Vec<Block>, paragraph: &mut String) {
    let text = std::mem::take(paragraph);
    if !text.trim().is_empty() {
        out.push(Block::Paragraph(text));
    }
}

/// White space as HTML shows it: runs are one space.
fn collapse(text: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{3000}' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space && !out.is_empty() {
        out.push(' ');
    }
    out
}

/// A cell's text, its `<br>` and block children as line breaks; a table inside it gives the
/// cell its cells' text.
fn cell_text(blocks: Vec<Block>) -> String {
    blocks
        .into_iter()
        .map(|b| match b {
            Block::Paragraph(p) => p.trim().to_owned(),
            Block::Table(rows) => rows.into_iter().flatten().collect::<Vec<_>>().join("\n"),
            Block::Sheet(name) => name,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_paragraphs_of_a_saved_page() {
        let page = r#"<html><head><title>x</title><style>p{}</style></head><body>
            <nav>首页 &gt; 通知公告</nav>
            <h1>2025年民生实事</h1><p>现将项目&nbsp;印发</p>
            <table><tbody><tr><th>序号</th><th>责任单位</th></tr>
            <tr><td>1</td><td>市文旅局<br>市财政局</td></tr></tbody></table>
            <script>var a = "1";</script></body></html>"#;
        assert_eq!(
            blocks(page, Deadline::none()).expect("a page"),
            [
                Block::Paragraph("2025年民生实事".into()),
                Block::Paragraph("现将项目 印发".into()),
                Block::Table(vec![
                    vec!["序号".into(), "责任单位".into()],
                    vec!["1".into(), "市文旅局\n市财政局".into()],
                ]),
            ]
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion_and_a_deep_table_still_reads() {
        let deep = format!("<body>{}x", "<span>".repeat(10_000));
        let e = blocks(&deep, Deadline::none()).expect_err("too deep");
        assert!(e.to_string().contains("嵌套超过 256 层"), "{e}");
        // Unclosed <p>, <li> and <td> and scripts full of `<` are what real pages have.
        let ordinary = format!(
            "<body>{}<script>{}</script><table><tr><td>1<td><div><div>书房</div></div></table>",
            "<p>段落".repeat(5_000),
            "if (a <b) {}".repeat(1_000)
        );
        let read = blocks(&ordinary, Deadline::none()).expect("ordinary");
        assert_eq!(
            read.last(),
            Some(&Block::Table(vec![vec!["1".into(), "书房".into()]]))
        );
    }

    #[test]
    fn a_passed_deadline_stops_the_reading() {
        let page = "<p>项目</p>".repeat(10_000);
        assert!(matches!(
            blocks(&page, Deadline::after(std::time::Duration::ZERO)),
            Err(FileError::TooSlow { .. })
        ));
    }
}
