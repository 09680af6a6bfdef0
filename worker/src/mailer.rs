//! Sending email: a pooled SMTP transport, or `.eml` files in an outbox directory.

use std::{path::PathBuf, time::Duration};

use domain::config::Settings;
use lettre::{
    Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    address::Envelope, transport::smtp::PoolConfig,
};

/// Longest one SMTP exchange may take before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

pub enum Mailer {
    Smtp {
        pooled: AsyncSmtpTransport<Tokio1Executor>,
        /// Keeps no connection: a retry goes over a connection opened for it. Retrying through
        /// the pool could take another connection the server has already dropped (lettre
        /// issues #743, #1027; `worker/tests/smtp_drop.rs` lost a message that way).
        fresh: AsyncSmtpTransport<Tokio1Executor>,
    },
    Outbox {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl Mailer {
    /// SMTP when `MINSHENG_SMTP_URL` is set (pool of `pool_size`), else the outbox directory.
    pub fn from_settings(settings: &Settings, pool_size: u32) -> Result<Self, String> {
        match &settings.smtp_url {
            Some(url) => {
                let transport = |max_size: u32| {
                    Ok::<_, String>(
                        AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose().as_str())
                            .map_err(|e| format!("MINSHENG_SMTP_URL: {e}"))?
                            .timeout(Some(SEND_TIMEOUT))
                            .pool_config(
                                PoolConfig::new()
                                    .max_size(max_size)
                                    .idle_timeout(Duration::from_secs(60)),
                            )
                            .build(),
                    )
                };
                Ok(Self::Smtp {
                    pooled: transport(pool_size)?,
                    // A pool of size 0 closes every connection after its message.
                    fresh: transport(0)?,
                })
            }
            None => Self::outbox(settings.reminders.outbox_dir.clone()),
        }
    }

    pub fn outbox(dir: PathBuf) -> Result<Self, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create the outbox {}: {e}", dir.display()))?;
        Ok(Self::Outbox {
            transport: AsyncFileTransport::new(&dir),
            dir,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { .. } => "SMTP".to_owned(),
            Self::Outbox { dir, .. } => format!(".eml files in {}", dir.display()),
        }
    }

    /// Sends one message to every recipient its headers name (To, Cc), bounded by
    /// [`SEND_TIMEOUT`]. A failure that is not a permanent rejection (typically a pooled
    /// connection the server has closed) is retried once, on a connection opened for the retry.
    /// One refused recipient fails the whole message: [`Mailer::send_each`] sends recipient by
    /// recipient.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        self.send_with(message, message.envelope()).await
    }

    /// Sends `message` to `recipient` alone, whatever its headers name: the others' servers
    /// cannot fail it, and a copy for someone else can differ.
    pub async fn send_to(&self, message: &Message, recipient: &Address) -> Result<(), SendError> {
        let envelope = Envelope::new(message.envelope().from().cloned(), vec![recipient.clone()])
            .map_err(|e| SendError::permanent(e.to_string()))?;
        self.send_with(message, &envelope).await
    }

    /// Sends `message` to each of its recipients in a transaction of its own: each recipient's
    /// outcome, in the envelope's order.
    pub async fn send_each(&self, message: &Message) -> Vec<(Address, Result<(), SendError>)> {
        let mut outcomes = Vec::new();
        for recipient in message.envelope().to() {
            let sent = self.send_to(message, recipient).await;
            outcomes.push((recipient.clone(), sent));
        }
        outcomes
    }

    async fn send_with(&self, message: &Message, envelope: &Envelope) -> Result<(), SendError> {
        let bytes = message.formatted();
        match self {
            Self::Outbox { transport, .. } => transport
                .send_raw(envelope, &bytes)
                .await
                .map(|_| ())
                .map_err(|e| SendError::transient(e.to_string())),
            Self::Smtp { pooled, fresh } => match attempt(pooled, envelope, &bytes).await {
                Ok(()) => Ok(()),
                Err(e) if e.permanent => Err(e),
                Err(first) => {
                    tracing::info!(error = %first.message, "SMTP send failed; retrying once on a fresh connection");
                    attempt(fresh, envelope, &bytes)
                        .await
                        .map_err(|second| SendError {
                            message: format!(
                                "{} (after retry; first: {})",
                                second.message, first.message
                            ),
                            ..second
                        })
                }
            },
        }
    }
}

/// Why a message was not sent, and whether trying again could help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// The server refused for good (a 5xx reply), or the message cannot be built (an address
    /// the mailer refuses): retrying sends nothing.
    pub permanent: bool,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl SendError {
    pub fn transient(message: String) -> Self {
        Self {
            message,
            permanent: false,
        }
    }

    pub fn permanent(message: String) -> Self {
        Self {
            message,
            permanent: true,
        }
    }
}

/// One send over `transport`.
async fn attempt(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    envelope: &Envelope,
    bytes: &[u8],
) -> Result<(), SendError> {
    match tokio::time::timeout(SEND_TIMEOUT, transport.send_raw(envelope, bytes)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(SendError {
            permanent: e.is_permanent(),
            message: e.to_string(),
        }),
        Err(_) => Err(SendError::transient(format!(
            "no answer from the SMTP server within {SEND_TIMEOUT:?}"
        ))),
    }
}
