//! The one error type of the domain layer. The api maps it to GraphQL `extensions.code` once,
//! at its edge; database constraint violations arrive here already turned into domain terms.

use sea_orm::DbErr;

use crate::db::constraints::{self, ViolationKind};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// The caller is known but may not do this (a department acting on another's item).
    #[error("{0}")]
    Forbidden(String),
    #[error("unexpected database error")]
    Database(#[source] DbErr),
}

impl DomainError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<DbErr> for DomainError {
    /// Named constraints become conflicts or validation errors on a field; anything else stays
    /// an unexpected database error, whose cause is logged and never shown to clients.
    fn from(err: DbErr) -> Self {
        match constraints::classify(&err) {
            Some(v) => match v.kind {
                ViolationKind::Unique | ViolationKind::ForeignKey => Self::Conflict {
                    field: v.field.to_owned(),
                    message: v.message.to_owned(),
                },
                ViolationKind::Check => Self::Validation {
                    field: v.field.to_owned(),
                    message: v.message.to_owned(),
                },
            },
            None => Self::Database(err),
        }
    }
}
