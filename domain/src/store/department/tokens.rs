//! Bearer tokens for departments. A token is 32 random bytes from the operating system; only
//! its SHA-256 digest is stored, so the secret is shown once, when it is issued, and a copy of
//! the database authenticates nobody.

use crate::store::audit::{Action, RecordKind};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::DomainError;
use crate::store::{sha256_hex, unit_of_work::Change};
use entity::{department, department_token};

/// Every department token starts so, which tells it apart from the administrator's token.
pub const TOKEN_PREFIX: &str = "mst_";

/// A token as administrators see it: never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentToken {
    pub id: i64,
    pub department_id: i64,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<department_token::Model> for DepartmentToken {
    fn from(m: department_token::Model) -> Self {
        Self {
            id: m.id,
            department_id: m.department_id,
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A newly issued token and its secret, which is not kept anywhere.
pub struct IssuedToken {
    pub token: DepartmentToken,
    pub secret: String,
}

fn new_secret() -> Result<String, DomainError> {
    crate::store::random_secret(TOKEN_PREFIX)
}

/// Issues a token that acts for `department_id`.
pub async fn issue(
    db: &DatabaseConnection,
    department_id: i64,
    change: &Change,
) -> Result<IssuedToken, DomainError> {
    let secret = new_secret()?;
    let txn = crate::db::begin_write(db).await?;
    department::Entity::find_by_id(department_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "Department",
            id: department_id.to_string(),
        })?;
    let row = department_token::ActiveModel {
        department_id: Set(department_id),
        token_sha256: Set(sha256_hex(&secret)),
        created_at: Set(change.now),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    change
        .commit(
            txn,
            Action::TokenIssue,
            (RecordKind::DepartmentToken, Some(row.id)),
            json!({ "department_id": department_id }),
        )
        .await?;
    Ok(IssuedToken {
        token: row.into(),
        secret,
    })
}

/// Revokes a token; revoking it again changes nothing and keeps the first time.
pub async fn revoke(
    db: &DatabaseConnection,
    token_id: i64,
    change: &Change,
) -> Result<DepartmentToken, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = department_token::Entity::find_by_id(token_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "DepartmentToken",
            id: token_id.to_string(),
        })?;
    if row.revoked_at.is_some() {
        return Ok(row.into());
    }
    let mut active = row.into_active_model();
    active.revoked_at = Set(Some(change.now));
    let row = active.update(&txn).await?;
    change
        .commit(
            txn,
            Action::TokenRevoke,
            (RecordKind::DepartmentToken, Some(row.id)),
            json!({ "department_id": row.department_id }),
        )
        .await?;
    Ok(row.into())
}

/// The department a presented secret acts for, if it is a token we issued and did not revoke.
///
/// The lookup is by digest: timing can at most tell an attacker about a digest, never about a
/// secret, and the secrets carry 256 random bits.
pub async fn department_of<C: ConnectionTrait>(
    db: &C,
    secret: &str,
) -> Result<Option<i64>, DomainError> {
    Ok(active(db, secret).await?.map(|t| t.department_id))
}

/// The token a presented secret is, if we issued it and did not revoke it.
pub async fn active<C: ConnectionTrait>(
    db: &C,
    secret: &str,
) -> Result<Option<DepartmentToken>, DomainError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    Ok(department_token::Entity::find()
        .filter(department_token::Column::TokenSha256.eq(sha256_hex(secret)))
        .filter(department_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .map(Into::into))
}

/// The tokens issued to a department, newest first.
pub async fn of_department<C: ConnectionTrait>(
    db: &C,
    department_id: i64,
) -> Result<Vec<DepartmentToken>, DomainError> {
    Ok(department_token::Entity::find()
        .filter(department_token::Column::DepartmentId.eq(department_id))
        .order_by_desc(department_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_url_safe() {
        let a = new_secret().expect("random bytes");
        let b = new_secret().expect("random bytes");
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        // 32 bytes in unpadded base64url.
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert!(
            a[TOKEN_PREFIX.len()..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
