//! A saved government page: its tables and paragraphs (html5ever, through scraper), in order.
//! Scripts, styles and navigation menus are no list text.

use scraper::{ElementRef, Html, Node};

use super::Block;

const SKIPPED: [&str; 8] = [
    "script", "style", "noscript", "head", "nav", "header", "footer", "template",
];
const BLOCKS: [&str; 14] = [
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "br", "tr", "pre",
];

pub fn blocks(html: &str) -> Vec<Block> {
    let document = Html::parse_document(html);
    let mut out = Vec::new();
    let mut paragraph = String::new();
    walk(document.root_element(), &mut out, &mut paragraph);
    flush(&mut out, &mut paragraph);
    out
}

fn flush(out: &mut Vec<Block>, paragraph: &mut String) {
    let text = std::mem::take(paragraph);
    if !text.trim().is_empty() {
        out.push(Block::Paragraph(text));
    }
}

fn walk(element: ElementRef<'_>, out: &mut Vec<Block>, paragraph: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => paragraph.push_str(&collapse(text)),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                if name == "table" {
                    flush(out, paragraph);
                    out.push(Block::Table(table(child)));
                } else if BLOCKS.contains(&name) {
                    flush(out, paragraph);
                    walk(child, out, paragraph);
                    flush(out, paragraph);
                } else {
                    walk(child, out, paragraph);
                }
            }
            _ => {}
        }
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

/// Rows of a table (those of tables nested in it are its cells' text).
fn table(element: ElementRef<'_>) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    rows_of(element, &mut rows);
    rows
}

fn rows_of(element: ElementRef<'_>, rows: &mut Vec<Vec<String>>) {
    for child in element.children().filter_map(ElementRef::wrap) {
        match child.value().name() {
            "tr" => rows.push(
                child
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|c| matches!(c.value().name(), "td" | "th"))
                    .map(cell_text)
                    .collect(),
            ),
            "thead" | "tbody" | "tfoot" => rows_of(child, rows),
            _ => {}
        }
    }
}

/// A cell's text, its `<br>` and block children as line breaks.
fn cell_text(cell: ElementRef<'_>) -> String {
    let mut blocks = Vec::new();
    let mut paragraph = String::new();
    walk(cell, &mut blocks, &mut paragraph);
    flush(&mut blocks, &mut paragraph);
    blocks
        .into_iter()
        .map(|b| match b {
            Block::Paragraph(p) => p.trim().to_owned(),
            Block::Table(rows) => rows.into_iter().flatten().collect::<Vec<_>>().join("\n"),
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
            blocks(page),
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
}
