//! Department names as printed, their comparison form, and the splitting of department fields.

pub mod suggestions;

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// A department's name as printed (`市委政研室(市委改革办)` is one name).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DepartmentName(String);

impl DepartmentName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            return Err("部门名称不能为空".into());
        }
        crate::text::check(name, crate::text::MAX_NAME_CHARS, crate::text::Lines::One)
            .map_err(|m| format!("部门名称{m}"))?;
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form names are compared in: NFKC, no whitespace.
    pub fn key(&self) -> String {
        comparison_key(&self.0)
    }
}

impl fmt::Display for DepartmentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DepartmentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DepartmentName({})", self.0)
    }
}

/// NFKC with whitespace removed: `市教育局（市委教育工委）` and `市教育局(市委教育工委)` compare equal.
pub fn comparison_key(name: &str) -> String {
    name.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// One entry of a department field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DepartmentEntry {
    Department(DepartmentName),
    /// A phrase naming no single department (`各级各有关部门单位`, `各县区政府`): kept as a note.
    Generic(String),
    /// Text that cannot be a department's name (too long, control characters): why not.
    Refused(String),
}

/// Splits a printed department field on `、` `,` `，` `;` `；`, never inside brackets.
pub fn split_field(value: &str) -> Vec<DepartmentEntry> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in value.chars() {
        match c {
            '(' | '（' | '[' | '【' | '〔' => depth += 1,
            ')' | '）' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && matches!(c, '、' | ',' | '，' | ';' | '；') {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().trim_end_matches(['。', '.']).trim().to_owned())
        .filter(|p| !p.is_empty())
        .map(|p| {
            if is_generic(&p) {
                DepartmentEntry::Generic(p)
            } else if let Some(why) = not_a_name(&p) {
                DepartmentEntry::Refused(why.to_owned())
            } else {
                match DepartmentName::parse(&p) {
                    Ok(name) => DepartmentEntry::Department(name),
                    Err(why) => DepartmentEntry::Refused(why),
                }
            }
        })
        .collect()
}

/// The longest a printed department's name plausibly is (the longest in real lists, with a
/// bracketed second name, is about 30 characters).
pub const PLAUSIBLE_NAME_CHARS: usize = 40;

/// Why text in a department field is not a department's name, when it plainly is not: a table
/// of figures that followed the units (digits, 合计, 年度目标), a run of place names, a paragraph.
/// Such text is a warning naming its line, never a department.
pub fn not_a_name(text: &str) -> Option<&'static str> {
    let key = comparison_key(text);
    if key.chars().any(|c| c.is_ascii_digit()) {
        return Some("含有数字，不像部门名称（可能是统计表）");
    }
    if ["合计", "小计", "总计", "年度目标", "实际完成", "完成率"]
        .iter()
        .any(|w| key.contains(w))
    {
        return Some("是统计表的内容，不是部门名称");
    }
    // `牡丹区 定陶区 曹县 单县`: places one after another, split by spaces.
    let places = text
        .split_whitespace()
        .filter(|w| w.ends_with(['区', '县', '市', '镇', '乡']))
        .count();
    if places >= 3 {
        return Some("是一串地名，不是部门名称");
    }
    if key.chars().count() > PLAUSIBLE_NAME_CHARS {
        return Some("过长，不像部门名称");
    }
    None
}

/// Phrases that address a whole class of bodies rather than one department.
pub fn is_generic(name: &str) -> bool {
    let key = comparison_key(name);
    // `各县区政府`, `相关管委会`, `有关乡镇`: a class of bodies, not one of them.
    key.starts_with('各') || key.starts_with("相关") || key.starts_with("有关") || key == "其他部门"
}

/// Endings of government bodies' names; any of them, after a prefix naming a level of
/// government, makes a name. The strong ones make a name on their own.
const UNIT_SUFFIXES: [&str; 24] = [
    "局",
    "委",
    "办",
    "厅",
    "部",
    "院",
    "中心",
    "会",
    "所",
    "站",
    "队",
    "馆",
    "集团",
    "公司",
    "政府",
    "办公室",
    "处",
    "署",
    "室",
    "联",
    "社",
    "台",
    "管委会",
    "分行",
];
const STRONG_SUFFIXES: [&str; 8] = ["局", "委", "办", "厅", "办公室", "管委会", "政府", "集团"];
const LEVEL_PREFIXES: [&str; 7] = ["市", "县", "区", "省", "团", "国网", "中国"];

/// Whether a line of a table's unit column (or a parenthesis after an item) names units and
/// nothing else: `市住建局、市交通运输局`, `各县区政府`. Content such as `建设市民健身中心` is
/// not: it neither starts with a level of government nor ends as a bureau does.
pub fn looks_like_units(text: &str) -> bool {
    let entries = split_field(text);
    !entries.is_empty()
        && entries.iter().all(|e| match e {
            DepartmentEntry::Department(d) => is_unit_name(d.as_str()),
            DepartmentEntry::Generic(_) => true,
            DepartmentEntry::Refused(_) => false,
        })
}

fn is_unit_name(name: &str) -> bool {
    let key = comparison_key(name);
    // `市委政法委(市综治办)`: the name before its parenthesised second name.
    let base = key.split('(').next().unwrap_or_default();
    if base.is_empty() || base.chars().count() > 25 || base.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let prefixed = LEVEL_PREFIXES.iter().any(|p| base.starts_with(p));
    STRONG_SUFFIXES.iter().any(|s| base.ends_with(s))
        || (prefixed && UNIT_SUFFIXES.iter().any(|s| base.ends_with(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(value: &str) -> Vec<String> {
        split_field(value)
            .into_iter()
            .map(|e| match e {
                DepartmentEntry::Department(n) => n.to_string(),
                DepartmentEntry::Generic(g) => format!("[{g}]"),
                DepartmentEntry::Refused(why) => format!("!{why}"),
            })
            .collect()
    }

    #[test]
    fn unit_lines_are_told_from_content() {
        assert!(looks_like_units("市住建局、市交通运输局"));
        assert!(looks_like_units("市委政法委(市综治办)"));
        assert!(looks_like_units("市妇幼保健院"));
        assert!(looks_like_units("各县区政府"));
        assert!(!looks_like_units("建设市民健身中心"));
        assert!(!looks_like_units("新建城市书房10处"));
        assert!(!looks_like_units("改造老旧小区"));
    }

    #[test]
    fn text_that_cannot_be_a_name_is_refused_with_the_reason() {
        let got = names(&format!("市财政局、{}", "局".repeat(101)));
        assert_eq!(got[0], "市财政局");
        assert!(got[1].starts_with("!过长"), "{got:?}");
    }

    #[test]
    fn splits_on_every_separator_but_not_inside_brackets() {
        assert_eq!(
            names("市委政研室(市委改革办)、市扶贫开发办,市发展改革委，市民政局;市残联；市财政局"),
            [
                "市委政研室(市委改革办)",
                "市扶贫开发办",
                "市发展改革委",
                "市民政局",
                "市残联",
                "市财政局"
            ]
        );
        assert_eq!(
            names("市教育局（市委教育工委、市语委）、团市委"),
            ["市教育局（市委教育工委、市语委）", "团市委"]
        );
    }

    #[test]
    fn generic_phrases_are_not_departments() {
        assert_eq!(
            names("市财政局、各级各有关部门单位、各县区政府、有关部门"),
            [
                "市财政局",
                "[各级各有关部门单位]",
                "[各县区政府]",
                "[有关部门]"
            ]
        );
    }

    #[test]
    fn figures_places_and_paragraphs_are_not_departments() {
        // What followed an item's units in a real list: a small table of figures by district.
        let got = names("市教育局、牡丹区 定陶区 曹县 单县 合计、年度目标 1200 实际完成 800");
        assert_eq!(got[0], "市教育局");
        assert_eq!(got.len(), 3);
        assert!(got[1..].iter().all(|g| g.starts_with('!')), "{got:?}");
        assert!(names("牡丹区 定陶区 成武县")[0].contains("地名"));
        assert!(names(&"很长的一段说明文字".repeat(6))[0].contains("过长"));
        assert_eq!(
            names("相关管委会、有关乡镇"),
            ["[相关管委会]", "[有关乡镇]"]
        );
        // Names as lists print them stay names, brackets and all.
        assert_eq!(
            names("市委政研室(市委改革办)、国网菏泽供电公司"),
            ["市委政研室(市委改革办)", "国网菏泽供电公司"]
        );
    }

    #[test]
    fn empty_entries_and_trailing_stops_are_dropped() {
        assert_eq!(
            names("市水务局、、市水务集团。"),
            ["市水务局", "市水务集团"]
        );
        assert!(names("  ").is_empty());
    }

    #[test]
    fn printed_variants_compare_equal() {
        let full = DepartmentName::parse("市教育局（市委教育工委）").expect("name");
        let ascii = DepartmentName::parse(" 市教育局(市委教育工委) ").expect("name");
        assert_eq!(full.key(), ascii.key());
        assert_ne!(full.as_str(), ascii.as_str(), "the printed form is kept");
        assert!(DepartmentName::parse("").is_err());
        assert!(DepartmentName::parse("市\u{7}局").is_err());
    }
}
