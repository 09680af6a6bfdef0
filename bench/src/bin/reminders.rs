//! `cargo run --release -p bench --bin reminders`
//!
//! 1. `domain::reminder::plan` for 1k, 10k and 100k items: median time per size and the growth
//!    exponent (goal ≤ 1.1: planning grows linearly with the list).
//! 2. 10,000 reminder emails to a local SMTP sink through the worker's mailer with pool sizes 1,
//!    4 and 10, as messages/s and as a ratio to a plain single-connection send loop measured in
//!    the same run. The sink (`bench::smtp_sink`) answers at once and keeps nothing.

use std::time::{Duration, Instant};

use bench::median;
use chrono::{NaiveDate, TimeZone, Utc};
use domain::reminder::digest::{Digest, DigestLine, Role};
use domain::{
    config::Settings,
    email::Mailbox,
    model::{DueKind, ItemStatus},
    reminder::{ContactInfo, DueDateInfo, Policy, plan},
};
use futures_util::{StreamExt, stream};
use lettre::{
    Message,
    transport::smtp::{client::AsyncSmtpConnection, extension::ClientId},
};
use worker::{
    digest::{Email, Footer},
    mailer::Mailer,
};

const RUNS: usize = 5;
/// Emails per delivery measurement (`BENCH_EMAILS`, default 10,000).
fn emails() -> usize {
    std::env::var("BENCH_EMAILS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// `items` items over 60 departments with 2 contacts each, due dates spread over a year.
fn inputs(items: usize) -> (Vec<DueDateInfo>, Vec<ContactInfo>) {
    let due = (0..items)
        .map(|i| DueDateInfo {
            due_date_id: i as i64,
            version: 1,
            item_id: i as i64,
            number_text: i.to_string(),
            title: format!("第{i}项"),
            content: String::new(),
            status: ItemStatus::Open,
            due_on: day(2021, 1, 1) + chrono::Duration::days((i % 365) as i64),
            kind: if i % 5 == 0 {
                DueKind::Stage
            } else {
                DueKind::Final
            },
            label: None,
            lead_departments: vec![
                ((i % 60) as i64, String::new()),
                (((i * 7 + 3) % 60) as i64, String::new()),
            ],
            cooperating_departments: vec![],
            extension_pending: false,
        })
        .collect();
    let contacts = (0..120)
        .map(|c| ContactInfo {
            id: c,
            department_id: c % 60,
            email: format!("c{c}@example.cn"),
        })
        .collect();
    (due, contacts)
}

fn messages() -> Result<Vec<Message>, String> {
    let from = Mailbox::parse("重点民生项目提醒 <minsheng@example.gov.cn>")?;
    let now = Utc
        .with_ymd_and_hms(2021, 6, 23, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (0..emails())
        .map(|i| {
            let digest = Digest {
                role: Role::Lead,
                to: format!("c{}@dept.example.cn", i % 120),
                department: "市民政局".into(),
                lines: (0..3)
                    .map(|k| DigestLine {
                        number_text: format!("{}", i + k),
                        title: "提高困难群众救助保障水平".into(),
                        requirement: "落实最低生活保障标准动态调整机制。".into(),
                        due_on: Some(day(2021, 6, 30)),
                        kind: DueKind::Final,
                        label: None,
                        days_left: 7,
                        other_leads: vec!["团市委".into(), "市妇联".into()],
                        extension_pending: false,
                        unacknowledged: 0,
                    })
                    .collect(),
                cc: None,
                delivery_ids: vec![i as i64],
            };
            digest.message(
                &from,
                day(2021, 6, 23),
                now,
                &format!("<bench.{i}@minsheng>"),
                &Footer::default(),
            )
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), String> {
    // 1. Planning.
    let policy = Policy {
        days_before: vec![30, 14, 7, 3, 1, 0],
        overdue_every_days: 7,
        escalate_after_days: 14,
        supervisor: None,
        calendar: None,
        cooperating_digest: None,
        checkin_day: None,
        ack_escalate_after_days: None,
    };
    let today = day(2021, 6, 23);
    let mut times = Vec::new();
    for size in [1_000, 10_000, 100_000] {
        let (due, contacts) = inputs(size);
        let mut runs = Vec::new();
        let mut planned = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            planned = plan(&due, &contacts, &policy, today).reminders.len();
            runs.push(started.elapsed());
        }
        let t = median(runs);
        println!(
            "plan {size:>7} items: median {:>8.2} ms ({planned} reminders)",
            t.as_secs_f64() * 1000.0
        );
        times.push((size as f64, t.as_secs_f64()));
    }
    let exponent = |(n1, t1): (f64, f64), (n2, t2): (f64, f64)| (t2 / t1).ln() / (n2 / n1).ln();
    println!(
        "growth exponent: 1k→10k {:.2}, 10k→100k {:.2}, 1k→100k {:.2} (goal <= 1.1)",
        exponent(times[0], times[1]),
        exponent(times[1], times[2]),
        exponent(times[0], times[2])
    );

    // 2. Delivery.
    let port = bench::smtp_sink::start()
        .await
        .map_err(|e| format!("SMTP sink: {e}"))?;
    let messages = messages()?;
    let baseline = send_loop(port, &messages, false).await?;
    let nodelay = send_loop(port, &messages, true).await?;

    println!(
        "\nplain single-connection send loop (baseline): {} emails in {:.2} s = {:.0} msg/s",
        emails(),
        baseline.as_secs_f64(),
        emails() as f64 / baseline.as_secs_f64()
    );
    println!(
        "reference, the same loop on a TCP_NODELAY socket: {:.2} s = {:.0} msg/s ({:.1}× the baseline)",
        nodelay.as_secs_f64(),
        emails() as f64 / nodelay.as_secs_f64(),
        baseline.as_secs_f64() / nodelay.as_secs_f64()
    );
    for pool in [1u32, 4, 10] {
        let settings = Settings::load_from(&|key| match key {
            "MINSHENG_SMTP_URL" => Some(format!("smtp://127.0.0.1:{port}")),
            _ => None,
        })
        .map_err(|e| e.to_string())?;
        let mailer = Mailer::from_settings(&settings, pool)?;
        let started = Instant::now();
        let failures = stream::iter(&messages)
            .map(|m| mailer.send(m))
            .buffer_unordered(pool as usize)
            .filter(|r| std::future::ready(r.is_err()))
            .count()
            .await;
        let took = started.elapsed();
        if failures > 0 {
            return Err(format!("pool {pool}: {failures} sends failed"));
        }
        println!(
            "worker mailer, pool {pool:>2}: {} emails in {:.2} s = {:.0} msg/s, {:.2}× the baseline",
            emails(),
            took.as_secs_f64(),
            emails() as f64 / took.as_secs_f64(),
            baseline.as_secs_f64() / took.as_secs_f64()
        );
    }
    Ok(())
}

/// One SMTP connection, messages sent one after another; `nodelay` sets TCP_NODELAY on it
/// (lettre's own connections leave Nagle's algorithm on).
async fn send_loop(port: u16, messages: &[Message], nodelay: bool) -> Result<Duration, String> {
    let hello = ClientId::Domain("bench.local".into());
    let mut connection = if nodelay {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        AsyncSmtpConnection::connect_with_transport(Box::new(stream), &hello).await
    } else {
        AsyncSmtpConnection::connect_tokio1(
            ("127.0.0.1", port),
            Some(Duration::from_secs(30)),
            &hello,
            None,
            None,
        )
        .await
    }
    .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for message in messages {
        connection
            .send(message.envelope(), &message.formatted())
            .await
            .map_err(|e| e.to_string())?;
    }
    let took = started.elapsed();
    let _ = connection.quit().await;
    Ok(took)
}
