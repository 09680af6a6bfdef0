//! How the api serves: connections, sockets and their time limits, the database pools, and
//! where metrics are served.

use std::net::SocketAddr;

use url::Url;

use super::{
    ConfigError, Secret,
    layers::{Merged, address, flag, number},
};

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
    pub(super) fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
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

impl PoolSettings {
    pub(super) fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
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

impl MetricsSettings {
    pub(super) fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        Ok(Self {
            enabled: flag(merged, "metrics")?,
            bind: address(merged, "metrics_bind")?,
            worker_bind: address(merged, "worker_metrics_bind")?,
        })
    }
}

/// How long sessions and password links last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountSettings {
    /// A session no request used for this long ends.
    pub session_idle: chrono::Duration,
    /// Any session ends this long after sign-in.
    pub session_max: chrono::Duration,
    /// A one-time link to set a password works for this long.
    pub password_link: chrono::Duration,
}

impl AccountSettings {
    pub(super) fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        let idle: i64 = number(merged, "session_idle_minutes", 1, 7 * 24 * 60)?;
        let max: i64 = number(merged, "session_max_hours", 1, 90 * 24)?;
        let link: i64 = number(merged, "password_link_hours", 1, 30 * 24)?;
        Ok(Self {
            session_idle: chrono::Duration::minutes(idle),
            session_max: chrono::Duration::hours(max),
            password_link: chrono::Duration::hours(link),
        })
    }

    /// The lifetimes the session store applies.
    pub fn lifetimes(&self) -> crate::store::account::sessions::Lifetimes {
        crate::store::account::sessions::Lifetimes {
            idle: self.session_idle,
            absolute: self.session_max,
        }
    }
}

/// Single sign-on through an OpenID provider (`MINSHENG_OIDC_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleSignOnSettings {
    /// The provider's issuer URL exactly as its discovery document and ID tokens name it (kept
    /// as written: a parsed URL would gain a trailing slash the provider's `iss` may lack).
    pub issuer: String,
    pub client_id: String,
    /// `None`: a public client, proving itself with PKCE alone.
    pub client_secret: Option<Secret>,
}

impl SingleSignOnSettings {
    pub(super) fn from_merged(
        merged: &mut Merged,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        let issuer = merged.optional("oidc_issuer");
        let client_id = merged.optional("oidc_client_id");
        let client_secret = env("MINSHENG_OIDC_CLIENT_SECRET")
            .filter(|s| !s.is_empty())
            .map(Secret);
        let Some(issuer) = issuer else {
            if let Some(id) = client_id {
                return Err(ConfigError::new(
                    &id.origin,
                    "is set but MINSHENG_OIDC_ISSUER is not: set both for single sign-on, or neither",
                ));
            }
            return Ok(None);
        };
        Url::parse(issuer.value.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
            .filter(|u| u.query().is_none() && u.fragment().is_none())
            .ok_or_else(|| {
                ConfigError::new(
                    &issuer.origin,
                    format!(
                        "'{}' is not the provider's issuer URL (https://sso.example.gov.cn/...)",
                        issuer.value
                    ),
                )
            })?;
        let client_id = client_id
            .map(|c| c.value.trim().to_owned())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                ConfigError::new(
                    "MINSHENG_OIDC_CLIENT_ID",
                    "is required with MINSHENG_OIDC_ISSUER: the client id the provider gave this api",
                )
            })?;
        Ok(Some(Self {
            issuer: issuer.value.trim().to_owned(),
            client_id,
            client_secret,
        }))
    }
}
