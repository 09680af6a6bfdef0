//! "Now" for one request: read once at the edge, overridable per field with a `now` argument,
//! and turned into "today" in the configured time zone, never in UTC by accident.

use async_graphql::Context;
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use domain::{store::item::Today, urgency::UrgencyRule};

#[derive(Clone, Copy, Debug)]
pub struct RequestClock {
    pub now: DateTime<Utc>,
    pub timezone: Tz,
    pub rule: UrgencyRule,
}

impl RequestClock {
    /// Today at `now` (or at the request's arrival) in the configured zone.
    pub fn today(&self, now: Option<DateTime<FixedOffset>>) -> Today {
        let at = now.map_or(self.now, |n| n.with_timezone(&Utc));
        Today {
            date: at.with_timezone(&self.timezone).date_naive(),
            rule: self.rule,
        }
    }
}

/// Today for a resolver, honouring its `now` argument.
pub fn today(
    ctx: &Context<'_>,
    now: Option<DateTime<FixedOffset>>,
) -> async_graphql::Result<Today> {
    Ok(ctx.data::<RequestClock>()?.today(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_date_in_the_configured_zone() {
        let clock = RequestClock {
            now: Utc::now(),
            timezone: chrono_tz::Asia::Shanghai,
            rule: UrgencyRule { due_soon_days: 14 },
        };
        // 2021-06-30 17:00 UTC is already July 1st in Shanghai.
        let late = DateTime::parse_from_rfc3339("2021-06-30T17:00:00Z").expect("instant");
        assert_eq!(clock.today(Some(late)).date.to_string(), "2021-07-01");
        let early = DateTime::parse_from_rfc3339("2021-06-30T15:59:59Z").expect("instant");
        assert_eq!(clock.today(Some(early)).date.to_string(), "2021-06-30");
    }
}
