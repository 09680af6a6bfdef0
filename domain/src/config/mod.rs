//! Typed settings shared by the api and the worker, loaded once at start.
//!
//! Layers, later wins: `config/default.toml` (compiled in, so the documented defaults are the
//! real ones), an optional file (`MINSHENG_CONFIG`, else, for the process only, `./minsheng.toml`
//! when present), then environment variables. A bad value stops the program with a message that
//! names the key; secrets come only from the environment and never appear in `Debug` output.
//!
//! `layers` holds the key table and the merging; the areas (`server`, `graph`, `reminders`) each
//! read and check their own keys; `values` holds the types that hide secrets.

mod graph;
mod layers;
mod reminders;
mod server;
mod values;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use chrono_tz::Tz;

use crate::email::Mailbox;

pub use graph::{CorsOrigins, GraphSettings};
use layers::{Merged, config_file, number, url_has_password};
pub use reminders::{BulletinSettings, ReminderSettings, SupervisionSettings};
pub use server::{
    AccountSettings, MetricsSettings, PoolSettings, ServerSettings, SingleSignOnSettings,
};
pub use values::{DatabaseUrl, Engine, Secret, SmtpUrl, redact_url};

const DEFAULTS: &str = include_str!("../../../config/default.toml");
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
    /// The break-glass and automation credential (`MINSHENG_ADMIN_TOKEN`); `None`: only
    /// accounts administer.
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
    pub accounts: AccountSettings,
    /// `None`: people sign in with passwords only.
    pub single_sign_on: Option<SingleSignOnSettings>,
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

impl Settings {
    /// Loads from the process environment and the files it names, or `./minsheng.toml` when
    /// it names none.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_layers(
            &|key| std::env::var(key).ok(),
            Some(Path::new(DEFAULT_FILE)),
        )
    }

    /// Loads with `env` standing in for the process environment (tests pass a map): only the
    /// file `env` names is read, never one that happens to sit in the working directory.
    pub fn load_from(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::load_layers(env, None)
    }

    fn load_layers(
        env: &dyn Fn(&str) -> Option<String>,
        fallback_file: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        let mut merged = Merged::default();
        merged.apply_toml(DEFAULTS, "config/default.toml")?;

        if let Some(path) = config_file(env, fallback_file)? {
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
            accounts: AccountSettings::from_merged(&mut merged)?,
            single_sign_on: SingleSignOnSettings::from_merged(&mut merged, env)?,
        })
    }
}

/// Which binary asks what a missing setting turns off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    Api,
    Worker,
}

impl Settings {
    /// Where people's browsers reach the api, without a trailing slash: `MINSHENG_PUBLIC_URL`,
    /// else `http://{MINSHENG_BIND}`. The base of password links, from the api or the worker.
    pub fn public_base(&self) -> String {
        match &self.supervision.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// What a missing setting turns off in `binary`, one sentence each, to warn about at start
    /// (a deployment that forgot a key should hear it, not find out from a complaint).
    pub fn features_off(&self, binary: Binary) -> Vec<&'static str> {
        let mut off = Vec::new();
        if self.supervision.signing_key.is_none() {
            off.push("MINSHENG_SIGNING_KEY is not set: reminders carry no 签收 (acknowledge) link, and none is accepted");
        }
        if self.supervision.public_url.is_none() {
            off.push("MINSHENG_PUBLIC_URL is not set: reminders carry no 签收 link, and password links point at the bind address");
        }
        if self.reminders.supervisor.is_none() {
            off.push("MINSHENG_SUPERVISOR_EMAIL is not set: no 延期 notices or escalations reach the office");
        }
        if binary == Binary::Worker && self.smtp_url.is_none() {
            off.push("MINSHENG_SMTP_URL is not set: the worker writes emails as .eml files to MINSHENG_OUTBOX_DIR instead of sending them");
        }
        if binary == Binary::Api
            && self.single_sign_on.is_some()
            && self.supervision.public_url.is_none()
        {
            off.push("MINSHENG_PUBLIC_URL is not set: single sign-on sends people back to the bind address, which the provider must allow as the redirect URI");
        }
        if binary == Binary::Api && self.admin_token.is_none() {
            off.push(
                "MINSHENG_ADMIN_TOKEN is not set: no break-glass token; only accounts administer",
            );
        }
        off
    }
}

#[cfg(test)]
mod tests;
