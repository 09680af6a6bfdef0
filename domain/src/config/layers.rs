//! The layering: which keys exist (`KEYS`, with each one's environment variable), how a layer
//! (the defaults, a file, the environment) is read into text values that remember where they
//! came from, and the readers of one value (a number in range, a flag, an address) that name
//! the key they refuse.

use std::{
    collections::HashMap,
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use url::Url;

use super::ConfigError;

/// The settable keys: each one's name in a file, its environment variable, and the shape of
/// value a file may give it (the environment gives text). One list, from which the layer type
/// and the table of environment variables are made.
macro_rules! keys {
    ($($key:ident: $shape:ty = $env:literal),* $(,)?) => {
        /// One layer of settings as written: the compiled-in defaults, a file, or the
        /// environment. Every key is optional; an unknown key is an error that names it.
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Layer {
            $( #[serde(default)] $key: Option<$shape>, )*
        }

        impl Layer {
            /// The values this layer sets, by file key, as text to be checked.
            fn values(self) -> Vec<(&'static str, String)> {
                let mut out = Vec::new();
                $( if let Some(value) = self.$key { out.push((stringify!($key), value.text())); } )*
                out
            }
        }

        /// Every key: its name in a file and its environment variable.
        pub(super) const KEYS: &[(&str, &str)] = &[ $( (stringify!($key), $env), )* ];
    };
}

keys! {
    database_url: Text = "DATABASE_URL",
    bind: Text = "MINSHENG_BIND",
    timezone: Text = "MINSHENG_TIMEZONE",
    smtp_url: Text = "MINSHENG_SMTP_URL",
    mail_from: Text = "MINSHENG_MAIL_FROM",
    reminder_days: List = "MINSHENG_REMINDER_DAYS",
    overdue_every_days: Number = "MINSHENG_OVERDUE_EVERY_DAYS",
    escalate_after_days: Number = "MINSHENG_ESCALATE_AFTER_DAYS",
    supervisor_email: Text = "MINSHENG_SUPERVISOR_EMAIL",
    office_contact: Text = "MINSHENG_OFFICE_CONTACT",
    reminder_cron: Text = "MINSHENG_REMINDER_CRON",
    holiday_calendar: Text = "MINSHENG_HOLIDAY_CALENDAR",
    outbox_dir: Text = "MINSHENG_OUTBOX_DIR",
    cooperating_digest: Text = "MINSHENG_COOPERATING_DIGEST",
    ongoing_checkin_day: Number = "MINSHENG_ONGOING_CHECKIN_DAY",
    due_soon_days: Number = "MINSHENG_DUE_SOON_DAYS",
    graphql_depth_limit: Number = "MINSHENG_GRAPHQL_DEPTH_LIMIT",
    graphql_complexity_limit: Number = "MINSHENG_GRAPHQL_COMPLEXITY_LIMIT",
    graphql_introspection: Flag = "MINSHENG_GRAPHQL_INTROSPECTION",
    graphiql: Flag = "MINSHENG_GRAPHIQL",
    web: Flag = "MINSHENG_WEB",
    request_timeout_ms: Number = "MINSHENG_REQUEST_TIMEOUT_MS",
    export_max_concurrent: Number = "MINSHENG_EXPORT_MAX_CONCURRENT",
    body_limit_bytes: Number = "MINSHENG_BODY_LIMIT_BYTES",
    cors_origins: List = "MINSHENG_CORS_ORIGINS",
    persisted_query_cache_bytes: Number = "MINSHENG_PERSISTED_QUERY_CACHE_BYTES",
    trusted_documents: Text = "MINSHENG_TRUSTED_DOCUMENTS",
    db_pool_size: Number = "MINSHENG_DB_POOL_SIZE",
    db_anonymous_pool_size: Number = "MINSHENG_DB_ANONYMOUS_POOL_SIZE",
    statement_timeout_ms: Number = "MINSHENG_STATEMENT_TIMEOUT_MS",
    request_statement_limit: Number = "MINSHENG_REQUEST_STATEMENT_LIMIT",
    import_max_bytes: Number = "MINSHENG_IMPORT_MAX_BYTES",
    import_timeout_ms: Number = "MINSHENG_IMPORT_TIMEOUT_MS",
    department_names: Text = "MINSHENG_DEPARTMENT_NAMES",
    max_connections: Number = "MINSHENG_MAX_CONNECTIONS",
    header_timeout_ms: Number = "MINSHENG_HEADER_TIMEOUT_MS",
    body_timeout_ms: Number = "MINSHENG_BODY_TIMEOUT_MS",
    ws_max_sockets: Number = "MINSHENG_WS_MAX_SOCKETS",
    ws_max_sockets_per_client: Number = "MINSHENG_WS_MAX_SOCKETS_PER_CLIENT",
    ws_max_subscriptions_per_socket: Number = "MINSHENG_WS_MAX_SUBSCRIPTIONS_PER_SOCKET",
    ws_init_timeout_ms: Number = "MINSHENG_WS_INIT_TIMEOUT_MS",
    metrics: Flag = "MINSHENG_METRICS",
    metrics_bind: Text = "MINSHENG_METRICS_BIND",
    worker_metrics_bind: Text = "MINSHENG_WORKER_METRICS_BIND",
    extension_grace_days: Number = "MINSHENG_EXTENSION_GRACE_DAYS",
    public_url: Text = "MINSHENG_PUBLIC_URL",
    ack_escalate_after_days: Number = "MINSHENG_ACK_ESCALATE_AFTER_DAYS",
    bulletin_cron: Text = "MINSHENG_BULLETIN_CRON",
    bulletin_to: List = "MINSHENG_BULLETIN_TO",
    session_idle_minutes: Number = "MINSHENG_SESSION_IDLE_MINUTES",
    session_max_hours: Number = "MINSHENG_SESSION_MAX_HOURS",
    password_link_hours: Number = "MINSHENG_PASSWORD_LINK_HOURS",
    oidc_issuer: Text = "MINSHENG_OIDC_ISSUER",
    oidc_client_id: Text = "MINSHENG_OIDC_CLIENT_ID",
}

/// Text: a string in a file (`bind = "0.0.0.0:8000"`).
#[derive(Debug, serde::Deserialize)]
#[serde(transparent)]
struct Text(String);

/// A number: an integer in a file, digits in the environment, or empty for "not set" where a
/// key allows that (`ongoing_checkin_day = ""`).
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum Number {
    Integer(i64),
    Text(String),
}

/// `true` / `false` in a file; also `1`, `0`, `on`, `off` in the environment.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Text(String),
}

/// A list: an array in a file (`reminder_days = [30, 14, 7]`), or comma-separated text.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum List {
    Items(Vec<Item>),
    Text(String),
}

/// One element of a [`List`].
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum Item {
    Integer(i64),
    Text(String),
}

impl Text {
    fn text(self) -> String {
        self.0
    }
}

impl Number {
    fn text(self) -> String {
        match self {
            Number::Integer(n) => n.to_string(),
            Number::Text(t) => t,
        }
    }
}

impl Flag {
    fn text(self) -> String {
        match self {
            Flag::Bool(b) => b.to_string(),
            Flag::Text(t) => t,
        }
    }
}

impl List {
    fn text(self) -> String {
        match self {
            List::Items(items) => items
                .into_iter()
                .map(|i| match i {
                    Item::Integer(n) => n.to_string(),
                    Item::Text(t) => t,
                })
                .collect::<Vec<_>>()
                .join(","),
            List::Text(t) => t,
        }
    }
}

/// A value as a layer gave it and where it came from, so an error can name the key the admin
/// has to fix (`MINSHENG_REMINDER_DAYS`, or `reminder_days in minsheng.toml`).
pub(super) struct Sourced {
    pub(super) value: String,
    pub(super) origin: String,
}

/// The layers merged: file key → the value that won.
#[derive(Default)]
pub(super) struct Merged(pub(super) HashMap<&'static str, Sourced>);

impl Merged {
    /// Applies a layer written in TOML (the defaults, a file): typed by [`Layer`], so an
    /// unknown key or a value of the wrong shape is an error naming it and where it is.
    pub(super) fn apply_toml(&mut self, text: &str, source: &str) -> Result<(), ConfigError> {
        let layer: Layer =
            toml::from_str(text).map_err(|e| ConfigError::new(source, e.to_string().trim()))?;
        self.apply(layer, &|key| format!("{key} in {source}"));
        Ok(())
    }

    /// Applies the environment: every key's variable, as text.
    pub(super) fn apply_env(
        &mut self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let mut table = toml::Table::new();
        for (file_key, env_key) in KEYS {
            if let Some(value) = env(env_key) {
                table.insert((*file_key).to_owned(), toml::Value::String(value));
            }
        }
        let layer: Layer = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::new("environment", e.to_string()))?;
        self.apply(layer, &|key| {
            KEYS.iter()
                .find(|(k, _)| *k == key)
                .map_or(key, |(_, env_key)| env_key)
                .to_owned()
        });
        Ok(())
    }

    fn apply(&mut self, layer: Layer, origin: &dyn Fn(&str) -> String) {
        for (key, value) in layer.values() {
            let origin = origin(key);
            self.0.insert(key, Sourced { value, origin });
        }
    }

    pub(super) fn take(&mut self, file_key: &str) -> Option<Sourced> {
        self.0.remove(file_key)
    }

    /// A required value; the defaults file has every required key.
    pub(super) fn required(&mut self, file_key: &str) -> Result<Sourced, ConfigError> {
        self.take(file_key)
            .ok_or_else(|| ConfigError::new(file_key, "has no value"))
    }

    /// A value that may be empty (empty means "not set").
    pub(super) fn optional(&mut self, file_key: &str) -> Option<Sourced> {
        self.take(file_key).filter(|s| !s.value.trim().is_empty())
    }
}

/// A required `true` / `false` (also `1`, `0`, `on`, `off`).
pub(super) fn flag(merged: &mut Merged, key: &str) -> Result<bool, ConfigError> {
    let s = merged.required(key)?;
    match s.value.trim() {
        "true" | "1" | "on" => Ok(true),
        "false" | "0" | "off" => Ok(false),
        other => Err(ConfigError::new(
            &s.origin,
            format!("'{other}' is not true or false"),
        )),
    }
}

/// An optional `host:port`; empty means "not set".
pub(super) fn address(merged: &mut Merged, key: &str) -> Result<Option<SocketAddr>, ConfigError> {
    merged
        .optional(key)
        .map(|s| {
            s.value.trim().parse().map_err(|e| {
                ConfigError::new(&s.origin, format!("'{}' is not host:port ({e})", s.value))
            })
        })
        .transpose()
}

/// A required number within `min..=max`.
pub(super) fn number<T: std::str::FromStr + PartialOrd + fmt::Display>(
    merged: &mut Merged,
    key: &str,
    min: T,
    max: T,
) -> Result<T, ConfigError> {
    let s = merged.required(key)?;
    s.value
        .trim()
        .parse::<T>()
        .ok()
        .filter(|n| *n >= min && *n <= max)
        .ok_or_else(|| {
            ConfigError::new(
                &s.origin,
                format!("'{}' is out of range ({min} to {max})", s.value),
            )
        })
}

/// The file layer: the one `MINSHENG_CONFIG` names (which must exist), else `fallback` when it
/// exists.
pub(super) fn config_file(
    env: &dyn Fn(&str) -> Option<String>,
    fallback: Option<&Path>,
) -> Result<Option<PathBuf>, ConfigError> {
    match env("MINSHENG_CONFIG").filter(|p| !p.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            if path.is_file() {
                Ok(Some(path))
            } else {
                Err(ConfigError::new(
                    "MINSHENG_CONFIG",
                    format!("{} does not exist or is not a file", path.display()),
                ))
            }
        }
        None => Ok(fallback.filter(|p| p.is_file()).map(Path::to_path_buf)),
    }
}

pub(super) fn url_has_password(value: &str) -> bool {
    Url::parse(value.trim()).is_ok_and(|u| u.password().is_some())
}
