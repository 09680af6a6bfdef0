use std::{collections::HashMap, path::PathBuf};

use url::Url;

use super::{layers::KEYS, *};
use crate::email::EmailAddress;

#[test]
fn tls_is_implicit_only_for_tcp_without_sslmode() {
    let implicit = |u: &str| {
        DatabaseUrl::parse(u)
            .expect("a database url")
            .leaves_tls_implicit()
    };
    assert!(implicit("postgres://app@db.example:5432/minsheng"));
    assert!(implicit(
        "postgres://app@127.0.0.1/minsheng?application_name=x"
    ));
    assert!(!implicit(
        "postgres://app@db.example/minsheng?sslmode=verify-full"
    ));
    assert!(!implicit(
        "postgres://app@127.0.0.1/minsheng?sslmode=disable"
    ));
    assert!(!implicit("postgres:///minsheng?host=/var/run/postgresql"));
    assert!(!implicit("postgres://%2Fvar%2Frun%2Fpostgresql/minsheng"));
    assert!(!implicit("sqlite://minsheng.db?mode=rwc"));
}

/// The README's settings table is the configuration's key table: every key with its
/// environment variable and file key, and no row for a key that does not exist. (Secrets and
/// the variables no file sets have no file key there.)
#[test]
fn the_readme_lists_every_key() {
    let readme = include_str!("../../../README.md");
    let rows: Vec<(String, String)> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.strip_prefix('|')?.split('|').map(str::trim).collect();
            let env = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
            if !env.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                return None;
            }
            let key = cells.get(1)?.trim_matches('`');
            Some((env.to_owned(), key.to_owned()))
        })
        .collect();
    for (key, env) in KEYS {
        assert!(
            rows.iter().any(|(e, k)| e == env && k == key),
            "the README's settings table has no row `{env}` | `{key}`"
        );
    }
    for (env, key) in &rows {
        let known = KEYS.iter().any(|(k, e)| e == env && k == key)
            || key == "(environment only)"
            || key.is_empty();
        assert!(
            known,
            "the README lists `{env}` | `{key}`, which is no setting"
        );
    }
    // Every key is also documented, at its default, in config/default.toml.
    for (key, _) in KEYS {
        assert!(
            DEFAULTS
                .lines()
                .any(|l| l.starts_with(&format!("{key} = "))),
            "config/default.toml has no line for {key}"
        );
    }
}

fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Settings::load_from(&|key| map.get(key).cloned())
}

fn must_fail(vars: &[(&str, &str)]) -> ConfigError {
    match load(vars) {
        Ok(settings) => panic!("accepted {vars:?}: {settings:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_department_names_file_extends_the_shipped_forms_and_a_bad_one_is_named() {
    use crate::department::suggestions::{NameForms, probable_duplicate};
    let dir = std::env::temp_dir().join(format!("minsheng-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let good = dir.join("names.txt");
    std::fs::write(&good, "[abbreviations]\n港航管理局 港航局\n").expect("write");
    let s = load(&[("MINSHENG_DEPARTMENT_NAMES", good.to_str().expect("path"))]).expect("loads");
    assert_eq!(s.department_names.as_deref(), Some(good.as_path()));
    let forms = NameForms::configured(&s).expect("forms");
    assert!(probable_duplicate("市港航局", "市港航管理局", &forms).is_some());
    assert!(probable_duplicate("市卫健委", "市卫生健康委", &forms).is_some());
    assert_eq!(load(&[]).expect("defaults").department_names, None);

    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "[abbreviations]\n港航局\n").expect("write");
    let s = load(&[("MINSHENG_DEPARTMENT_NAMES", bad.to_str().expect("path"))]).expect("loads");
    let err = NameForms::configured(&s).expect_err("one form on a line");
    assert!(
        err.starts_with("MINSHENG_DEPARTMENT_NAMES") && err.contains("line 2"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bulletin_is_off_by_default_and_needs_recipients_when_scheduled() {
    let s = load(&[]).expect("defaults load");
    assert_eq!(s.bulletin, BulletinSettings::default());
    let s = load(&[
        ("MINSHENG_BULLETIN_CRON", "0 0 9 * * Mon"),
        (
            "MINSHENG_BULLETIN_TO",
            " a@example.gov.cn , b@example.gov.cn,",
        ),
    ])
    .expect("loads");
    assert_eq!(s.bulletin.cron.as_deref(), Some("0 0 9 * * Mon"));
    assert_eq!(
        s.bulletin
            .to
            .iter()
            .map(EmailAddress::as_str)
            .collect::<Vec<_>>(),
        ["a@example.gov.cn", "b@example.gov.cn"]
    );
    let e = must_fail(&[("MINSHENG_BULLETIN_CRON", "0 0 9 * * Mon")]);
    assert!(e.to_string().contains("MINSHENG_BULLETIN_TO"), "{e}");
    let e = must_fail(&[
        ("MINSHENG_BULLETIN_CRON", "0 9 * * Mon"),
        ("MINSHENG_BULLETIN_TO", "a@example.gov.cn"),
    ]);
    assert!(e.to_string().contains("six-field"), "{e}");
    let e = must_fail(&[("MINSHENG_BULLETIN_TO", "a@example.gov.cn,not an address")]);
    assert!(
        e.to_string().contains("MINSHENG_BULLETIN_TO") && e.to_string().contains("not an address"),
        "{e}"
    );
}

#[test]
fn defaults_need_no_configuration() {
    let s = load(&[]).expect("defaults load");
    assert_eq!(
        s.database_url.expose(),
        migration::DEFAULT_DATABASE_URL,
        "the CLI and the binaries agree"
    );
    assert_eq!(s.database_url.expose(), "sqlite://minsheng.db?mode=rwc");
    assert_eq!(s.database_url.engine(), Engine::Sqlite);
    assert_eq!(s.bind.to_string(), "127.0.0.1:8000");
    assert_eq!(s.timezone, chrono_tz::Asia::Shanghai);
    assert!(s.smtp_url.is_none());
    assert!(s.admin_token.is_none());
    assert_eq!(s.mail_from.to_string(), "minsheng@localhost");
    assert_eq!(s.reminders.days_before, [30, 14, 7, 3, 1, 0]);
    assert_eq!(s.reminders.overdue_every_days, 7);
    assert_eq!(s.reminders.escalate_after_days, 14);
    assert_eq!(s.reminders.supervisor, None);
    assert_eq!(s.reminders.cron, "0 0 8 * * *");
    assert_eq!(s.reminders.holiday_calendar, None);
    assert_eq!(s.reminders.cooperating_digest, None);
    assert_eq!(s.reminders.ongoing_checkin_day, None);
}

#[test]
fn supervision_settings_default_off_and_name_the_key_they_refuse() {
    let s = load(&[]).expect("defaults");
    assert_eq!(s.supervision.extension_grace_days, 0);
    assert_eq!(s.supervision.public_url, None);
    assert!(s.supervision.signing_key.is_none());
    assert_eq!(s.reminders.ack_escalate_after_days, None);
    let key = "k".repeat(32);
    let s = load(&[
        ("MINSHENG_EXTENSION_GRACE_DAYS", "3"),
        ("MINSHENG_PUBLIC_URL", "https://minsheng.example.gov.cn/"),
        ("MINSHENG_SIGNING_KEY", &key),
        ("MINSHENG_ACK_ESCALATE_AFTER_DAYS", "2"),
    ])
    .expect("valid");
    assert_eq!(s.supervision.extension_grace_days, 3);
    assert_eq!(
        s.supervision.public_url.as_ref().map(Url::as_str),
        Some("https://minsheng.example.gov.cn/")
    );
    assert_eq!(
        s.supervision.signing_key.as_ref().map(Secret::expose),
        Some(key.as_str())
    );
    assert!(!format!("{s:?}").contains(&key), "the key is never printed");
    assert_eq!(s.reminders.ack_escalate_after_days, Some(2));
    for (key, bad) in [
        ("MINSHENG_EXTENSION_GRACE_DAYS", "-1"),
        ("MINSHENG_EXTENSION_GRACE_DAYS", "a week"),
        ("MINSHENG_PUBLIC_URL", "minsheng.example.gov.cn"),
        ("MINSHENG_PUBLIC_URL", "ftp://minsheng.example.gov.cn"),
        (
            "MINSHENG_PUBLIC_URL",
            "https://minsheng.example.gov.cn/?a=1",
        ),
        ("MINSHENG_SIGNING_KEY", "short"),
        (
            "MINSHENG_SIGNING_KEY",
            "has a space in it, and is long enough to pass",
        ),
        ("MINSHENG_ACK_ESCALATE_AFTER_DAYS", "0"),
        ("MINSHENG_ACK_ESCALATE_AFTER_DAYS", "soon"),
    ] {
        let e = must_fail(&[(key, bad)]);
        assert_eq!(e.key, key, "{bad}: {e}");
        // A refused key is not echoed back into logs.
        assert!(
            key != "MINSHENG_SIGNING_KEY" || !e.to_string().contains(bad),
            "{e}"
        );
    }
}

#[test]
fn metrics_settings_name_the_key_they_refuse() {
    let s = load(&[]).expect("defaults");
    assert!(s.metrics.enabled);
    assert_eq!((s.metrics.bind, s.metrics.worker_bind), (None, None));
    let s = load(&[
        ("MINSHENG_METRICS", "off"),
        ("MINSHENG_WORKER_METRICS_BIND", "127.0.0.1:9465"),
    ])
    .expect("valid");
    assert!(!s.metrics.enabled);
    assert_eq!(s.metrics.worker_bind.map(|a| a.port()), Some(9465));
    for (key, bad) in [
        ("MINSHENG_METRICS", "maybe"),
        ("MINSHENG_METRICS_BIND", "9464"),
        ("MINSHENG_WORKER_METRICS_BIND", "localhost:"),
    ] {
        let message = must_fail(&[(key, bad)]).to_string();
        assert!(message.contains(key) && message.contains(bad), "{message}");
    }
}

#[test]
fn cors_origins_are_bare_origins() {
    assert_eq!(
        load(&[]).expect("defaults").graph.cors_origins,
        CorsOrigins::SameOrigin
    );
    let s = load(&[(
        "MINSHENG_CORS_ORIGINS",
        "http://localhost:5173, https://portal.example.gov.cn/,HTTP://Example.cn:8080",
    )])
    .expect("valid");
    assert_eq!(
        s.graph.cors_origins,
        CorsOrigins::List(vec![
            "http://localhost:5173".into(),
            "https://portal.example.gov.cn".into(),
            "http://example.cn:8080".into(),
        ])
    );
    assert_eq!(CorsOrigins::parse(" * "), Ok(CorsOrigins::Any));
    for bad in [
        "localhost:5173",
        "http://a.cn/app",
        "ftp://a.cn",
        "http://a.cn?x=1",
        "*, http://a.cn",
        "http://user@a.cn",
    ] {
        let e = must_fail(&[("MINSHENG_CORS_ORIGINS", bad)]);
        assert_eq!(e.key, "MINSHENG_CORS_ORIGINS", "{bad}");
    }
}

#[test]
fn persisted_documents_settings_parse() {
    let s = load(&[]).expect("defaults");
    assert_eq!(s.graph.persisted_query_cache_bytes, 16 * 1024 * 1024);
    assert_eq!(s.graph.trusted_documents, None);
    let s = load(&[
        ("MINSHENG_PERSISTED_QUERY_CACHE_BYTES", "0"),
        ("MINSHENG_TRUSTED_DOCUMENTS", "/etc/minsheng/trusted.json"),
    ])
    .expect("valid");
    assert_eq!(s.graph.persisted_query_cache_bytes, 0);
    assert_eq!(
        s.graph.trusted_documents,
        Some(PathBuf::from("/etc/minsheng/trusted.json"))
    );
    let e = must_fail(&[("MINSHENG_PERSISTED_QUERY_CACHE_BYTES", "-1")]);
    assert_eq!(e.key, "MINSHENG_PERSISTED_QUERY_CACHE_BYTES");
}

#[test]
fn reminder_keys_parse_and_name_themselves_when_wrong() {
    let s = load(&[
        ("MINSHENG_REMINDER_DAYS", "7, 1,14"),
        ("MINSHENG_SUPERVISOR_EMAIL", "duchashi@example.cn"),
        ("MINSHENG_OVERDUE_EVERY_DAYS", "3"),
    ])
    .expect("valid");
    assert_eq!(s.reminders.days_before, [14, 7, 1], "largest first");
    assert_eq!(s.reminders.overdue_every_days, 3);
    assert_eq!(
        s.reminders.supervisor.as_ref().map(EmailAddress::as_str),
        Some("duchashi@example.cn")
    );
    assert_eq!(
        must_fail(&[("MINSHENG_REMINDER_DAYS", "7,soon")]).key,
        "MINSHENG_REMINDER_DAYS"
    );
    assert_eq!(
        must_fail(&[("MINSHENG_OVERDUE_EVERY_DAYS", "0")]).key,
        "MINSHENG_OVERDUE_EVERY_DAYS"
    );
    assert_eq!(
        must_fail(&[("MINSHENG_SUPERVISOR_EMAIL", "督查室")]).key,
        "MINSHENG_SUPERVISOR_EMAIL"
    );
    assert_eq!(
        must_fail(&[("MINSHENG_REMINDER_CRON", "0 8 * * *")]).key,
        "MINSHENG_REMINDER_CRON"
    );
    for bad in ["0", "29", "first"] {
        assert_eq!(
            must_fail(&[("MINSHENG_ONGOING_CHECKIN_DAY", bad)]).key,
            "MINSHENG_ONGOING_CHECKIN_DAY"
        );
    }
    let s = load(&[("MINSHENG_ONGOING_CHECKIN_DAY", " 5 ")]).expect("valid");
    assert_eq!(s.reminders.ongoing_checkin_day, Some(5));
}

#[test]
fn environment_overrides_defaults() {
    let s = load(&[
        ("DATABASE_URL", "postgres://app:pw@db:5432/minsheng"),
        ("MINSHENG_BIND", "0.0.0.0:9000"),
        ("MINSHENG_TIMEZONE", "Asia/Urumqi"),
        ("MINSHENG_SMTP_URL", "smtp://mailpit:1025"),
        ("MINSHENG_MAIL_FROM", "督查室 <dcs@example.cn>"),
        ("MINSHENG_ADMIN_TOKEN", "0123456789abcdef-long"),
    ])
    .expect("valid environment");
    assert_eq!(s.database_url.engine(), Engine::Postgres);
    assert_eq!(s.bind.port(), 9000);
    assert_eq!(s.timezone, chrono_tz::Asia::Urumqi);
    assert_eq!(
        s.smtp_url.as_ref().map(|u| u.expose().as_str()),
        Some("smtp://mailpit:1025")
    );
    assert_eq!(
        s.admin_token.as_ref().map(Secret::expose),
        Some("0123456789abcdef-long")
    );
}

#[test]
fn bad_values_name_their_key() {
    assert_eq!(
        must_fail(&[("MINSHENG_TIMEZONE", "Mars/Base")]).key,
        "MINSHENG_TIMEZONE"
    );
    assert_eq!(
        must_fail(&[("DATABASE_URL", "not a url")]).key,
        "DATABASE_URL"
    );
    assert_eq!(
        must_fail(&[("DATABASE_URL", "mysql://x/y")]).key,
        "DATABASE_URL"
    );
    assert_eq!(
        must_fail(&[("MINSHENG_BIND", "localhost")]).key,
        "MINSHENG_BIND"
    );
    assert_eq!(
        must_fail(&[("MINSHENG_SMTP_URL", "http://x")]).key,
        "MINSHENG_SMTP_URL"
    );
    assert_eq!(
        must_fail(&[("MINSHENG_MAIL_FROM", "nobody")]).key,
        "MINSHENG_MAIL_FROM"
    );
    assert_eq!(
        must_fail(&[("MINSHENG_ADMIN_TOKEN", "short")]).key,
        "MINSHENG_ADMIN_TOKEN"
    );
    for blank in [
        " ".repeat(20),
        "\t".repeat(16),
        "a-long-admin-token with space".into(),
    ] {
        assert_eq!(
            must_fail(&[("MINSHENG_ADMIN_TOKEN", blank.as_str())]).key,
            "MINSHENG_ADMIN_TOKEN",
            "{blank:?}"
        );
    }
    let shown = must_fail(&[("MINSHENG_TIMEZONE", "Mars/Base")]).to_string();
    assert!(
        shown.contains("MINSHENG_TIMEZONE") && shown.contains("Mars/Base"),
        "{shown}"
    );
}

#[test]
fn secrets_never_show_in_debug_output() {
    let s = load(&[
        ("DATABASE_URL", "postgres://app:dbsecret@db/minsheng"),
        ("MINSHENG_SMTP_URL", "smtp://u:smtpsecret@mail:25"),
        ("MINSHENG_ADMIN_TOKEN", "admintoken-secret-value"),
    ])
    .expect("valid environment");
    let shown = format!("{s:?}");
    for secret in ["dbsecret", "smtpsecret", "admintoken-secret-value"] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
    assert!(shown.contains("db/minsheng"), "{shown}");
}

fn write_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("minsheng-config-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("minsheng.toml");
    std::fs::write(&path, text).expect("write config file");
    path
}

#[test]
fn a_file_sits_between_defaults_and_environment() {
    let path = write_file(
        "layer",
        "bind = \"127.0.0.1:7000\"\ntimezone = \"Asia/Tokyo\"\n",
    );
    let path = path.to_string_lossy().into_owned();
    let s = load(&[
        ("MINSHENG_CONFIG", &path),
        ("MINSHENG_TIMEZONE", "Asia/Shanghai"),
    ])
    .expect("valid file");
    assert_eq!(s.bind.port(), 7000, "file overrides the default");
    assert_eq!(
        s.timezone,
        chrono_tz::Asia::Shanghai,
        "environment overrides the file"
    );
}

#[test]
fn a_file_may_not_carry_secrets_or_unknown_keys() {
    let pw = write_file("pw", "database_url = \"postgres://u:pw@h/d\"\n");
    let e = must_fail(&[("MINSHENG_CONFIG", &pw.to_string_lossy())]);
    assert!(e.key.starts_with("database_url in"), "{e}");
    let typo = write_file("typo", "bnd = \"127.0.0.1:1\"\n");
    let e = must_fail(&[("MINSHENG_CONFIG", &typo.to_string_lossy())]);
    assert!(
        e.message.contains("unknown field `bnd`") && e.message.contains("line 1"),
        "{e}"
    );
    // A value of the wrong shape is refused where it stands, naming its key.
    let shape = write_file("shape", "timezone = \"Asia/Shanghai\"\nbind = 8000\n");
    let e = must_fail(&[("MINSHENG_CONFIG", &shape.to_string_lossy())]);
    assert!(
        e.message.contains("bind") && e.message.contains("line 2"),
        "{e}"
    );
    let lists = write_file(
        "lists",
        "reminder_days = [14, 3]\ncors_origins = [\"http://localhost:5173\"]\n",
    );
    let s = load(&[("MINSHENG_CONFIG", &lists.to_string_lossy())]).expect("lists in a file");
    assert_eq!(s.reminders.days_before, [14, 3]);
    assert_eq!(
        s.graph.cors_origins,
        CorsOrigins::List(vec!["http://localhost:5173".into()])
    );
    let e = must_fail(&[("MINSHENG_CONFIG", "/nonexistent/minsheng.toml")]);
    assert_eq!(e.key, "MINSHENG_CONFIG");
}

/// A test that passes its own environment gets the defaults and that environment, whatever
/// file sits in the working directory; only the process (`Settings::load`) reads that file.
#[test]
fn a_given_environment_ignores_the_working_directorys_file() {
    let here = std::path::Path::new(DEFAULT_FILE);
    if here.exists() {
        test_support::skipped(format_args!("{} exists here already", here.display()));
        return;
    }
    std::fs::write(here, "bind = \"not an address\"\n").expect("write ./minsheng.toml");
    let loaded = load(&[]);
    let found = layers::config_file(&|_| None, Some(here));
    std::fs::remove_file(here).expect("remove ./minsheng.toml");
    let settings = loaded.expect("the working directory's file was not read");
    assert_eq!(settings.bind.port(), 8000);
    // The process's own load does find it: the fallback is what `load` passes.
    assert_eq!(found.ok().flatten().as_deref(), Some(here));
}

/// The office's contact line is one line of ordinary text, trimmed; anything else is refused
/// naming the variable, and empty means none.
#[test]
fn the_office_contact_is_one_trimmed_line() {
    let s = load(&[(
        "MINSHENG_OFFICE_CONTACT",
        " 市委督查室 联系电话 0530-1234567 ",
    )])
    .expect("valid");
    assert_eq!(
        s.reminders.office_contact.as_deref(),
        Some("市委督查室 联系电话 0530-1234567")
    );
    assert_eq!(load(&[]).expect("defaults").reminders.office_contact, None);
    for bad in ["督查室\n电话", &"长".repeat(201)] {
        let e = must_fail(&[("MINSHENG_OFFICE_CONTACT", bad)]);
        assert_eq!(e.key, "MINSHENG_OFFICE_CONTACT", "{e}");
    }
}

#[test]
fn each_binary_hears_what_a_missing_setting_turns_off_for_it() {
    let bare = load(&[]).expect("defaults load");
    let says = |binary, key: &str| bare.features_off(binary).iter().any(|l| l.starts_with(key));
    assert!(
        says(Binary::Api, "MINSHENG_SIGNING_KEY") && says(Binary::Worker, "MINSHENG_SIGNING_KEY")
    );
    assert!(says(Binary::Worker, "MINSHENG_SUPERVISOR_EMAIL"));
    assert!(
        says(Binary::Api, "MINSHENG_ADMIN_TOKEN") && !says(Binary::Worker, "MINSHENG_ADMIN_TOKEN")
    );
    assert!(says(Binary::Worker, "MINSHENG_SMTP_URL") && !says(Binary::Api, "MINSHENG_SMTP_URL"));
    let set = load(&[
        (
            "MINSHENG_SIGNING_KEY",
            "a-signing-key-of-at-least-32-characters",
        ),
        ("MINSHENG_SUPERVISOR_EMAIL", "office@example.gov.cn"),
    ])
    .expect("loads");
    let off = set.features_off(Binary::Worker);
    assert!(
        !off.iter()
            .any(|l| l.starts_with("MINSHENG_SIGNING_KEY")
                || l.starts_with("MINSHENG_SUPERVISOR_EMAIL")),
        "{off:?}"
    );
}

#[test]
fn single_sign_on_is_off_until_an_issuer_and_a_client_id_are_set() {
    assert_eq!(load(&[]).expect("defaults").single_sign_on, None);
    let s = load(&[
        ("MINSHENG_OIDC_ISSUER", "http://127.0.0.1:3000"),
        ("MINSHENG_OIDC_CLIENT_ID", "minsheng"),
        ("MINSHENG_OIDC_CLIENT_SECRET", "oidc-client-secret-value"),
    ])
    .expect("valid");
    let sso = s.single_sign_on.as_ref().expect("on");
    // Kept as written: the provider's `iss` has no trailing slash here, and must match.
    assert_eq!(sso.issuer, "http://127.0.0.1:3000");
    assert_eq!(sso.client_id, "minsheng");
    assert_eq!(
        sso.client_secret.as_ref().map(Secret::expose),
        Some("oidc-client-secret-value")
    );
    assert!(!format!("{s:?}").contains("oidc-client-secret-value"));
    let public = load(&[
        (
            "MINSHENG_OIDC_ISSUER",
            "https://sso.example.gov.cn/realms/city",
        ),
        ("MINSHENG_OIDC_CLIENT_ID", "minsheng"),
    ])
    .expect("a public client");
    assert!(public.single_sign_on.expect("on").client_secret.is_none());

    for (vars, key) in [
        (
            &[("MINSHENG_OIDC_ISSUER", "https://sso.example.gov.cn")][..],
            "MINSHENG_OIDC_CLIENT_ID",
        ),
        (
            &[("MINSHENG_OIDC_CLIENT_ID", "minsheng")][..],
            "MINSHENG_OIDC_CLIENT_ID",
        ),
        (
            &[
                ("MINSHENG_OIDC_ISSUER", "sso.example.gov.cn"),
                ("MINSHENG_OIDC_CLIENT_ID", "minsheng"),
            ][..],
            "MINSHENG_OIDC_ISSUER",
        ),
    ] {
        assert_eq!(must_fail(vars).key, key, "{vars:?}");
    }
}
