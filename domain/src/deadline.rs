//! 完成时限: a deadline as printed, and the dated milestones and ongoing flag it means.
//!
//! Forms understood (after Unicode NFKC, so full-width digits and punctuation count):
//! `2021年6月底`, `12月底前` (year from the list), `2021年底`, `年底前`, `年内`, `2021年6月30日`,
//! `上半年`, `下半年`, `一季度` … `第四季度末`, `2021年11月底取得阶段性成效,长期坚持`, `长期坚持`,
//! `持续推进`, `常态化`, and several dated clauses in one text (`6月底前完成设计,12月底前建成`).
//! Anything else keeps its text, gets no date, and carries a `problem` for the import report.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use unicode_normalization::UnicodeNormalization;

pub use entity::{DueKind, DuePrecision};

/// A dated milestone of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub due_on: NaiveDate,
    pub precision: DuePrecision,
    pub kind: DueKind,
    /// The clause the date came from, when the deadline has more than a single final date.
    pub label: Option<String>,
}

/// A parsed 完成时限.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// Verbatim, as printed.
    pub text: String,
    pub milestones: Vec<Milestone>,
    /// 长期坚持 and the like: the work goes on past any date.
    pub ongoing: bool,
    /// What could not be understood, in words an admin can act on.
    pub problem: Option<String>,
}

const ONGOING_MARKERS: [&str; 4] = ["长期", "持续推进", "持续开展", "常态化"];

/// Verbs that, in a deadline's only clause, date a stage of the work, not its completion
/// (`6月底前开工`, `10月建成投用`). After an earlier clause (`3月底前开工，9月底前完工`) the last
/// one is the completion.
const STAGE_VERBS: [&str; 5] = ["开工", "动工", "投用", "完工", "开建"];

static YEAR: LazyLock<Regex> = LazyLock::new(|| compile(r"(\d{4})\s*年"));
static MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2})\s*[日号]"));
static MONTH: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"));
static HALF: LazyLock<Regex> = LazyLock::new(|| compile(r"([上下])半年"));
static QUARTER: LazyLock<Regex> = LazyLock::new(|| compile(r"第?([一二三四1-4])季度"));
static YEAR_END: LazyLock<Regex> = LazyLock::new(|| compile(r"年\s*(底|末|内)"));

fn compile(pattern: &str) -> Regex {
    // The patterns are constants; a typo is caught by every test in this module.
    Regex::new(pattern).unwrap_or_else(|e| panic!("deadline pattern {pattern}: {e}"))
}

impl Deadline {
    /// Parses `text`; `list_year` dates forms that print no year (`12月底前`, `上半年`).
    pub fn parse(text: &str, list_year: Option<i32>) -> Self {
        let normalized: String = text.nfkc().collect();
        let normalized = normalized.trim();
        let ongoing = ONGOING_MARKERS.iter().any(|m| normalized.contains(m));

        let mut problems = Vec::new();
        let mut dated: Vec<(NaiveDate, DuePrecision, &str)> = Vec::new();
        let mut year = list_year;
        for clause in normalized
            .split([',', ';', '、', '。'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if let Some(y) = YEAR.captures(clause).and_then(|c| c[1].parse().ok()) {
                // A year printed in one clause carries to the clauses after it.
                year = Some(y);
            }
            match date_in(clause, year) {
                Found::Date(date, precision) => dated.push((date, precision, clause)),
                Found::NoYear(what) => problems.push(format!(
                    "「{what}」没有写年份，清单年份又不明：请填写清单年份"
                )),
                Found::Invalid(what) => problems.push(format!("「{what}」不是有效的日期")),
                Found::Nothing => {}
            }
        }

        let count = dated.len();
        let milestones = dated
            .into_iter()
            .enumerate()
            .map(|(i, (due_on, precision, clause))| {
                let kind = if clause.contains("阶段")
                    || i + 1 < count
                    || (count == 1 && STAGE_VERBS.iter().any(|v| clause.contains(v)))
                {
                    DueKind::Stage
                } else {
                    DueKind::Final
                };
                let label = (count > 1 || kind == DueKind::Stage).then(|| clause.to_owned());
                Milestone {
                    due_on,
                    precision,
                    kind,
                    label,
                }
            })
            .collect::<Vec<_>>();

        if milestones.is_empty() && !ongoing && problems.is_empty() {
            problems.push(if normalized.is_empty() {
                "完成时限为空".to_owned()
            } else {
                format!(
                    "「{normalized}」中没有日期，也没有“长期坚持”一类的说法：原文保留，不设到期日"
                )
            });
        }
        Self {
            text: text.trim().to_owned(),
            milestones,
            ongoing,
            problem: (!problems.is_empty()).then(|| problems.join("；")),
        }
    }

    /// The final milestone's date, if any.
    pub fn final_due_on(&self) -> Option<NaiveDate> {
        self.milestones
            .iter()
            .rev()
            .find(|m| m.kind == DueKind::Final)
            .map(|m| m.due_on)
    }
}

enum Found<'a> {
    Date(NaiveDate, DuePrecision),
    NoYear(&'a str),
    Invalid(&'a str),
    Nothing,
}

/// The one date a clause names, most specific form first.
fn date_in(clause: &str, year: Option<i32>) -> Found<'_> {
    let with_year = |make: &dyn Fn(i32) -> Option<NaiveDate>, precision| match year {
        Some(y) => match make(y) {
            Some(date) => Found::Date(date, precision),
            None => Found::Invalid(clause),
        },
        None => Found::NoYear(clause),
    };
    if let Some(c) = MONTH_DAY.captures(clause) {
        let (month, day) = (month_number(&c[1]), c[2].parse::<u32>().ok());
        return with_year(
            &|y| NaiveDate::from_ymd_opt(y, month?, day?),
            DuePrecision::Day,
        );
    }
    if let Some(c) = MONTH.captures(clause) {
        let month = month_number(&c[1]);
        return with_year(&|y| last_day_of_month(y, month?), DuePrecision::Month);
    }
    if let Some(c) = HALF.captures(clause) {
        let month = if &c[1] == "上" { 6 } else { 12 };
        return with_year(&|y| last_day_of_month(y, month), DuePrecision::HalfYear);
    }
    if let Some(c) = QUARTER.captures(clause) {
        let quarter = match &c[1] {
            "一" | "1" => 1,
            "二" | "2" => 2,
            "三" | "3" => 3,
            _ => 4,
        };
        return with_year(
            &|y| last_day_of_month(y, quarter * 3),
            DuePrecision::Quarter,
        );
    }
    if YEAR_END.is_match(clause) || YEAR.is_match(clause) {
        return with_year(&|y| NaiveDate::from_ymd_opt(y, 12, 31), DuePrecision::Year);
    }
    Found::Nothing
}

/// 1–12 from `6` or `六` / `十二`.
fn month_number(text: &str) -> Option<u32> {
    let n = text
        .parse::<u32>()
        .ok()
        .or_else(|| crate::numerals::chinese_to_number(text))?;
    (1..=12).contains(&n).then_some(n)
}

/// The last day of `month` in `year` (February knows leap years).
pub fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    first_of_next.pred_opt().filter(|d| d.month() == month)
}

#[cfg(test)]
mod tests {
    use super::*;

    use test_support::date;

    /// (date, precision, kind) of every milestone.
    fn dates(text: &str, year: Option<i32>) -> Vec<(NaiveDate, DuePrecision, DueKind)> {
        let d = Deadline::parse(text, year);
        assert_eq!(d.text, text.trim(), "the text is kept verbatim");
        d.milestones
            .iter()
            .map(|m| (m.due_on, m.precision, m.kind))
            .collect()
    }

    use DueKind::{Final, Stage};
    use DuePrecision::{Day, HalfYear, Month, Quarter, Year};

    #[test]
    fn month_ends() {
        assert_eq!(
            dates("2021年12月底", None),
            [(date(2021, 12, 31), Month, Final)]
        );
        assert_eq!(
            dates("2021年6月底", None),
            [(date(2021, 6, 30), Month, Final)]
        );
        assert_eq!(
            dates("12月底前", Some(2021)),
            [(date(2021, 12, 31), Month, Final)]
        );
        assert_eq!(
            dates("2021年12月底前完成", None),
            [(date(2021, 12, 31), Month, Final)]
        );
        assert_eq!(
            dates("2021年十一月底", None),
            [(date(2021, 11, 30), Month, Final)]
        );
        assert_eq!(
            dates("２０２１年４月底", None),
            [(date(2021, 4, 30), Month, Final)],
            "full-width digits"
        );
    }

    #[test]
    fn february_knows_leap_years() {
        assert_eq!(
            dates("2024年2月底", None),
            [(date(2024, 2, 29), Month, Final)]
        );
        assert_eq!(
            dates("2021年2月底", None),
            [(date(2021, 2, 28), Month, Final)]
        );
        assert_eq!(
            dates("2000年2月底", None),
            [(date(2000, 2, 29), Month, Final)]
        );
        assert_eq!(
            dates("2100年2月底", None),
            [(date(2100, 2, 28), Month, Final)]
        );
        assert!(
            Deadline::parse("2021年2月29日", None).problem.is_some(),
            "no 29 February in 2021"
        );
        assert_eq!(
            dates("2024年2月29日", None),
            [(date(2024, 2, 29), Day, Final)]
        );
    }

    #[test]
    fn year_ends() {
        assert_eq!(dates("2021年底", None), [(date(2021, 12, 31), Year, Final)]);
        assert_eq!(
            dates("年底前", Some(2022)),
            [(date(2022, 12, 31), Year, Final)]
        );
        assert_eq!(
            dates("年内", Some(2021)),
            [(date(2021, 12, 31), Year, Final)]
        );
        assert_eq!(dates("2021年末", None), [(date(2021, 12, 31), Year, Final)]);
    }

    #[test]
    fn days() {
        assert_eq!(
            dates("2021年12月31日前", None),
            [(date(2021, 12, 31), Day, Final)]
        );
        assert_eq!(
            dates("2021年6月30日", None),
            [(date(2021, 6, 30), Day, Final)]
        );
    }

    #[test]
    fn halves_and_quarters() {
        assert_eq!(
            dates("上半年", Some(2021)),
            [(date(2021, 6, 30), HalfYear, Final)]
        );
        assert_eq!(
            dates("2021年下半年", None),
            [(date(2021, 12, 31), HalfYear, Final)]
        );
        assert_eq!(
            dates("一季度", Some(2021)),
            [(date(2021, 3, 31), Quarter, Final)]
        );
        assert_eq!(
            dates("二季度", Some(2021)),
            [(date(2021, 6, 30), Quarter, Final)]
        );
        assert_eq!(
            dates("第三季度末", Some(2021)),
            [(date(2021, 9, 30), Quarter, Final)]
        );
        assert_eq!(
            dates("四季度", Some(2021)),
            [(date(2021, 12, 31), Quarter, Final)]
        );
    }

    #[test]
    fn a_stage_milestone_and_ongoing() {
        let d = Deadline::parse("2021年11月底取得阶段性成效,长期坚持", None);
        assert_eq!(
            d.milestones,
            [Milestone {
                due_on: date(2021, 11, 30),
                precision: Month,
                kind: Stage,
                label: Some("2021年11月底取得阶段性成效".into())
            }]
        );
        assert!(d.ongoing);
        assert_eq!(d.problem, None);
        assert_eq!(d.final_due_on(), None, "ongoing work has no final date");
        // Full-width comma, same meaning.
        assert_eq!(
            Deadline::parse("2021年6月底取得阶段性成效，长期坚持", None)
                .milestones
                .len(),
            1
        );
    }

    #[test]
    fn ongoing_only() {
        for text in ["长期坚持", "持续推进", "常态化"] {
            let d = Deadline::parse(text, Some(2021));
            assert!(
                d.ongoing && d.milestones.is_empty() && d.problem.is_none(),
                "{text}: {d:?}"
            );
        }
    }

    #[test]
    fn several_dates_make_several_milestones() {
        let d = Deadline::parse("6月底前完成设计,12月底前建成", Some(2021));
        let got: Vec<_> = d
            .milestones
            .iter()
            .map(|m| (m.due_on, m.kind, m.label.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (date(2021, 6, 30), Stage, Some("6月底前完成设计")),
                (date(2021, 12, 31), Final, Some("12月底前建成")),
            ]
        );
        assert_eq!(d.final_due_on(), Some(date(2021, 12, 31)));
        // A year printed in the first clause carries to the next.
        let carried = dates("2022年3月底前开工，9月底前完工", None);
        assert_eq!(
            carried,
            [
                (date(2022, 3, 31), Month, Stage),
                (date(2022, 9, 30), Month, Final)
            ]
        );
    }

    #[test]
    fn anything_else_keeps_the_text_with_a_problem() {
        let d = Deadline::parse("视情况而定", Some(2021));
        assert!(d.milestones.is_empty() && !d.ongoing);
        assert_eq!(d.text, "视情况而定");
        assert!(
            d.problem
                .as_deref()
                .is_some_and(|p| p.contains("视情况而定")),
            "{d:?}"
        );

        let no_year = Deadline::parse("12月底前", None);
        assert!(no_year.milestones.is_empty());
        assert!(
            no_year
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("请填写清单年份") && !p.contains("--")),
            "{no_year:?}"
        );

        assert!(Deadline::parse("2021年13月底", None).problem.is_some());
        assert!(Deadline::parse("", None).problem.is_some());
    }

    #[test]
    fn milestone_verbs_date_a_stage_not_completion() {
        for text in ["6月底前开工", "10月建成投用", "9月底前动工"] {
            let d = Deadline::parse(text, Some(2025));
            assert_eq!(d.milestones.len(), 1, "{text}");
            assert_eq!(d.milestones[0].kind, DueKind::Stage, "{text}");
            assert_eq!(d.milestones[0].label.as_deref(), Some(text));
        }
        let done = Deadline::parse("11月底前", Some(2025));
        assert_eq!(done.milestones[0].kind, DueKind::Final);
    }
}
