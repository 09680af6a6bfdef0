//! The reminder worker: plans reminders into the deliveries table and emails one digest per contact; on
//! its own schedule, it sends the office's periodic bulletin (情况通报).

pub mod bulletin;
pub mod digest;
pub mod envelope;
pub mod jobs;
pub mod mailer;
pub mod metrics;
pub mod notices;
pub mod password_mail;
pub mod scheduler;
pub mod templates;
