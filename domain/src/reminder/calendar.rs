//! Working days: weekends and listed holidays rest, listed make-up days (调休) work.
//!
//! The admin keeps a TOML file each year:
//!
//! ```toml
//! rest = ["2021-10-01", "2021-10-04"]   # holidays that fall on weekdays
//! work = ["2021-09-26", "2021-10-09"]   # make-up working days that fall on weekends
//! ```

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    rest: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// Parses the calendar file's text; errors name what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        let mut rest = BTreeSet::new();
        let mut work = BTreeSet::new();
        for (key, value) in &table {
            let into = match key.as_str() {
                "rest" => &mut rest,
                "work" => &mut work,
                other => {
                    return Err(format!(
                        "unknown key '{other}' (use rest = [...] and work = [...])"
                    ));
                }
            };
            let days = value
                .as_array()
                .ok_or_else(|| format!("{key} must be a list of dates"))?;
            for day in days {
                // Quoted ("2021-10-01") or a TOML date (2021-10-01).
                let text = day
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| day.as_datetime().map(ToString::to_string))
                    .ok_or_else(|| format!("{key}: {day:?} is not a date"))?;
                let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|_| format!("{key}: '{text}' is not a date (YYYY-MM-DD)"))?;
                into.insert(date);
            }
        }
        if let Some(both) = rest.intersection(&work).next() {
            return Err(format!(
                "{both} is listed both as a day of rest and as a working day"
            ));
        }
        Ok(Self { rest, work })
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.work.contains(&day) {
            return true;
        }
        if self.rest.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The day `n` working days before `day` (`n = 0`: `day` itself).
    pub fn working_days_before(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut current = day;
        let mut left = n;
        while left > 0 {
            match current.pred_opt() {
                Some(previous) => current = previous,
                None => return current,
            }
            if self.is_working_day(current) {
                left -= 1;
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use test_support::date as d;

    /// National Day 2021: 1–7 October rest, Sunday 26 September and Saturday 9 October work.
    fn national_day_2021() -> WorkCalendar {
        WorkCalendar::parse(
            "rest = [2021-10-01, 2021-10-04, 2021-10-05, 2021-10-06, 2021-10-07]\nwork = [\"2021-09-26\", \"2021-10-09\"]\n",
        )
        .expect("calendar")
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let c = national_day_2021();
        assert!(c.is_working_day(d(2021, 9, 30)));
        assert!(!c.is_working_day(d(2021, 10, 1)), "holiday");
        assert!(!c.is_working_day(d(2021, 10, 2)), "weekend");
        assert!(c.is_working_day(d(2021, 9, 26)), "make-up Sunday");
        assert!(c.is_working_day(d(2021, 10, 9)), "make-up Saturday");
    }

    #[test]
    fn counting_back_skips_days_of_rest() {
        let c = national_day_2021();
        // 3 working days before Friday 8 October: the holiday week is skipped.
        assert_eq!(c.working_days_before(d(2021, 10, 8), 1), d(2021, 9, 30));
        assert_eq!(c.working_days_before(d(2021, 10, 8), 3), d(2021, 9, 28));
        assert_eq!(c.working_days_before(d(2021, 10, 8), 0), d(2021, 10, 8));
    }

    #[test]
    fn a_day_cannot_both_rest_and_work() {
        assert!(WorkCalendar::parse("rest = [2021-10-01]\nwork = [2021-10-01]").is_err());
        assert!(
            WorkCalendar::parse("holidays = [2021-10-01]").is_err(),
            "unknown key"
        );
    }
}
