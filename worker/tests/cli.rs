//! The worker binary as an operator runs it: a schedule that never fires stops it at start,
//! and a send that fails for good is logged by contact id and department, never by address.

mod support;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

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
