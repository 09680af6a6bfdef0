//! The calendar the api judges urgency by, so that a front end shows dates as the api counts
//! them rather than in the browser's own zone.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset, Offset};

use crate::graphql::{clock::RequestClock, scalars::Date};

/// The configured time zone and urgency window, and the day they make of `now`.
#[derive(SimpleObject)]
pub struct Calendar {
    /// The IANA name of the configured zone (`Asia/Shanghai`).
    time_zone: String,
    /// Today in that zone (at `now`, if given).
    today: Date,
    /// The zone's offset from UTC on that day, as ISO 8601 writes it (`+08:00`): a front end
    /// turns a chosen day into a `now` with it.
    utc_offset: String,
    /// An item is `DUE_SOON` when its next due date is at most this many days away.
    due_soon_days: i32,
    /// Days after a due date during which its lead department may still ask for more time
    /// (`MINSHENG_EXTENSION_GRACE_DAYS`): a desk offers 延期申请 only within them.
    extension_grace_days: i32,
}

#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// The configured time zone, today in it, and the due-soon window.
    async fn calendar(
        &self,
        ctx: &Context<'_>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Calendar> {
        let clock = ctx.data::<RequestClock>()?;
        let today = clock.today(now);
        let instant = now.map_or(clock.now, |n| n.to_utc());
        let offset = instant.with_timezone(&clock.timezone).offset().fix();
        Ok(Calendar {
            time_zone: clock.timezone.name().to_owned(),
            today: Date(today.date),
            utc_offset: offset_text(offset),
            due_soon_days: today.rule.due_soon_days as i32,
            extension_grace_days: ctx
                .data::<std::sync::Arc<domain::Settings>>()?
                .supervision
                .extension_grace_days as i32,
        })
    }
}

/// `+08:00`, `-03:30`, `+00:00`.
fn offset_text(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_written_as_iso_8601() {
        let at = |s| FixedOffset::east_opt(s).expect("offset");
        assert_eq!(offset_text(at(8 * 3600)), "+08:00");
        assert_eq!(offset_text(at(-(3 * 3600 + 1800))), "-03:30");
        assert_eq!(offset_text(at(0)), "+00:00");
        assert_eq!(offset_text(at(5 * 3600 + 45 * 60)), "+05:45");
    }
}
