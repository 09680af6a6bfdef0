//! The layouts a list arrives in, and the guess of which one a text is.

use std::{fmt, str::FromStr};

use super::{
    columns, inline,
    scan::{Line, classify, is_header_cell, item_start},
};

/// Lines [`Layout::guess`] reads.
pub const GUESS_LINES: usize = 200;

/// How a list is printed. Each layout has its own reader; all of them give the same items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Numbered headings with labelled fields under each (事项内容:, 完成时限:, …).
    Newspaper,
    /// A table flattened to one cell per line: header cells, then rows starting with a bare
    /// row number.
    Table,
    /// Category headings (`一、教育文化`) over items numbered `1.` / `（1）`, each with its units
    /// in parentheses at its end.
    Categorized,
    /// Items that lost their line breaks, labelled inline (`责任单位:…`, `实际完成情况:…`).
    Runon,
    /// A table with a header row, a row per line and its cells separated by tabs: how
    /// spreadsheets and CSV files are read, and how cells copied from Excel paste.
    Columns,
}

impl Layout {
    pub const ALL: [Layout; 5] = [
        Layout::Newspaper,
        Layout::Table,
        Layout::Categorized,
        Layout::Runon,
        Layout::Columns,
    ];

    /// The name the CLI, the JSON report and the graph use.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Newspaper => "newspaper",
            Layout::Table => "table",
            Layout::Categorized => "categorized",
            Layout::Runon => "runon",
            Layout::Columns => "columns",
        }
    }

    /// The layout `text` looks like. A header row (`序号`) over bare row numbers is a table;
    /// a line holding labelled fields after its first character is run-on text; fields at the
    /// start of lines are the newspaper layout; several items numbered `1.` / `（1）` with no
    /// fields are the categorized one. Anything else is read as a newspaper (its reader
    /// reports what it cannot place). Only the first [`GUESS_LINES`] non-blank lines are
    /// looked at: a layout shows early, and the guess must cost little beside the parse.
    pub fn guess(text: &str) -> Layout {
        if columns::looks_like_columns(text) {
            return Layout::Columns;
        }
        let mut header = false;
        let mut bare_numbers = 0usize;
        let mut fields = 0usize;
        let mut numbered = 0usize;
        let mut runon = 0usize;
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(GUESS_LINES)
        {
            if is_header_cell(line) && line.starts_with("序号") {
                header = true;
            }
            if !line.is_empty() && line.len() <= 4 && line.chars().all(|c| c.is_ascii_digit()) {
                bare_numbers += 1;
            }
            if matches!(classify(line), Line::Field { .. }) {
                fields += 1;
            }
            if item_start(line).is_some() {
                numbered += 1;
            }
            if inline::segments(line)
                .iter()
                .filter(|s| s.start > 0 && !inline::in_parentheses(line, s.start))
                .count()
                >= 2
            {
                runon += 1;
            }
        }
        if header && bare_numbers >= 1 {
            Layout::Table
        } else if runon >= 1 && runon * 2 >= fields {
            Layout::Runon
        } else if fields >= 2 {
            Layout::Newspaper
        } else if numbered >= 2 {
            Layout::Categorized
        } else {
            Layout::Newspaper
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Layout {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Layout::ALL
            .into_iter()
            .find(|l| l.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown layout '{s}': one of newspaper, table, categorized, runon, columns"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for layout in Layout::ALL {
            assert_eq!(layout.as_str().parse::<Layout>(), Ok(layout));
        }
        assert!(matches!("excel".parse::<Layout>(), Err(e) if e.contains("runon")));
    }

    #[test]
    fn guesses_each_shape() {
        assert_eq!(
            Layout::guess(
                "清单\n三、提高水平\n事项内容:建设\n完成时限:2021年6月底\n牵头部门:市民政局"
            ),
            Layout::Newspaper
        );
        assert_eq!(
            Layout::guess(
                "项目表\n序号\n民生实事\n责任单位\n完成时限\n1\n新建书房\n市文旅局\n11月底前"
            ),
            Layout::Table
        );
        assert_eq!(
            Layout::guess(
                "十件实事\n一、教育\n1.新建书房(牵头单位:市文旅局)\n2.改造操场(责任单位:市教育局)"
            ),
            Layout::Categorized
        );
        assert_eq!(
            Layout::guess(
                "进展\n1.新建食堂。 牵头领导:某某 责任单位:市民政局 实际完成情况:已建成 2.改造操场。 责任单位:市教育局"
            ),
            Layout::Runon
        );
        assert_eq!(
            Layout::guess("2025年清单\n序号\t项目名称\t完成时限\n1\t新建书房\t6月底"),
            Layout::Columns
        );
    }
}
