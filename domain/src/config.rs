//! Typed settings shared by the api and the worker, loaded once at start.
//!
//! Layers, later wins: `config/default.toml` (compiled in, so the documented defaults are the
//! real ones), an optional file (`MINSHENG_CONFIG`, else `./minsheng.toml` when present), then
//! environment variables. A bad value stops the program with a message that names the key;
//! secrets come only from the environment and never appear in `Debug` output.

use std::{collections::HashMap, fmt, net::SocketAddr, path::PathBuf};

use chrono_tz::Tz;
use url::Url;

use crate::email::{EmailAddress, Mailbox};

const DEFAULTS: &str = include_str!("../../config/default.toml");
const DEFAULT_FILE: &str = "minsheng.toml";

/// Everything both binaries are configured with.
#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    /// The zone in which "today" is computed.
    pub timezone: Tz,
    /// `None`: the worker writes `.eml` files instead of sending.
    pub smtp_url: Option<SmtpUrl>,
    pub mail_from: Mailbox,
    /// `None`: no administrator exists.
    pub admin_token: Option<Secret>,
    pub reminders: ReminderSettings,
    pub graph: GraphSettings,
    pub pool: PoolSettings,
    /// The largest list text the importer reads (the CLI and `importList`).
    pub import_max_bytes: usize,
    /// Reading a list file (a spreadsheet, a document, a page) stops after this, and the file
    /// is refused.
    pub import_timeout: std::time::Duration,
    /// A file of department name forms extending the shipped ones (department suggestions).
    pub department_names: Option<PathBuf>,
    pub server: ServerSettings,
    pub metrics: MetricsSettings,
    pub supervision: SupervisionSettings,
    pub bulletin: BulletinSettings,
}

/// Where the binaries serve their Prometheus metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsSettings {
    /// `false`: no `/metrics` anywhere, and nothing is counted.
    pub enabled: bool,
    /// The api serves `/metrics` on this address of its own instead of on `bind`, so that the
    /// public port need not expose it.
    pub bind: Option<SocketAddr>,
    /// The worker serves `/metrics` here; `None`: it serves none (several workers on one host
    /// each need their own port).
    pub worker_bind: Option<SocketAddr>,
}

/// How many connections and sockets the api serves at once, and how long it waits for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSettings {
    /// TCP connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// A connection that has not sent its request headers within this is closed.
    pub header_timeout: std::time::Duration,
    /// A request whose body has not fully arrived within this is answered 408 and its
    /// connection closed.
    pub body_timeout: std::time::Duration,
    /// WebSockets open at once, in all.
    pub ws_max_sockets: usize,
    /// WebSockets open at once from one client address.
    pub ws_max_sockets_per_client: usize,
    /// Subscriptions running at once on one WebSocket.
    pub ws_max_subscriptions_per_socket: usize,
    /// A WebSocket that has not sent `connection_init` within this is closed (4408).
    pub ws_init_timeout: std::time::Duration,
}

impl ServerSettings {
    fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        Ok(Self {
            max_connections: number(merged, "max_connections", 1, 1_000_000)?,
            header_timeout: std::time::Duration::from_millis(number(
                merged,
                "header_timeout_ms",
                100,
                600_000,
            )?),
            body_timeout: std::time::Duration::from_millis(number(
                merged,
                "body_timeout_ms",
                100,
                600_000,
            )?),
            ws_max_sockets: number(merged, "ws_max_sockets", 1, 1_000_000)?,
            ws_max_sockets_per_client: number(merged, "ws_max_sockets_per_client", 1, 1_000_000)?,
            ws_max_subscriptions_per_socket: number(
                merged,
                "ws_max_subscriptions_per_socket",
                1,
                10_000,
            )?,
            ws_init_timeout: std::time::Duration::from_millis(number(
                merged,
                "ws_init_timeout_ms",
                100,
                600_000,
            )?),
        })
    }
}

/// How the binaries hold their database connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections for callers with a token (the administrator, departments), the worker and
    /// the api's own work (readiness, notices).
    pub size: u32,
    /// A separate, smaller pool for anonymous requests: however many of them arrive, they
    /// cannot take the connections above.
    pub anonymous_size: u32,
    /// PostgreSQL's `statement_timeout` on every connection: no statement runs longer.
    pub statement_timeout: std::time::Duration,
}

/// A configuration error, naming the key (environment variable or file key) at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

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
        const KEYS: &[(&str, &str)] = &[ $( (stringify!($key), $env), )* ];
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
struct Sourced {
    value: String,
    origin: String,
}

/// The layers merged: file key → the value that won.
#[derive(Default)]
struct Merged(HashMap<&'static str, Sourced>);

impl Merged {
    /// Applies a layer written in TOML (the defaults, a file): typed by [`Layer`], so an
    /// unknown key or a value of the wrong shape is an error naming it and where it is.
    fn apply_toml(&mut self, text: &str, source: &str) -> Result<(), ConfigError> {
        let layer: Layer =
            toml::from_str(text).map_err(|e| ConfigError::new(source, e.to_string().trim()))?;
        self.apply(layer, &|key| format!("{key} in {source}"));
        Ok(())
    }

    /// Applies the environment: every key's variable, as text.
    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
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

    fn take(&mut self, file_key: &str) -> Option<Sourced> {
        self.0.remove(file_key)
    }

    /// A required value; the defaults file has every required key.
    fn required(&mut self, file_key: &str) -> Result<Sourced, ConfigError> {
        self.take(file_key)
            .ok_or_else(|| ConfigError::new(file_key, "has no value"))
    }

    /// A value that may be empty (empty means "not set").
    fn optional(&mut self, file_key: &str) -> Option<Sourced> {
        self.take(file_key).filter(|s| !s.value.trim().is_empty())
    }
}

impl Settings {
    /// Loads from the process environment and the files it names.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_from(&|key| std::env::var(key).ok())
    }

    /// Loads with `env` standing in for the process environment (tests pass a map).
    pub fn load_from(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut merged = Merged::default();
        merged.apply_toml(DEFAULTS, "config/default.toml")?;

        if let Some(path) = config_file(env)? {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError::new(
                    "MINSHENG_CONFIG",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            let shown = path.display().to_string();
            let mut file_layer = Merged::default();
            file_layer.apply_toml(&text, &shown)?;
            for key in ["database_url", "smtp_url"] {
                if let Some(url) = file_layer.0.get(key).filter(|u| url_has_password(&u.value)) {
                    return Err(ConfigError::new(
                        &url.origin,
                        "a password may only come from the environment, not from a file",
                    ));
                }
            }
            merged.0.extend(file_layer.0);
        }

        merged.apply_env(env)?;
        Self::validate(merged, env)
    }

    fn validate(
        mut merged: Merged,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let database_url = merged.required("database_url")?;
        let bind = merged.required("bind")?;
        let timezone = merged.required("timezone")?;
        let mail_from = merged.required("mail_from")?;

        let admin_token = match env("MINSHENG_ADMIN_TOKEN") {
            None => None,
            Some(token) if token.is_empty() => None,
            // A bearer token is read without surrounding space: one made of (or holding)
            // whitespace could never be presented, or is a mistake in a deployment file.
            Some(token) if token.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                return Err(ConfigError::new(
                    "MINSHENG_ADMIN_TOKEN",
                    "contains whitespace or control characters; use a long random value without them",
                ));
            }
            Some(token) if token.len() < 16 => {
                return Err(ConfigError::new(
                    "MINSHENG_ADMIN_TOKEN",
                    "is shorter than 16 characters; use a long random value",
                ));
            }
            Some(token) => Some(Secret(token)),
        };

        Ok(Self {
            database_url: DatabaseUrl::parse(&database_url.value)
                .map_err(|m| ConfigError::new(&database_url.origin, m))?,
            bind: bind.value.trim().parse().map_err(|e| {
                ConfigError::new(
                    &bind.origin,
                    format!("'{}' is not host:port ({e})", bind.value),
                )
            })?,
            timezone: timezone.value.trim().parse().map_err(|_| {
                ConfigError::new(
                    &timezone.origin,
                    format!(
                        "unknown time zone '{}' (an IANA name such as Asia/Shanghai)",
                        timezone.value
                    ),
                )
            })?,
            smtp_url: merged
                .optional("smtp_url")
                .map(|s| SmtpUrl::parse(&s.value).map_err(|m| ConfigError::new(&s.origin, m)))
                .transpose()?,
            mail_from: Mailbox::parse(&mail_from.value)
                .map_err(|m| ConfigError::new(&mail_from.origin, m))?,
            admin_token,
            reminders: ReminderSettings::from_merged(&mut merged)?,
            graph: GraphSettings::from_merged(&mut merged)?,
            pool: PoolSettings::from_merged(&mut merged)?,
            import_max_bytes: number(&mut merged, "import_max_bytes", 1024, 1024 * 1024 * 1024)?,
            import_timeout: std::time::Duration::from_millis(number(
                &mut merged,
                "import_timeout_ms",
                100,
                600_000,
            )?),
            department_names: merged
                .optional("department_names")
                .map(|s| PathBuf::from(s.value.trim())),
            server: ServerSettings::from_merged(&mut merged)?,
            metrics: MetricsSettings::from_merged(&mut merged)?,
            supervision: SupervisionSettings::from_merged(&mut merged, env)?,
            bulletin: BulletinSettings::from_merged(&mut merged)?,
        })
    }
}

/// What the reminder worker is configured with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderSettings {
    /// Days before a due date on which a reminder goes out, largest first (`30,14,7,3,1,0`).
    pub days_before: Vec<u32>,
    /// After a due date has passed, one reminder every this many days.
    pub overdue_every_days: u32,
    /// Overdue by more than this many days: the supervisor gets a copy.
    pub escalate_after_days: u32,
    pub supervisor: Option<EmailAddress>,
    /// Six-field cron expression (with seconds), read in the configured time zone.
    pub cron: String,
    /// A holiday calendar file: when set, lead days count working days and no reminder goes out
    /// on a day of rest.
    pub holiday_calendar: Option<PathBuf>,
    /// Where `.eml` files go when no SMTP server is configured.
    pub outbox_dir: PathBuf,
    /// The weekday on which cooperating departments get a digest of the items they cooperate
    /// on; `None`: they get none.
    pub cooperating_digest: Option<chrono::Weekday>,
    /// The day of the month (1 to 28) from which lead departments of items that are only
    /// ongoing (长期坚持, no date) get a monthly check-in; `None`: they get none.
    pub ongoing_checkin_day: Option<u32>,
    /// Working days after which a reminder about an overdue item that nobody acknowledged
    /// (签收) copies the supervisor; `None`: never.
    pub ack_escalate_after_days: Option<u32>,
}

impl ReminderSettings {
    fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        let days = merged.required("reminder_days")?;
        let mut days_before = days
            .value
            .split(',')
            .map(|d| d.trim().parse::<u32>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                ConfigError::new(
                    &days.origin,
                    format!(
                        "'{}' is not a list of whole days such as 30,14,7,3,1,0",
                        days.value
                    ),
                )
            })?;
        days_before.sort_unstable_by(|a, b| b.cmp(a));
        days_before.dedup();
        if days_before.is_empty() || days_before.iter().any(|d| *d > 366) {
            return Err(ConfigError::new(
                &days.origin,
                "give between one and a year of days before a due date",
            ));
        }
        let positive = |merged: &mut Merged, key: &str| -> Result<u32, ConfigError> {
            let s = merged.required(key)?;
            s.value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ConfigError::new(
                        &s.origin,
                        format!("'{}' is not a positive number of days", s.value),
                    )
                })
        };
        let overdue_every_days = positive(merged, "overdue_every_days")?;
        let escalate_after_days = positive(merged, "escalate_after_days")?;
        let supervisor = merged
            .optional("supervisor_email")
            .map(|s| EmailAddress::parse(&s.value).map_err(|m| ConfigError::new(&s.origin, m)))
            .transpose()?;
        let cron = merged.required("reminder_cron")?;
        if cron.value.split_whitespace().count() != 6 {
            return Err(ConfigError::new(
                &cron.origin,
                format!(
                    "'{}' is not a six-field cron expression (sec min hour day month weekday)",
                    cron.value
                ),
            ));
        }
        Ok(Self {
            days_before,
            overdue_every_days,
            escalate_after_days,
            supervisor,
            cron: cron.value.trim().to_owned(),
            holiday_calendar: merged
                .optional("holiday_calendar")
                .map(|s| PathBuf::from(s.value.trim())),
            outbox_dir: PathBuf::from(merged.required("outbox_dir")?.value.trim()),
            cooperating_digest: merged
                .optional("cooperating_digest")
                .map(|s| {
                    s.value.trim().parse::<chrono::Weekday>().map_err(|_| {
                        ConfigError::new(
                            &s.origin,
                            format!(
                                "'{}' is not a weekday (monday … sunday), or empty for none",
                                s.value
                            ),
                        )
                    })
                })
                .transpose()?,
            ongoing_checkin_day: merged
                .optional("ongoing_checkin_day")
                .map(|s| {
                    s.value
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|d| (1..=28).contains(d))
                        .ok_or_else(|| {
                            ConfigError::new(
                                &s.origin,
                                format!(
                                    "'{}' is not a day of the month from 1 to 28, or empty for none",
                                    s.value
                                ),
                            )
                        })
                })
                .transpose()?,
            ack_escalate_after_days: ack_escalate_after_days(merged)?,
        })
    }
}

/// The supervision cycle: extension requests and acknowledged reminders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisionSettings {
    /// Days after a due date during which a department may still ask for more time.
    pub extension_grace_days: u32,
    /// Where the api is reached from outside (`https://minsheng.example.gov.cn`): the base of
    /// the acknowledgement link in reminders. `None`: reminders carry no link.
    pub public_url: Option<Url>,
    /// The key acknowledgement links are signed with (`MINSHENG_SIGNING_KEY`, environment only).
    pub signing_key: Option<Secret>,
}

impl SupervisionSettings {
    fn from_merged(
        merged: &mut Merged,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let extension_grace_days = match merged.optional("extension_grace_days") {
            None => 0,
            Some(s) => s
                .value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 366)
                .ok_or_else(|| {
                    ConfigError::new(
                        &s.origin,
                        format!("'{}' is not a number of days from 0 to 366", s.value),
                    )
                })?,
        };
        let public_url = merged
            .optional("public_url")
            .map(|s| {
                Url::parse(s.value.trim())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                    .filter(|u| u.query().is_none() && u.fragment().is_none())
                    .ok_or_else(|| {
                        ConfigError::new(
                            &s.origin,
                            format!(
                                "'{}' is not an http(s) base URL such as https://minsheng.example.gov.cn",
                                s.value
                            ),
                        )
                    })
            })
            .transpose()?;
        let signing_key = match env("MINSHENG_SIGNING_KEY").filter(|k| !k.is_empty()) {
            None => None,
            Some(key) if key.len() < 32 || key.chars().any(char::is_whitespace) => {
                return Err(ConfigError::new(
                    "MINSHENG_SIGNING_KEY",
                    "use a random value of at least 32 characters without whitespace",
                ));
            }
            Some(key) => Some(Secret(key)),
        };
        Ok(Self {
            extension_grace_days,
            public_url,
            signing_key,
        })
    }
}

/// The periodic bulletin (情况通报).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulletinSettings {
    /// Six-field cron expression in the configured time zone; `None`: no bulletin is scheduled.
    pub cron: Option<String>,
    /// Who receives it (`MINSHENG_BULLETIN_TO`).
    pub to: Vec<EmailAddress>,
}

impl BulletinSettings {
    fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        let to = match merged.optional("bulletin_to") {
            None => Vec::new(),
            Some(s) => s
                .value
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    EmailAddress::parse(a)
                        .map_err(|m| ConfigError::new(&s.origin, format!("'{a}': {m}")))
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let cron = match merged.optional("bulletin_cron") {
            None => None,
            Some(s) if s.value.split_whitespace().count() != 6 => {
                return Err(ConfigError::new(
                    &s.origin,
                    format!(
                        "'{}' is not a six-field cron expression (sec min hour day month weekday), or empty for no bulletin",
                        s.value
                    ),
                ));
            }
            // A schedule without recipients would record bulletins nobody receives.
            Some(s) if to.is_empty() => {
                return Err(ConfigError::new(
                    &s.origin,
                    "a bulletin is scheduled but MINSHENG_BULLETIN_TO names nobody to send it to",
                ));
            }
            Some(s) => Some(s.value.trim().to_owned()),
        };
        Ok(Self { cron, to })
    }
}

/// Working days after which an overdue item's unacknowledged reminder copies the supervisor.
fn ack_escalate_after_days(merged: &mut Merged) -> Result<Option<u32>, ConfigError> {
    merged
        .optional("ack_escalate_after_days")
        .map(|s| {
            s.value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=366).contains(d))
                .ok_or_else(|| {
                    ConfigError::new(
                        &s.origin,
                        format!(
                            "'{}' is not a number of working days from 1 to 366, or empty for off",
                            s.value
                        ),
                    )
                })
        })
        .transpose()
}

/// What the GraphQL api is configured with: how urgency is judged and how requests are bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphSettings {
    /// An item is `DUE_SOON` when its earliest due date is at most this many days away.
    pub due_soon_days: u32,
    pub depth_limit: usize,
    /// Connections cost their page size times their selection.
    pub complexity_limit: usize,
    /// Off in production: the schema is then only what `api schema` prints.
    pub introspection: bool,
    /// Off in production: `GET /graphql` without a query answers 400, not the page.
    pub graphiql: bool,
    /// The board and the item pages at `GET /`; off: `/` answers 404.
    pub web: bool,
    pub request_timeout: std::time::Duration,
    /// 台账 exports (`/export/…`) running at once; more are answered 503 with `Retry-After`.
    pub export_max_concurrent: usize,
    pub body_limit_bytes: usize,
    /// Origins whose pages may call the api from a browser (CORS); empty: same origin only.
    pub cors_origins: CorsOrigins,
    /// Bytes of query text kept for automatic persisted queries; 0: the protocol is off.
    pub persisted_query_cache_bytes: usize,
    /// When set, callers without the administrator's token run only the documents in this
    /// file.
    pub trusted_documents: Option<PathBuf>,
    /// The most database statements one request of a caller without the administrator's
    /// token may run.
    pub request_statement_limit: usize,
}

/// Which browser origins may call the api.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No CORS headers: pages of the api's own origin only.
    #[default]
    SameOrigin,
    /// `*`: any page on the web (accepted, and warned about at start).
    Any,
    /// These origins (`scheme://host[:port]`), exactly.
    List(Vec<String>),
}

impl CorsOrigins {
    /// A comma list of origins, `*`, or empty.
    pub fn parse(value: &str) -> Result<Self, String> {
        let items: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Ok(Self::SameOrigin);
        }
        if items.contains(&"*") {
            return if items.len() == 1 {
                Ok(Self::Any)
            } else {
                Err("`*` allows every origin; give it alone or list origins instead".into())
            };
        }
        items
            .into_iter()
            .map(|item| {
                let url = Url::parse(item).map_err(|_| {
                    format!("'{item}' is not an origin such as http://localhost:5173")
                })?;
                let origin = url.origin();
                let shown = origin.ascii_serialization();
                if !origin.is_tuple() || !matches!(url.scheme(), "http" | "https") {
                    return Err(format!("'{item}' is not an http or https origin"));
                }
                if !url.path().trim_start_matches('/').is_empty()
                    || url.query().is_some()
                    || url.fragment().is_some()
                    || !url.username().is_empty()
                {
                    return Err(format!(
                        "'{item}' is not a bare origin (scheme://host[:port], as a browser sends it: {shown})"
                    ));
                }
                Ok(shown)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|mut origins| {
                origins.dedup();
                Self::List(origins)
            })
    }
}

/// A required `true` / `false` (also `1`, `0`, `on`, `off`).
fn flag(merged: &mut Merged, key: &str) -> Result<bool, ConfigError> {
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
fn address(merged: &mut Merged, key: &str) -> Result<Option<SocketAddr>, ConfigError> {
    merged
        .optional(key)
        .map(|s| {
            s.value.trim().parse().map_err(|e| {
                ConfigError::new(&s.origin, format!("'{}' is not host:port ({e})", s.value))
            })
        })
        .transpose()
}

impl MetricsSettings {
    fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        Ok(Self {
            enabled: flag(merged, "metrics")?,
            bind: address(merged, "metrics_bind")?,
            worker_bind: address(merged, "worker_metrics_bind")?,
        })
    }
}

/// A required number within `min..=max`.
fn number<T: std::str::FromStr + PartialOrd + fmt::Display>(
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

impl PoolSettings {
    fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        let size = number(merged, "db_pool_size", 2, 1000)?;
        let anonymous_size = number(merged, "db_anonymous_pool_size", 1, 1000)?;
        Ok(Self {
            size,
            anonymous_size,
            statement_timeout: std::time::Duration::from_millis(number(
                merged,
                "statement_timeout_ms",
                100,
                3_600_000,
            )?),
        })
    }
}

impl GraphSettings {
    fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        Ok(Self {
            due_soon_days: number(merged, "due_soon_days", 0, 366)?,
            depth_limit: number(merged, "graphql_depth_limit", 2, 64)?,
            complexity_limit: number(merged, "graphql_complexity_limit", 10, 1_000_000)?,
            introspection: flag(merged, "graphql_introspection")?,
            graphiql: flag(merged, "graphiql")?,
            web: flag(merged, "web")?,
            request_timeout: std::time::Duration::from_millis(number(
                merged,
                "request_timeout_ms",
                1,
                3_600_000,
            )?),
            export_max_concurrent: number(merged, "export_max_concurrent", 1, 1_000)?,
            body_limit_bytes: number(merged, "body_limit_bytes", 1024, 64 * 1024 * 1024)?,
            cors_origins: match merged.take("cors_origins") {
                Some(s) => {
                    CorsOrigins::parse(&s.value).map_err(|m| ConfigError::new(&s.origin, m))?
                }
                None => CorsOrigins::SameOrigin,
            },
            persisted_query_cache_bytes: number(
                merged,
                "persisted_query_cache_bytes",
                0,
                1024 * 1024 * 1024,
            )?,
            trusted_documents: merged
                .optional("trusted_documents")
                .map(|s| PathBuf::from(s.value.trim())),
            request_statement_limit: number(merged, "request_statement_limit", 10, 1_000_000)?,
        })
    }
}

fn config_file(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<PathBuf>, ConfigError> {
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
        None => Ok(Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file())),
    }
}

fn url_has_password(value: &str) -> bool {
    Url::parse(value.trim()).is_ok_and(|u| u.password().is_some())
}

/// Shows a URL with its password replaced, for logs and errors.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        // Setting a password only fails for URLs that cannot carry one, which this one does.
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

/// A secret string: compared and used, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which engine a database URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database URL with a known engine. `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    engine: Engine,
}

impl DatabaseUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let raw = value.trim();
        let url = Url::parse(raw).map_err(|e| format!("'{raw}' is not a URL ({e})"))?;
        let engine = match url.scheme() {
            "sqlite" => Engine::Sqlite,
            "postgres" | "postgresql" => Engine::Postgres,
            other => {
                return Err(format!(
                    "unsupported database '{other}': use sqlite://FILE?mode=rwc or postgres://..."
                ));
            }
        };
        Ok(Self {
            raw: raw.to_owned(),
            engine,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The URL with its password, for connecting only.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// Whether this is PostgreSQL over TCP without an explicit `sslmode`. The driver then
    /// prefers TLS whenever the server offers it: a cost on one host (a Unix socket or
    /// `sslmode=disable` fits there) and no protection across hosts, where only `require` or
    /// `verify-full` refuse a connection in the clear.
    pub fn leaves_tls_implicit(&self) -> bool {
        let Ok(url) = Url::parse(&self.raw) else {
            return false;
        };
        let mut socket = url.host_str().is_some_and(|h| h.starts_with("%2F"));
        let mut sslmode = false;
        for (key, value) in url.query_pairs() {
            match &*key {
                "host" if value.starts_with('/') => socket = true,
                "sslmode" | "ssl-mode" => sslmode = true,
                _ => {}
            }
        }
        self.engine == Engine::Postgres && !socket && !sslmode
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Url::parse(&self.raw) {
            Ok(url) => f.write_str(&redact_url(&url)),
            Err(_) => f.write_str("<database url>"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `smtp://host:port` or `smtps://host:port`, optionally with `user:password@`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(Url);

impl SmtpUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let raw = value.trim();
        let url = Url::parse(raw).map_err(|e| format!("'{raw}' is not a URL ({e})"))?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(format!(
                "scheme '{}' is not smtp or smtps (smtp://host:port, smtps://host:port)",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the URL has no host".into());
        }
        Ok(Self(url))
    }

    /// The URL with its credentials, for connecting only.
    pub fn expose(&self) -> &Url {
        &self.0
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({})", redact_url(&self.0))
    }
}

#[cfg(test)]
mod tests {
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

    use std::collections::HashMap;

    use super::*;

    /// The README's settings table is the configuration's key table: every key with its
    /// environment variable and file key, and no row for a key that does not exist. (Secrets and
    /// the variables no file sets have no file key there.)
    #[test]
    fn the_readme_lists_every_key() {
        let readme = include_str!("../../README.md");
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
        let s =
            load(&[("MINSHENG_DEPARTMENT_NAMES", good.to_str().expect("path"))]).expect("loads");
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
            e.to_string().contains("MINSHENG_BULLETIN_TO")
                && e.to_string().contains("not an address"),
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
        let dir =
            std::env::temp_dir().join(format!("minsheng-config-{}-{name}", std::process::id()));
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
}
