//! The admin CLI as an admin runs it: `migration -u URL up|status|down|fresh|refresh`.

use std::process::Command;

use test_support::TestDb;

fn run(url: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_migration"))
        .arg("-u")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the migration CLI");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "migration {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn statuses(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            match (words.next(), words.next()) {
                (Some(s @ ("applied" | "pending")), Some(name)) => {
                    Some((s.to_owned(), name.to_owned()))
                }
                _ => None,
            }
        })
        .collect()
}

fn check_cli(url: &str) {
    let before = statuses(&run(url, &["status"]));
    assert_eq!(
        before.len(),
        <migration::Migrator as migration::MigratorTrait>::migrations().len(),
        "every migration is listed"
    );
    assert!(before.iter().all(|(s, _)| s == "pending"), "{before:?}");

    run(url, &["up"]);
    let after = statuses(&run(url, &["status"]));
    assert!(after.iter().all(|(s, _)| s == "applied"), "{after:?}");

    let down = statuses(&run(url, &["down"]));
    assert_eq!(
        down.iter().filter(|(s, _)| s == "pending").count(),
        1,
        "down rolls back one: {down:?}"
    );
    assert_eq!(
        down.last().map(|(s, _)| s.as_str()),
        Some("pending"),
        "the newest one: {down:?}"
    );

    for command in ["up", "refresh", "fresh"] {
        let all = statuses(&run(url, &[command]));
        assert!(
            all.iter().all(|(s, _)| s == "applied"),
            "{command}: {all:?}"
        );
    }
}

#[tokio::test]
async fn cli_migrates_sqlite() {
    let t = TestDb::sqlite_empty().await;
    check_cli(&t.url);
}

#[tokio::test]
async fn cli_migrates_postgres() {
    let Some(t) = TestDb::postgres_empty().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    check_cli(&t.url);
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_migration"))
        .args([
            "-u",
            "postgres://nobody:secretpw@127.0.0.1:1/none",
            "status",
        ])
        .output()
        .expect("run the migration CLI");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot connect to postgres://nobody:***@127.0.0.1:1/none"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secretpw"),
        "the password leaked: {stderr}"
    );
}
