//! Values that are more than text: secrets that never print, database and SMTP URLs that hide
//! their passwords.

use std::fmt;

use url::Url;

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
pub struct Secret(pub(super) String);

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
