//! The api binary's log: under a load that makes every request warn, each warning's call site
//! logs at most `telemetry::PER_WINDOW` lines a minute (a probe's load run wrote 79,380 WARN
//! lines, 20 MB, in 3 minutes); settings that open the api wide are warned about at start.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::json;

/// The api binary serving a scratch SQLite database with `env`: the process, its stderr lines
/// so far and to come, and the address it listens on.
fn start_api(
    name: &str,
    env: &[(&str, &str)],
) -> (
    std::process::Child,
    mpsc::Receiver<String>,
    Vec<String>,
    String,
) {
    let dir = std::env::temp_dir().join(format!("minsheng-logs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("serve")
        .current_dir(&dir)
        .env_remove("MINSHENG_CONFIG")
        .env_remove("RUST_LOG")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/logs.db?mode=rwc", dir.display()),
        )
        .env("MINSHENG_BIND", "127.0.0.1:0")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start the api");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let address = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("the api starts and says where it listens");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split('/').next().expect("host:port").to_owned();
        }
        seen.push(line);
    };
    (child, lines, seen, address)
}

#[tokio::test]
async fn any_origin_is_warned_about_at_start() {
    let (mut child, _, seen, _) = start_api("cors", &[("MINSHENG_CORS_ORIGINS", "*")]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.iter()
            .any(|l| l.contains("WARN") && l.contains("MINSHENG_CORS_ORIGINS is *")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_warning_repeated_by_every_request_is_logged_a_few_times() {
    let (mut child, lines, mut seen, address) =
        start_api("budget", &[("MINSHENG_REQUEST_STATEMENT_LIMIT", "10")]);

    let mut query = String::from("{");
    for i in 0..30 {
        query.push_str(&format!(" a{i}: lists {{ id }}"));
    }
    query.push('}');
    let client = reqwest::Client::new();
    for _ in 0..200 {
        let body: serde_json::Value = client
            .post(format!("http://{address}/graphql"))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("json");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "TOO_EXPENSIVE",
            "{body}"
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    seen.extend(lines.try_iter());
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
        seen.push(line);
    }
    let warned = seen
        .iter()
        .filter(|l| l.contains("statement budget"))
        .count();
    assert!(
        (1..=domain::telemetry::PER_WINDOW as usize).contains(&warned),
        "200 requests past their budget logged {warned} warnings"
    );
}

/// The README's first run: the api says there is no administrator and how to make one, and
/// where the board is; `api account add` prints a one-time link; the person sets a password
/// there and signs in. Neither the password nor the link's secret reaches the log, even at
/// `debug`.
#[tokio::test]
async fn the_first_run_says_how_to_make_an_administrator_and_the_cli_makes_one() {
    let (mut child, _, seen, _) = start_api("first-run", &[]);
    let _ = child.kill();
    let _ = child.wait();
    let warned = |needle: &str| {
        seen.iter()
            .any(|l| l.contains("WARN") && l.contains(needle))
    };
    assert!(warned("no administrator account yet"), "{seen:?}");
    assert!(warned("api account add --name"), "{seen:?}");
    assert!(warned("MINSHENG_SIGNING_KEY is not set"), "{seen:?}");
    assert!(warned("MINSHENG_SUPERVISOR_EMAIL is not set"), "{seen:?}");

    let (mut child, lines, mut seen, address) = start_api("first-run", &[("RUST_LOG", "debug")]);
    let dir = std::env::temp_dir().join(format!("minsheng-logs-{}-first-run", std::process::id()));
    let added = Command::new(env!("CARGO_BIN_EXE_api"))
        .args([
            "account", "add", "--name", "张三", "--login", "zhangsan", "--role", "admin",
        ])
        .current_dir(&dir)
        .env_remove("MINSHENG_CONFIG")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/logs.db?mode=rwc", dir.display()),
        )
        .env("MINSHENG_PUBLIC_URL", format!("http://{address}"))
        .output()
        .expect("api account add");
    let out = String::from_utf8_lossy(&added.stdout);
    assert!(
        added.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(out.contains("管理员"), "{out}");
    let link = out
        .lines()
        .find(|l| l.starts_with(&format!("http://{address}/#/password/")))
        .unwrap_or_else(|| panic!("a link in {out}"));
    let secret = link.rsplit('/').next().expect("as the test set it up");

    let client = reqwest::Client::new();
    let password = "第一个管理员的密码-0001";
    let set = client
        .post(format!("http://{address}/auth/password"))
        .json(&json!({ "token": secret, "password": password }))
        .send()
        .await
        .expect("answer");
    assert_eq!(set.status(), 200);
    let signed = client
        .post(format!("http://{address}/auth/sign-in"))
        .json(&json!({ "login": "zhangsan", "password": password }))
        .send()
        .await
        .expect("answer");
    assert_eq!(signed.status(), 200);
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .expect("as the test set it up")
        .split(';')
        .next()
        .expect("as the test set it up")
        .to_owned();
    let me: serde_json::Value = client
        .post(format!("http://{address}/graphql"))
        .header("cookie", &cookie)
        .json(&json!({ "query": "{ viewer { role account { name role } } }" }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        me["data"]["viewer"],
        json!({ "role": "ADMINISTRATOR", "account": { "name": "张三", "role": "ADMIN" } })
    );
    let _ = client
        .post(format!("http://{address}/auth/sign-in"))
        .json(&json!({ "login": "zhangsan", "password": format!("{password}-wrong") }))
        .send()
        .await;
    let _ = child.kill();
    let _ = child.wait();
    seen.extend(lines.try_iter());
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
        seen.push(line);
    }
    assert!(
        seen.iter()
            .any(|l| l.contains("the board (总览) and the sign-in page (登录): http://")),
        "{seen:?}"
    );
    let log = seen.join("\n");
    assert!(log.len() > 1000, "debug logging is on: {log}");
    assert!(!log.contains(password), "the password reached the log");
    assert!(!log.contains(secret), "the link's secret reached the log");
    assert!(
        !log.contains(cookie.trim_start_matches("minsheng_session=")),
        "the session's secret reached the log"
    );

    // Started again, with an administrator: no more advice.
    let (mut child, _, seen, _) = start_api("first-run", &[]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        !seen
            .iter()
            .any(|l| l.contains("no administrator account yet")),
        "{seen:?}"
    );
}
