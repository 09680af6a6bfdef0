//! What a header cell names: the fields and the names they go by ([`header_names.toml`], data,
//! not code).

use std::{collections::HashMap, fmt, str::FromStr, sync::LazyLock};

/// What a column of a list's table holds.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 序号.
    Number,
    /// 项目名称: the item's title.
    Title,
    /// 主要内容: what is to be done.
    Content,
    /// 完成时限.
    Deadline,
    /// 牵头单位.
    Lead,
    /// 配合单位.
    Cooperating,
    /// 牵头领导, 项目责任人: people, never departments.
    People,
    /// 实际完成情况.
    Progress,
    /// 类别.
    Category,
    /// 备注: kept in the content.
    Note,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Number,
        Field::Title,
        Field::Content,
        Field::Deadline,
        Field::Lead,
        Field::Cooperating,
        Field::People,
        Field::Progress,
        Field::Category,
        Field::Note,
    ];

    /// The key the CLI (`--column title=项目名称`), the graph and the JSON report use.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Title => "title",
            Field::Content => "content",
            Field::Deadline => "deadline",
            Field::Lead => "lead",
            Field::Cooperating => "cooperating",
            Field::People => "people",
            Field::Progress => "progress",
            Field::Category => "category",
            Field::Note => "note",
        }
    }

    /// The field's name on the pages and in messages.
    pub fn label(self) -> &'static str {
        match self {
            Field::Number => "序号",
            Field::Title => "事项名称",
            Field::Content => "事项内容",
            Field::Deadline => "完成时限",
            Field::Lead => "牵头单位",
            Field::Cooperating => "配合单位",
            Field::People => "责任人",
            Field::Progress => "进展情况",
            Field::Category => "类别",
            Field::Note => "备注",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Field::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| {
                let all: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown column field '{s}': one of {}", all.join(", "))
            })
    }
}

/// Header cell (as [`normalize`]d) → field.
static NAMES: LazyLock<HashMap<String, Field>> = LazyLock::new(|| {
    parse_table(include_str!("header_names.toml"))
        .unwrap_or_else(|e| panic!("header_names.toml: {e}"))
});

fn parse_table(text: &str) -> Result<HashMap<String, Field>, String> {
    let table: HashMap<Field, Vec<String>> = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut names = HashMap::new();
    for (field, list) in table {
        for name in list {
            if let Some(other) = names.insert(normalize(&name), field)
                && other != field
            {
                return Err(format!("「{name}」 names both {other} and {field}"));
            }
        }
    }
    Ok(names)
}

/// A header cell as compared: without spaces, line breaks, marks (★ *), or a parenthesised
/// note (`牵头单位（部门）`).
pub fn normalize(cell: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in cell.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '★' | '*' | '＊' | '※' | ':' | '：') => {}
            c => out.push(c),
        }
    }
    out
}

/// The field a header cell names, if it is a known name.
pub fn field_of(cell: &str) -> Option<Field> {
    let key = normalize(cell);
    if key.is_empty() || key.chars().count() > 12 {
        return None;
    }
    NAMES.get(&key).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_and_each_name_belongs_to_one_field() {
        assert!(parse_table(include_str!("header_names.toml")).is_ok());
        assert!(parse_table("title = [\"事项\"]\ncontent = [\"事 项\"]").is_err());
    }

    #[test]
    fn header_cells_are_read_with_their_variants() {
        assert_eq!(field_of("序号"), Some(Field::Number));
        assert_eq!(field_of("编 号"), Some(Field::Number));
        assert_eq!(field_of("项目名称"), Some(Field::Title));
        assert_eq!(field_of("实事项目"), Some(Field::Title));
        assert_eq!(field_of("主要内容"), Some(Field::Content));
        assert_eq!(field_of("目标任务"), Some(Field::Content));
        assert_eq!(field_of("完成时限（年底前）"), Some(Field::Deadline));
        assert_eq!(field_of("时间节点"), Some(Field::Deadline));
        assert_eq!(field_of("牵头单位\n（部门）"), Some(Field::Lead));
        assert_eq!(field_of("★责任单位"), Some(Field::Lead));
        assert_eq!(field_of("协办单位"), Some(Field::Cooperating));
        assert_eq!(field_of("新建书房"), None);
        assert_eq!(field_of(""), None);
    }

    #[test]
    fn fields_round_trip_by_their_keys() {
        for field in Field::ALL {
            assert_eq!(field.as_str().parse::<Field>(), Ok(field));
        }
        assert!("name".parse::<Field>().is_err());
    }
}
