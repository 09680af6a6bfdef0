//! `api import` and `api alias` as an admin runs them: a real process, real databases.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use serde_json::Value;
use test_support::{TestDb, backend_tests};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sample-list.txt");

/// A scratch directory as the working directory, so no `minsheng.toml` or database is picked up
/// from the checkout.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("minsheng-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

pub(crate) fn api(dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("MINSHENG_CONFIG")
        .env_remove("RUST_LOG");
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.output().expect("run the api binary")
}

/// `api import NAME --dry-run --format json` (and `extra`) on `bytes` written as `name` in the
/// scratch directory `dir`: the JSON report.
pub(crate) fn import_json(
    dir: &str,
    bytes: &[u8],
    name: &str,
    extra: &[&str],
) -> serde_json::Value {
    let dir = scratch(dir);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    let path = path.to_string_lossy().into_owned();
    let mut args = vec!["import", path.as_str(), "--dry-run", "--format", "json"];
    args.extend_from_slice(extra);
    let out = api(&dir, None, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The importer keeps the same rules as the graph: no control character (a BEL, a NUL) and no
/// bidirectional override anywhere in a list, with the line it is on; nothing over
/// MINSHENG_IMPORT_MAX_BYTES is even read; an over-long title is stored cut, with a warning
/// naming its line.
async fn the_importer_keeps_the_graphs_limits(t: TestDb) {
    let dir = scratch(&format!("limits-{:?}", t.backend));
    let list = |body: &str| {
        format!(
            "某市2023年重点民生项目清单\n\n一、建设学校\n\n事项内容:{body}\n\n完成时限:2023年6月底\n\n牵头部门:市教育局\n"
        )
    };
    for (what, body, line) in [
        ("a bell", "新建学校\u{7}6所", 5),
        ("a NUL", "新建学校\u{0}6所", 5),
        ("a right-to-left override", "新建学校\u{202E}6所", 5),
    ] {
        let file = dir.join("bad.txt");
        std::fs::write(&file, list(body)).expect("write");
        let out = api(
            &dir,
            Some(&t.url),
            &["import", file.to_str().expect("path")],
        );
        assert!(!out.status.success(), "{what} was accepted");
        let err = text(&out.stderr);
        assert!(err.contains(&format!("第 {line} 行")), "{what}: {err}");
        assert!(
            !err.contains("1798"),
            "no line of PostgreSQL's source: {err}"
        );
    }
    {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let lists = entity::project_list::Entity::find()
            .count(&t.db)
            .await
            .expect("count");
        assert_eq!(lists, 0, "nothing was written");
    }

    let big = dir.join("big.txt");
    std::fs::write(&big, list(&"字".repeat(2000))).expect("write");
    let out = api_with(
        &dir,
        Some(&t.url),
        &["import", big.to_str().expect("path")],
        &[("MINSHENG_IMPORT_MAX_BYTES", "4096")],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("最多只读 4096"),
        "{}",
        text(&out.stderr)
    );

    let long_title = format!(
        "某市2023年重点民生项目清单\n\n一、{}\n\n事项内容:建设学校。\n\n完成时限:2023年6月底\n\n牵头部门:市教育局\n",
        "学".repeat(5000)
    );
    let file = dir.join("long.txt");
    std::fs::write(&file, long_title).expect("write");
    let out = api(
        &dir,
        Some(&t.url),
        &["import", file.to_str().expect("path"), "--format", "json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["items"][0]["title"]
            .as_str()
            .map(|t| t.chars().count()),
        Some(200)
    );
    let warnings = json["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w["line"] == 3 && w["message"].as_str().is_some_and(|m| m.contains("5000"))),
        "{warnings:?}"
    );
}

fn api_with(dir: &Path, database_url: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("MINSHENG_CONFIG")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied());
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.output().expect("run the api binary")
}

#[test]
fn dry_run_prints_the_json_shape_and_touches_no_database() {
    let dir = scratch("dry");
    let out = api(
        &dir,
        None,
        &["import", SAMPLE, "--dry-run", "--format", "json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: Value =
        serde_json::from_slice(&out.stdout).expect("stdout is exactly one JSON document");
    assert_eq!(json["title"], "示例市2023年为民办实事项目清单(第一批)");
    assert_eq!(json["items"].as_array().map(Vec::len), Some(7));
    assert_eq!(json["orphans"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["unattached"][0]["lines"], serde_json::json!([86, 88]));
    assert_eq!(
        json["items"][3]["due_dates"],
        serde_json::json!(["2023-09-30"])
    );
    assert_eq!(json["items"][3]["ongoing"], true);
    assert!(json.get("import").is_none(), "a dry run imports nothing");
    assert!(
        !dir.join("minsheng.db").exists(),
        "a dry run does not even create the default database"
    );

    let human = api(&dir, None, &["import", SAMPLE, "--dry-run"]);
    assert!(human.status.success());
    let shown = text(&human.stdout);
    assert!(
        shown.contains("dry run: nothing was written") && shown.contains("line 86"),
        "{shown}"
    );
}

const LAYOUTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../domain/tests/fixtures/layouts/"
);

/// Each layout's fixture as an admin imports it: the JSON names the layout, each item's
/// category, people and (null) printed deadline; `--year-end-default` infers year ends and
/// says how many; `--layout` overrides the guess and an unknown layout is refused by name.
#[test]
fn layouts_are_guessed_named_and_reported() {
    let dir = scratch("layouts");
    let json_of = |file: &str, extra: &[&str]| -> Value {
        let path = format!("{LAYOUTS}{file}");
        let mut args = vec!["import", path.as_str(), "--dry-run", "--format", "json"];
        args.extend_from_slice(extra);
        let out = api(&dir, None, &args);
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("one JSON document")
    };
    for (file, layout, items) in [
        ("table-notice.txt", "table", 5),
        ("categorized-deadlines.txt", "categorized", 3),
        ("runon-web.txt", "runon", 3),
    ] {
        let json = json_of(file, &[]);
        assert_eq!(json["layout"], layout, "{file}");
        assert_eq!(
            json["items"].as_array().map(Vec::len),
            Some(items),
            "{file}"
        );
    }

    let annual = json_of("categorized-annual.txt", &[]);
    assert_eq!(annual["items"][0]["category"], "教育文化");
    assert_eq!(annual["items"][0]["deadline_text"], Value::Null);
    assert_eq!(annual["items"][0]["due_dates"], serde_json::json!([]));
    assert_eq!(annual["inferred_due_dates"], 0);
    let inferred = json_of("categorized-annual.txt", &["--year-end-default"]);
    assert_eq!(inferred["inferred_due_dates"], 5);
    assert_eq!(
        inferred["items"][2]["due_dates"],
        serde_json::json!(["2024-12-31"])
    );
    assert_eq!(inferred["items"][2]["due_inferred"], true);

    let bulletin = json_of("runon-bulletin.txt", &[]);
    assert_eq!(
        bulletin["items"][0]["responsible_people"],
        serde_json::json!(["张某某", "李某"])
    );
    assert_eq!(
        bulletin["items"][0]["progress"],
        "已建成8处，2024年8月15日开放运营"
    );

    // One list spells one department two ways: suggested, with its rule, never merged.
    let plain = json_of("table-plain.txt", &[]);
    assert_eq!(
        plain["department_suggestions"],
        serde_json::json!([{
            "name": "县发展改革委",
            "probably": "县发改委",
            "reason": "「发展改革委」与「发改委」指同一机构（一为全称，一为简称）",
            "rule": "abbreviation"
        }])
    );
    assert_eq!(plain["items"][3]["lead_departments"][0], "县发展改革委");

    // Files as published: the kind is named in the report.
    // Tables with a header row are read by their columns; a table copied one cell per line is
    // the table layout.
    for (file, kind, items, layout) in [
        ("../files/table.xlsx", "xlsx", 5, "columns"),
        ("../files/table.xls", "xls", 2, "columns"),
        ("../files/notice.docx", "docx", 2, "columns"),
        ("../files/page.html", "html", 3, "columns"),
        ("../files/table.csv", "csv", 2, "columns"),
        ("table-plain.txt", "text", 4, "table"),
    ] {
        let json = json_of(file, &[]);
        assert_eq!(json["file_kind"], kind, "{file}");
        assert_eq!(json["layout"], layout, "{file}");
        assert_eq!(
            json["items"].as_array().map(Vec::len),
            Some(items),
            "{file}"
        );
    }

    let forced = json_of("categorized-plain.txt", &["--layout", "runon"]);
    assert_eq!(forced["layout"], "runon");

    let path = format!("{LAYOUTS}table-plain.txt");
    let bad = api(
        &dir,
        None,
        &["import", &path, "--dry-run", "--layout", "excel"],
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("newspaper, table, categorized, runon"),
        "{}",
        text(&bad.stderr)
    );

    let human = api(
        &dir,
        None,
        &[
            "import",
            &format!("{LAYOUTS}categorized-annual.txt"),
            "--dry-run",
            "--year-end-default",
        ],
    );
    let shown = text(&human.stdout);
    assert!(
        shown.starts_with("2024年白石市十大民生实事项目\nlayout categorized"),
        "{shown}"
    );
    assert!(shown.contains("【医疗卫生】"), "{shown}");
    assert!(shown.contains("5 items print no 完成时限"), "{shown}");
}

/// The crafted files of the second outside probe through `api import --dry-run`: each fails
/// with a message naming the file and the bound, and the process exits as a program does (a
/// page of nested spans once aborted it on a stack overflow). A file that takes longer than
/// MINSHENG_IMPORT_TIMEOUT_MS is stopped.
#[test]
fn crafted_files_fail_with_a_message_not_a_crash() {
    let dir = scratch("crafted");
    let crafted = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../domain/tests/fixtures/crafted"
    );
    for name in ["nested-spans.html", "far-cells.xlsx", "huge-string.xlsx"] {
        let path = format!("{crafted}/{name}");
        let out = api(&dir, None, &["import", &path, "--dry-run"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(name) && err.contains("超出导入的限度"),
            "{name}: {err}"
        );
    }
    let path = format!("{crafted}/many-rows.xlsx");
    let out = api_with(
        &dir,
        None,
        &["import", &path, "--dry-run"],
        &[("MINSHENG_IMPORT_TIMEOUT_MS", "100")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stderr).contains("超过 1 秒仍未完成"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn unreadable_and_non_utf8_files_fail_with_a_message() {
    let dir = scratch("bad");
    let missing = api(&dir, None, &["import", "no-such-list.txt", "--dry-run"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("cannot read no-such-list.txt"),
        "{}",
        text(&missing.stderr)
    );
    assert!(missing.stdout.is_empty());

    let gbk = dir.join("gbk.txt");
    // "清单" in GBK: not UTF-8.
    std::fs::write(&gbk, [0xC7u8, 0xE5, 0xB5, 0xA5, b'\n']).expect("write");
    let out = api(
        &dir,
        None,
        &["import", gbk.to_str().expect("path"), "--dry-run"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("不是 UTF-8"),
        "{}",
        text(&out.stderr)
    );
}

async fn import_then_reimport_through_the_cli(t: TestDb) {
    let dir = scratch("import");
    let first = api(
        &dir,
        Some(&t.url),
        &["import", SAMPLE, "--issuer", "示例市", "--format", "json"],
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let json: Value = serde_json::from_slice(&first.stdout).expect("json");
    assert_eq!(json["import"]["outcome"], "created");
    assert_eq!(
        json["import"]["items_added"].as_array().map(Vec::len),
        Some(7)
    );

    let again = api(&dir, Some(&t.url), &["import", SAMPLE]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("unchanged"),
        "{}",
        text(&again.stdout)
    );

    let alias = api(
        &dir,
        Some(&t.url),
        &["alias", "add", "市卫生健康委员会简称", "市卫生健康委员会"],
    );
    assert!(alias.status.success(), "{}", text(&alias.stderr));
    let listed = api(&dir, Some(&t.url), &["alias", "list"]);
    assert_eq!(
        text(&listed.stdout),
        "市卫生健康委员会简称 → 市卫生健康委员会\n"
    );
    let unknown = api(
        &dir,
        Some(&t.url),
        &["alias", "add", "某简称", "不存在的部门"],
    );
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("不存在的部门"),
        "{}",
        text(&unknown.stderr)
    );
}

async fn a_list_that_cannot_be_stored_fails_and_writes_nothing(t: TestDb) {
    let dir = scratch("dup");
    let file = dir.join("dup.txt");
    std::fs::write(
        &file,
        "清单\n一、甲\n事项内容:甲。\n完成时限:2023年底\n牵头部门:市甲局\n配合部门:市乙局\n一、乙\n事项内容:乙。\n完成时限:2023年底\n牵头部门:市甲局\n",
    )
    .expect("write");
    let out = api(
        &dir,
        Some(&t.url),
        &["import", file.to_str().expect("path")],
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("nothing was written") && stderr.contains("第 7 行"),
        "{stderr}"
    );
    let lists = api(&dir, Some(&t.url), &["import", SAMPLE, "--format", "json"]);
    let json: Value = serde_json::from_slice(&lists.stdout).expect("json");
    assert_eq!(
        json["import"]["list_id"], 1,
        "the failed import left no list behind"
    );
}

backend_tests!(
    the_importer_keeps_the_graphs_limits,
    import_then_reimport_through_the_cli,
    a_list_that_cannot_be_stored_fails_and_writes_nothing
);

/// A whitespace-only administrator token would be accepted by nobody's client, or is a slip in
/// a deployment file: the api refuses to start, naming the setting.
#[test]
fn a_blank_admin_token_stops_the_api_at_start() {
    let dir = scratch("blank-token");
    let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("serve")
        .current_dir(&dir)
        .env_remove("MINSHENG_CONFIG")
        .env("MINSHENG_BIND", "127.0.0.1:0")
        .env("MINSHENG_ADMIN_TOKEN", " ".repeat(24))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the api");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the api started with a blank admin token");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("MINSHENG_ADMIN_TOKEN"),
        "{}",
        text(&out.stderr)
    );
}

/// A department names file that cannot be read as one stops the api at start, naming the
/// setting, the file and the line; `api import` refuses it the same way before reading a list.
#[test]
fn a_malformed_department_names_file_stops_the_api_and_the_importer() {
    let dir = scratch("bad-names");
    let names = dir.join("names.txt");
    std::fs::write(&names, "[abbreviations]\n港航局\n").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
        .arg("serve")
        .current_dir(&dir)
        .env_remove("MINSHENG_CONFIG")
        .env_remove("DATABASE_URL")
        .env("MINSHENG_BIND", "127.0.0.1:0")
        .env("MINSHENG_DEPARTMENT_NAMES", &names)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the api");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the api started with a malformed department names file");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("MINSHENG_DEPARTMENT_NAMES") && err.contains("line 2"),
        "{err}"
    );

    let import = api_with(
        &dir,
        None,
        &["import", &format!("{LAYOUTS}table-plain.txt"), "--dry-run"],
        &[("MINSHENG_DEPARTMENT_NAMES", names.to_str().expect("path"))],
    );
    assert!(!import.status.success());
    assert!(
        text(&import.stderr).contains("line 2"),
        "{}",
        text(&import.stderr)
    );
}
