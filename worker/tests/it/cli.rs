//! The worker binary as an operator runs it: a schedule that never fires stops it at start,
//! and a send that fails for good is logged by contact id and department, never by address.

use crate::support;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::{SAMPLE, SmtpServer, import_with_contacts};
use test_support::TestDb;

fn worker(database_url: &str, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_worker"));
    command
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("MINSHENG_CONFIG")
        .env_remove("RUST_LOG")
        .env("DATABASE_URL", database_url)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Waits at most `limit` for the process; kills it and says so when it keeps running.
fn finish(mut command: Command, limit: Duration) -> (Option<i32>, String) {
    let mut child = command.spawn().expect("start the worker");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let output = child.wait_with_output().expect("output");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            return (status.code(), text);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            return (None, String::from_utf8_lossy(&output.stderr).into_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn a_schedule_that_never_fires_stops_the_worker_at_start() {
    let t = TestDb::sqlite().await;
    let (code, output) = finish(
        worker(&t.url, &[("MINSHENG_REMINDER_CRON", "0 0 8 31 2 *")], &[]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(1), "the worker kept running: {output}");
    assert!(
        output.contains("MINSHENG_REMINDER_CRON") && output.contains("no future run"),
        "{output}"
    );
}

#[tokio::test]
async fn a_refused_contact_is_logged_by_id_not_by_address() {
    let t = TestDb::sqlite().await;
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start_refusing(&["@dept.example.cn"]);
    let (code, output) = finish(
        worker(
            &t.url,
            &[(
                "MINSHENG_SMTP_URL",
                &format!("smtp://127.0.0.1:{}", smtp.port),
            )],
            &["run-once", "--now", "2023-06-23T08:00:00+08:00"],
        ),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{output}");
    assert!(
        output.contains("refused for good") && output.contains("contact_id"),
        "{output}"
    );
    assert!(
        !output.contains("@dept.example.cn"),
        "an address was logged: {output}"
    );
}

/// The scheduled worker serves `/metrics` on `MINSHENG_WORKER_METRICS_BIND`: read as
/// Prometheus reads it, its runs, deliveries and last success count what it did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_worker_serves_metrics_that_count_its_runs() {
    let t = TestDb::sqlite().await;
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("address").port()
    };
    let started = chrono::Utc::now().timestamp() as f64;
    let mut child = worker(
        &t.url,
        &[
            (
                "MINSHENG_SMTP_URL",
                &format!("smtp://127.0.0.1:{}", smtp.port),
            ),
            ("MINSHENG_REMINDER_CRON", "*/2 * * * * *"),
            // Every overdue item of the sample is reminded of every day: the run has work.
            ("MINSHENG_OVERDUE_EVERY_DAYS", "1"),
            ("MINSHENG_WORKER_METRICS_BIND", &format!("127.0.0.1:{port}")),
        ],
        &[],
    )
    .spawn()
    .expect("start the worker");

    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/metrics");
    let mut scrape = None;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let Ok(response) = client.get(&url).send().await else {
            continue;
        };
        let text = response.text().await.expect("text");
        let parsed = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
            .expect("Prometheus text");
        if value(&parsed, "minsheng_worker_runs_total", "outcome", "ok") >= 1.0
            && value(
                &parsed,
                "minsheng_worker_ledger_backlog",
                "status",
                "pending",
            ) == 0.0
        {
            scrape = Some(parsed);
            break;
        }
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("output");
    let s = scrape.unwrap_or_else(|| {
        panic!(
            "a run counted on /metrics within 30 s: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });

    let sent = entity::reminder_delivery::Entity::find()
        .filter(entity::reminder_delivery::Column::Status.eq(entity::DeliveryStatus::Sent))
        .count(&t.db)
        .await
        .expect("count");
    assert!(sent > 0, "the run sent reminders");
    // The kill may land after a later run settled more than the scrape saw.
    let counted = value(&s, "minsheng_worker_deliveries_total", "status", "sent");
    assert!(
        counted >= 1.0 && counted <= sent as f64,
        "{counted} of {sent}"
    );
    assert!(value(&s, "minsheng_worker_reminders_planned_total", "", "") >= counted);
    assert!(value(&s, "minsheng_worker_last_success_timestamp_seconds", "", "") >= started);
    assert_eq!(
        value(&s, "minsheng_db_pool_max_connections", "pool", "main"),
        4.0
    );
    assert!(!smtp.received().is_empty());
}

/// The value of the sample `name` with `label` = `wanted` (any sample when `label` is empty);
/// -1 when there is none.
fn value(scrape: &prometheus_parse::Scrape, name: &str, label: &str, wanted: &str) -> f64 {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && (label.is_empty() || s.labels.get(label) == Some(wanted)))
        .map_or(-1.0, |s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => -1.0,
        })
}

/// `worker bulletin` as an operator runs it: a dry run prints the bulletin and writes and
/// sends nothing; a run sends it once; a second run in the period says it was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulletin_by_hand_previews_then_sends_once() {
    let t = TestDb::sqlite().await;
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    let env = [
        ("MINSHENG_SMTP_URL", smtp_url.as_str()),
        (
            "MINSHENG_BULLETIN_TO",
            "shizhang@example.gov.cn,duchashi@example.gov.cn",
        ),
        ("MINSHENG_BULLETIN_CRON", "0 0 9 * * Mon"),
    ];
    let now = "2023-07-05T10:00:00+08:00";

    let (code, output) = finish(
        worker(&t.url, &env, &["bulletin", "--now", now, "--dry-run"]),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{output}");
    for expected in [
        "nothing is written or sent",
        // The period began at Monday's tick.
        "2023-07-03 09:00:00 CST",
        "to: shizhang@example.gov.cn, duchashi@example.gov.cn",
        "subject: 重点民生项目情况通报（截至2023年7月3日）",
        "台账20230703.xlsx (7 rows)",
        "二、逾期事项",
    ] {
        assert!(output.contains(expected), "{expected}: {output}");
    }
    assert_eq!(
        entity::bulletin::Entity::find()
            .count(&t.db)
            .await
            .expect("count"),
        0
    );
    assert!(smtp.received().is_empty());

    let (code, output) = finish(
        worker(&t.url, &env, &["bulletin", "--now", now]),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("sent to 2 recipients"), "{output}");
    // The same email to each recipient in turn.
    assert_eq!(smtp.received().len(), 2);

    let (code, output) = finish(
        worker(&t.url, &env, &["bulletin", "--now", now]),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("already sent"), "{output}");
    assert_eq!(smtp.received().len(), 2);
}

/// The scheduled worker sends the bulletin on MINSHENG_BULLETIN_CRON, besides reminders, and
/// counts it on `/metrics` (read as Prometheus reads it), with when the last one was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_worker_sends_the_bulletin_on_its_schedule() {
    let t = TestDb::sqlite().await;
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("address").port()
    };
    let started = chrono::Utc::now().timestamp() as f64;
    let mut child = worker(
        &t.url,
        &[
            (
                "MINSHENG_SMTP_URL",
                &format!("smtp://127.0.0.1:{}", smtp.port),
            ),
            ("MINSHENG_BULLETIN_TO", "duchashi@example.gov.cn"),
            ("MINSHENG_BULLETIN_CRON", "*/2 * * * * *"),
            ("MINSHENG_WORKER_METRICS_BIND", &format!("127.0.0.1:{port}")),
        ],
        &[],
    )
    .spawn()
    .expect("start the worker");
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/metrics");
    let mut scrape = None;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let Ok(response) = client.get(&url).send().await else {
            continue;
        };
        let text = response.text().await.expect("text");
        let parsed = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
            .expect("Prometheus text");
        if value(
            &parsed,
            "minsheng_worker_bulletins_total",
            "outcome",
            "sent",
        ) >= 1.0
            && value(
                &parsed,
                "minsheng_bulletin_last_sent_timestamp_seconds",
                "",
                "",
            ) > 0.0
        {
            scrape = Some(parsed);
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let s = scrape.expect("a bulletin counted on /metrics within 30 s");
    assert!(
        smtp.received()
            .iter()
            .any(|r| r.envelope_to.iter().any(|to| to.contains("duchashi"))),
        "the bulletin was received"
    );
    let sent = entity::bulletin::Entity::find()
        .filter(entity::bulletin::Column::Status.eq(entity::BulletinStatus::Sent))
        .all(&t.db)
        .await
        .expect("rows");
    assert!(!sent.is_empty());
    // The gauge is the table's latest sent_at, whichever worker sent it.
    let last = value(&s, "minsheng_bulletin_last_sent_timestamp_seconds", "", "");
    assert!(last >= started.floor(), "{last} >= {started}");
    assert!(
        sent.iter()
            .filter_map(|r| r.sent_at)
            .any(|at| (at.timestamp_millis() as f64 / 1000.0 - last).abs() < 0.001),
        "{last} is a sent_at of the table"
    );
    assert_eq!(
        value(&s, "minsheng_worker_bulletins_total", "outcome", "failed"),
        -1.0,
        "nothing failed"
    );
}

#[tokio::test]
async fn a_bulletin_schedule_without_recipients_stops_the_worker_at_start() {
    let t = TestDb::sqlite().await;
    let (code, output) = finish(
        worker(&t.url, &[("MINSHENG_BULLETIN_CRON", "0 0 9 * * Mon")], &[]),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(1), "the worker kept running: {output}");
    assert!(output.contains("MINSHENG_BULLETIN_TO"), "{output}");

    let (code, output) = finish(
        worker(
            &t.url,
            &[
                ("MINSHENG_BULLETIN_CRON", "0 0 9 31 2 *"),
                ("MINSHENG_BULLETIN_TO", "duchashi@example.gov.cn"),
            ],
            &[],
        ),
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(1), "the worker kept running: {output}");
    assert!(
        output.contains("MINSHENG_BULLETIN_CRON") && output.contains("no future run"),
        "{output}"
    );
}

/// An SMTP server that takes each message whole and then never answers it, as a server does
/// when the worker is killed at that moment: the Message-IDs of what it took.
async fn swallowing_smtp(
    listener: tokio::net::TcpListener,
    taken: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    while let Ok((stream, _)) = listener.accept().await {
        let taken = taken.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 slow ESMTP\r\n").await?;
            while let Some(line) = lines.next_line().await? {
                let verb = line
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                match verb.as_str() {
                    "EHLO" | "HELO" => write.write_all(b"250-slow\r\n250 8BITMIME\r\n").await?,
                    "DATA" => {
                        write.write_all(b"354 go ahead\r\n").await?;
                        while let Some(data) = lines.next_line().await? {
                            if data == "." {
                                break;
                            }
                            if let Some(id) = data.strip_prefix("Message-ID: ") {
                                taken.lock().expect("lock").push(id.trim().to_owned());
                            }
                        }
                        // Never answers: the worker waits here until it is killed.
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    _ => write.write_all(b"250 OK\r\n").await?,
                }
            }
            Ok::<_, std::io::Error>(())
        });
    }
}

/// A worker killed while its messages were in flight: the next run (after the claim's lease)
/// sends them again, each with the Message-ID it had, so that mail systems can drop the second
/// copy. (They once came again with new ids: four duplicates in one test.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_again_after_a_kill_keeps_its_message_id() {
    let t = TestDb::sqlite().await;
    import_with_contacts(&t.db, SAMPLE).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let taken = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    tokio::spawn(swallowing_smtp(listener, taken.clone()));
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let mut first = worker(
        &t.url,
        &[("MINSHENG_SMTP_URL", &smtp_url)],
        &["run-once", "--now", "2023-06-23T08:00:00+08:00"],
    )
    .spawn()
    .expect("start the worker");
    // Until the server holds every message of the run (four contacts) unanswered.
    let started = Instant::now();
    while taken.lock().expect("lock").len() < 4 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().expect("kill the worker");
    let _ = first.wait();
    let mut in_flight = taken.lock().expect("lock").clone();
    assert_eq!(in_flight.len(), 4, "{in_flight:?}");

    // Past the claim's lease, a worker with a server that answers sends them again.
    let smtp = SmtpServer::start();
    let (code, output) = finish(
        worker(
            &t.url,
            &[(
                "MINSHENG_SMTP_URL",
                &format!("smtp://127.0.0.1:{}", smtp.port),
            )],
            &["run-once", "--now", "2023-06-23T10:00:00+08:00"],
        ),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "{output}");
    let mut again: Vec<String> = smtp
        .received()
        .iter()
        .map(|r| support::parse_mail(r).message_id)
        .map(|id| format!("<{}>", id.trim_matches(['<', '>'])))
        .collect();
    in_flight.sort();
    again.sort();
    assert_eq!(again, in_flight, "the same messages, with the same ids");
    // The ids are the sender's domain's, with a random part.
    assert!(
        again
            .iter()
            .all(|id| id.ends_with("@localhost>") && id.split('.').count() >= 4),
        "{again:?}"
    );
}

/// The running worker mails a password link an administrator asked for within its 20-second
/// round, whatever the reminder schedule says; the link in the email is the api's page.
#[tokio::test]
async fn the_scheduled_worker_mails_a_requested_password_link_promptly() {
    let t = TestDb::sqlite().await;
    let now = chrono::Utc::now();
    let change = domain::store::unit_of_work::Change {
        actor: domain::store::audit::Actor::system("test"),
        now,
    };
    let (account, _) = domain::store::account::create(
        &t.db,
        domain::store::account::NewAccount {
            login: domain::account::Login::parse("lisi").expect("a login"),
            name: domain::account::DisplayName::parse("李四").expect("a name"),
            role: domain::account::Role::Leader,
            department_id: None,
            email: Some(domain::email::EmailAddress::parse("lisi@example.gov.cn").expect("email")),
        },
        chrono::Duration::hours(72),
        &change,
    )
    .await
    .expect("an account");
    domain::store::account::mail::request(&t.db, account.id, "id", &change)
        .await
        .expect("requested");
    let smtp = SmtpServer::start();
    let mut child = worker(
        &t.url,
        &[
            (
                "MINSHENG_SMTP_URL",
                &format!("smtp://127.0.0.1:{}", smtp.port),
            ),
            // Reminders once a year: the mail must not wait for them.
            ("MINSHENG_REMINDER_CRON", "0 0 8 1 1 *"),
            ("MINSHENG_PUBLIC_URL", "https://minsheng.example.gov.cn"),
        ],
        &[],
    )
    .spawn()
    .expect("start the worker");
    let mut received = Vec::new();
    for _ in 0..450 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        received = smtp.received();
        if !received.is_empty() {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(received.len(), 1, "one email within 45 s");
    let mail = support::parse_mail(&received[0]);
    assert_eq!(mail.to, "lisi@example.gov.cn");
    assert!(
        mail.text
            .contains("https://minsheng.example.gov.cn/#/password/msp_"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("角色：领导"), "{}", mail.text);
}
