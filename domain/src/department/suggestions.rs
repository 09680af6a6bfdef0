//! Probable duplicates among department names: one list spells one department several ways
//! (`市卫健委` / `市卫生健康委`, `市组织部` / `市委组织部`, `市地震检测中心` / `市地震监测中心`).
//! Each suggestion says which rule found it; nothing is merged here; the administrator accepts a
//! suggestion with `api alias add` or `mergeDepartments`.
//!
//! A bureau and the company or centre it supervises (`市燃气局` / `市燃气集团`) differ in more
//! than a rule explains, and are not suggested.

use std::{collections::HashMap, fmt, sync::LazyLock};

use super::comparison_key;

/// The name forms and confusable characters the rules know, as shipped.
const SHIPPED: &str = include_str!("../../data/department-names.txt");

/// The data the rules read: abbreviations and confusable characters.
#[derive(Clone, Debug, Default)]
pub struct NameForms {
    /// Every form, longest first, with the index of its body's full form.
    forms: Vec<(String, usize)>,
    full: Vec<String>,
    confusables: HashMap<char, Vec<char>>,
}

static SHIPPED_FORMS: LazyLock<NameForms> = LazyLock::new(|| {
    // The shipped file is tested to parse; an error here is a build that fails its tests.
    NameForms::parse(SHIPPED).unwrap_or_default()
});

impl NameForms {
    /// The shipped data.
    pub fn shipped() -> &'static NameForms {
        &SHIPPED_FORMS
    }

    /// The shipped data extended by an administrator's file of the same shape.
    pub fn shipped_and(extra: &str) -> Result<NameForms, String> {
        let mut forms = NameForms::parse(SHIPPED)?;
        forms.extend(NameForms::parse(extra)?);
        Ok(forms)
    }

    /// The shipped data, extended by the file `MINSHENG_DEPARTMENT_NAMES` names; an unreadable
    /// or malformed file is an error naming it (and its line).
    pub fn configured(settings: &crate::Settings) -> Result<NameForms, String> {
        let Some(path) = &settings.department_names else {
            return Ok(NameForms::shipped().clone());
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "MINSHENG_DEPARTMENT_NAMES: cannot read {}: {e}",
                path.display()
            )
        })?;
        NameForms::shipped_and(&text)
            .map_err(|e| format!("MINSHENG_DEPARTMENT_NAMES: {}: {e}", path.display()))
    }

    /// Reads `[abbreviations]` and `[confusables]` sections; `#` starts a comment. An error
    /// names its line.
    pub fn parse(text: &str) -> Result<NameForms, String> {
        #[derive(PartialEq)]
        enum Section {
            None,
            Abbreviations,
            Confusables,
        }
        let mut section = Section::None;
        let mut out = NameForms::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            match line {
                "[abbreviations]" => section = Section::Abbreviations,
                "[confusables]" => section = Section::Confusables,
                _ => {
                    let words: Vec<String> = line.split_whitespace().map(comparison_key).collect();
                    if words.len() < 2 {
                        return Err(format!(
                            "line {}: a line names at least two forms, separated by spaces",
                            i + 1
                        ));
                    }
                    match section {
                        Section::None => {
                            return Err(format!(
                                "line {}: forms before a [abbreviations] or [confusables] heading",
                                i + 1
                            ));
                        }
                        Section::Abbreviations => {
                            let body = out.full.len();
                            out.full.push(words[0].clone());
                            out.forms.extend(words.into_iter().map(|w| (w, body)));
                        }
                        Section::Confusables => {
                            let chars: Vec<char> = words
                                .iter()
                                .map(|w| {
                                    let mut cs = w.chars();
                                    match (cs.next(), cs.next()) {
                                        (Some(c), None) => Ok(c),
                                        _ => Err(format!(
                                            "line {}: '{w}' is not one character",
                                            i + 1
                                        )),
                                    }
                                })
                                .collect::<Result<_, _>>()?;
                            for &c in &chars {
                                let others = out.confusables.entry(c).or_default();
                                others.extend(chars.iter().copied().filter(|&o| o != c));
                            }
                        }
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn extend(&mut self, other: NameForms) {
        let offset = self.full.len();
        self.full.extend(other.full);
        self.forms
            .extend(other.forms.into_iter().map(|(f, b)| (f, b + offset)));
        for (c, others) in other.confusables {
            self.confusables.entry(c).or_default().extend(others);
        }
        self.sort();
    }

    fn sort(&mut self) {
        self.forms.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
    }

    /// `name` as tokens: each known form replaced by its body, the rest character by character.
    fn tokens<'a>(&'a self, name: &'a str) -> Vec<Token<'a>> {
        let mut out = Vec::new();
        let mut rest = name;
        while let Some(c) = rest.chars().next() {
            match self
                .forms
                .iter()
                .find(|(f, _)| rest.starts_with(f.as_str()))
            {
                Some((form, body)) => {
                    out.push(Token::Form(*body, &rest[..form.len()]));
                    rest = &rest[form.len()..];
                }
                None => {
                    out.push(Token::Char(c));
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// A known form: its body, and the form as printed.
    Form(usize, &'a str),
    Char(char),
}

impl Token<'_> {
    fn same_body(&self, other: &Token<'_>) -> bool {
        match (self, other) {
            (Token::Form(a, _), Token::Form(b, _)) => a == b,
            (Token::Char(a), Token::Char(b)) => a == b,
            _ => false,
        }
    }
}

/// Which rule found a probable duplicate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Reason {
    /// The same body's full and short forms (`卫健委` / `卫生健康委员会`).
    Abbreviation { printed: String, known: String },
    /// The same name without a `和` (`文化和旅游局` / `文化旅游局`).
    DroppedHe,
    /// The same name with a second name in parentheses (`市人社局(市医保中心)` / `市人社局`).
    SecondName { second: String },
    /// `市组织部` for `市委组织部`.
    MissingWei,
    /// One character another prints for it (`气像` / `气象`).
    Confusable { printed: char, known: char },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Abbreviation { printed, known } => {
                write!(
                    f,
                    "「{printed}」与「{known}」指同一机构（一为全称，一为简称）"
                )
            }
            Reason::DroppedHe => f.write_str("名称相同，只少了一个“和”字"),
            Reason::SecondName { second } => {
                write!(f, "名称相同，括号里另有一个名称（{second}）")
            }
            Reason::MissingWei => f.write_str("“市委…部”漏印了“委”字"),
            Reason::Confusable { printed, known } => {
                write!(
                    f,
                    "有一个字不同：把「{known}」印成了「{printed}」（常见错字）"
                )
            }
        }
    }
}

/// A new name that is probably an existing (or earlier) one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub name: String,
    pub probably: String,
    pub reason: Reason,
}

/// Suggestions for `new` names, against `known` names and against the new names before them.
/// A name equal to another (after NFKC) is no suggestion: it is the same department.
pub fn suggest(new: &[&str], known: &[&str], forms: &NameForms) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let known_keys: Vec<(String, &str)> = known.iter().map(|k| (comparison_key(k), *k)).collect();
    let mut earlier: Vec<(String, &str)> = Vec::new();
    for name in new {
        let key = comparison_key(name);
        if known_keys.iter().chain(&earlier).any(|(k, _)| *k == key) {
            continue;
        }
        for (other_key, other) in known_keys.iter().chain(&earlier) {
            if let Some(reason) = probable_duplicate(&key, other_key, forms) {
                out.push(Suggestion {
                    name: (*name).to_owned(),
                    probably: (*other).to_owned(),
                    reason,
                });
            }
        }
        earlier.push((key, name));
    }
    out
}

/// The rule that makes `a` probably `b`, if any (both in comparison form).
pub fn probable_duplicate(a: &str, b: &str, forms: &NameForms) -> Option<Reason> {
    if a == b {
        return None;
    }
    if a.replace('和', "") == b.replace('和', "") {
        return Some(Reason::DroppedHe);
    }
    if let Some(reason) = abbreviation(a, b, forms) {
        return Some(reason);
    }
    for (with, without) in [(a, b), (b, a)] {
        if let Some((base, second)) = split_second_name(with)
            && (base == without || same_body(base, without, forms))
        {
            return Some(Reason::SecondName {
                second: second.to_owned(),
            });
        }
    }
    for (short, long) in [(a, b), (b, a)] {
        if short.ends_with('部')
            && let Some(rest) = short.strip_prefix('市')
            && long == format!("市委{rest}")
        {
            return Some(Reason::MissingWei);
        }
    }
    confusable(a, b, forms)
}

fn same_body(a: &str, b: &str, forms: &NameForms) -> bool {
    let (ta, tb) = (forms.tokens(a), forms.tokens(b));
    ta.len() == tb.len() && ta.iter().zip(&tb).all(|(x, y)| x.same_body(y))
}

/// Two names that are one body's, spelt with different forms of it.
fn abbreviation(a: &str, b: &str, forms: &NameForms) -> Option<Reason> {
    let strip = |s: &str| s.replace('和', "");
    let (ta, tb) = (forms.tokens(a), forms.tokens(b));
    if !(ta.len() == tb.len() && ta.iter().zip(&tb).all(|(x, y)| x.same_body(y))) {
        // Forms written with or without 和 are one form too.
        let (sa, sb) = (strip(a), strip(b));
        if !same_body(&sa, &sb, forms) {
            return None;
        }
    }
    let pair = ta.iter().zip(&tb).find_map(|(x, y)| match (x, y) {
        (Token::Form(_, p), Token::Form(_, k)) if p != k => {
            Some(((*p).to_owned(), (*k).to_owned()))
        }
        _ => None,
    });
    let (printed, known) = pair.unwrap_or_else(|| (a.to_owned(), b.to_owned()));
    Some(Reason::Abbreviation { printed, known })
}

/// `市人社局(市医保中心)`: (`市人社局`, `市医保中心`).
fn split_second_name(name: &str) -> Option<(&str, &str)> {
    let inner = name.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let (base, second) = (&inner[..open], &inner[open + 1..]);
    (!base.is_empty() && !second.is_empty()).then_some((base, second))
}

fn confusable(a: &str, b: &str, forms: &NameForms) -> Option<Reason> {
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ca.len() != cb.len() || ca.len() < 3 || ca.first() != cb.first() || ca.last() != cb.last() {
        return None;
    }
    let mut differing = ca.iter().zip(&cb).filter(|(x, y)| x != y);
    let (Some((&printed, &known)), None) = (differing.next(), differing.next()) else {
        return None;
    };
    forms
        .confusables
        .get(&printed)
        .is_some_and(|others| others.contains(&known))
        .then_some(Reason::Confusable { printed, known })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(a: &str, b: &str) -> Option<Reason> {
        probable_duplicate(&comparison_key(a), &comparison_key(b), NameForms::shipped())
    }

    #[test]
    fn the_shipped_data_parses() {
        let forms = NameForms::parse(SHIPPED).expect("shipped data");
        assert!(forms.full.len() > 20);
        assert!(forms.confusables.contains_key(&'像'));
    }

    #[test]
    fn each_rule_explains_itself() {
        assert_eq!(
            rule("市卫健委", "市卫生健康委"),
            Some(Reason::Abbreviation {
                printed: "卫健委".into(),
                known: "卫生健康委".into()
            })
        );
        assert!(matches!(
            rule("市发改委", "市发展和改革委员会"),
            Some(Reason::Abbreviation { .. })
        ));
        assert!(matches!(
            rule("市住建局", "市住房城乡建设局"),
            Some(Reason::Abbreviation { .. })
        ));
        assert_eq!(
            rule("市文化旅游局", "市文化和旅游局"),
            Some(Reason::DroppedHe)
        );
        assert_eq!(
            rule("市人社局(市医保中心)", "市人社局"),
            Some(Reason::SecondName {
                second: "市医保中心".into()
            })
        );
        assert!(matches!(
            rule("市人社局（市医保中心）", "市人力资源和社会保障局"),
            Some(Reason::SecondName { .. })
        ));
        assert_eq!(rule("市宣传部", "市委宣传部"), Some(Reason::MissingWei));
        assert_eq!(
            rule("市气像局", "市气象局"),
            Some(Reason::Confusable {
                printed: '像',
                known: '象'
            })
        );
    }

    #[test]
    fn different_bodies_are_not_suggested() {
        for (a, b) in [
            ("市燃气局", "市燃气集团"),
            ("市港航局", "市港航投资集团"),
            ("市港航局", "市航道事业发展中心"),
            ("市市场监管局", "市场监管局"),
            ("市民政局", "市财政局"),
            ("市水务局", "市水务集团"),
            ("市委政法委(市综治办)", "市委政研室(市委改革办)"),
        ] {
            assert_eq!(rule(a, b), None, "{a} / {b}");
        }
    }

    #[test]
    fn new_names_against_known_ones_and_each_other() {
        let got = suggest(
            &["市卫健委", "市组织部", "市委组织部", "市财政局"],
            &["市卫生健康委员会", "市财政局"],
            NameForms::shipped(),
        );
        let pairs: Vec<(&str, &str)> = got
            .iter()
            .map(|s| (s.name.as_str(), s.probably.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [("市卫健委", "市卫生健康委员会"), ("市委组织部", "市组织部")]
        );
    }

    #[test]
    fn an_administrators_file_extends_the_rules_and_errors_name_their_line() {
        let forms = NameForms::shipped_and("[abbreviations]\n港航管理局 港航局\n").expect("extra");
        assert!(matches!(
            probable_duplicate("市港航局", "市港航管理局", &forms),
            Some(Reason::Abbreviation { .. })
        ));
        assert!(
            NameForms::parse("[abbreviations]\n只有一个\n")
                .expect_err("one form")
                .starts_with("line 2")
        );
        assert!(
            NameForms::parse("甲 乙\n")
                .expect_err("no section")
                .contains("line 1")
        );
    }
}
