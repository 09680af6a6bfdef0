//! The reminder policy as the binaries start with it: the settings, and the holiday calendar
//! read from its file. The one place the reminder rules touch the file system; the rules
//! themselves (`plan`, `calendar`) are pure.

use super::{Policy, WorkCalendar};
use crate::config::ReminderSettings;

/// The policy the settings describe, reading the holiday calendar file when one is set. The
/// error names the setting and the file.
pub fn load_policy(settings: &ReminderSettings) -> Result<Policy, String> {
    let calendar = match &settings.holiday_calendar {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "MINSHENG_HOLIDAY_CALENDAR: cannot read {}: {e}",
                    path.display()
                )
            })?;
            Some(
                WorkCalendar::parse(&text)
                    .map_err(|e| format!("MINSHENG_HOLIDAY_CALENDAR {}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    Ok(Policy::from_settings(settings, calendar))
}
