//! `AuditEvent`: one entry of the audit trail (administrators only).

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, InputObject, Json, Object, Result, connection::Connection};
use chrono::{DateTime, Utc};
use domain::store::audit::RecordKind;
use domain::{DomainError, model, store::audit};
use sea_orm::DatabaseConnection;

use super::department::id_position;
use crate::graphql::{
    connection::{self, PageArgs},
    error::to_graphql,
    ids,
    loaders::{DepartmentKey, load_one},
};

#[derive(Clone)]
pub struct AuditEvent(pub model::AuditEvent);

/// Who did what to which record, and when.
#[Object]
impl AuditEvent {
    async fn id(&self) -> ID {
        ids::encode(Kind::AuditEvent, self.0.id)
    }

    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// `account:3`, `admin` (the break-glass token), `department:12`, `cli`, `worker`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// Who that was, in words: the person's name as it was then (张三), a department token's
    /// department, 应急令牌 for the break-glass token, 命令行 for the command line, 系统 for the
    /// worker.
    async fn actor_name(&self, ctx: &Context<'_>) -> Result<String> {
        if let Some(name) = &self.0.actor_name {
            return Ok(name.clone());
        }
        let key = self.0.actor.as_str();
        if let Some(id) = key
            .strip_prefix("department:")
            .and_then(|id| id.parse::<i64>().ok())
        {
            let department = load_one(ctx, DepartmentKey(id)).await?;
            return Ok(department.map_or_else(|| "已删除的部门".to_owned(), |d| d.name));
        }
        Ok(match key {
            "admin" => audit::BREAK_GLASS_NAME,
            "cli" => "命令行",
            "worker" => "系统",
            "sample" => "示例数据",
            "anonymous" => "匿名",
            other => other,
        }
        .to_owned())
    }

    /// The person's role then, for events by a person (null for tokens and processes).
    async fn actor_role(&self) -> Option<super::AccountRole> {
        self.0.actor_role.map(Into::into)
    }

    /// `item.create`, `item.report_progress`, `department.merge`, …
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The kind of record: `item`, `department`, `project_list`, …
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }

    /// The record's global ID, where it is a kind the graph has.
    async fn entity_id(&self) -> Option<ID> {
        let kind = match RecordKind::parse(&self.0.entity_type)? {
            RecordKind::Item => Kind::Item,
            RecordKind::Department => Kind::Department,
            RecordKind::ProjectList => Kind::ProjectList,
            RecordKind::Contact => Kind::Contact,
            RecordKind::DepartmentToken => Kind::DepartmentToken,
            RecordKind::Account => Kind::Account,
        };
        self.0.entity_id.map(|id| ids::encode(kind, id))
    }

    /// What changed, as recorded.
    async fn payload(&self) -> Json<serde_json::Value> {
        Json(self.0.payload.clone())
    }
}

/// Which audit events.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AuditFilter {
    /// Events about this item.
    pub item_id: Option<ID>,
    /// Events about this department.
    pub department_id: Option<ID>,
    pub action: Option<String>,
    pub actor: Option<String>,
}

impl AuditFilter {
    pub fn to_domain(&self, path: &str) -> Result<audit::AuditFilter, DomainError> {
        let entity = match (&self.item_id, &self.department_id) {
            (Some(_), Some(_)) => {
                return Err(DomainError::validation(
                    format!("{path}.departmentId"),
                    "give itemId or departmentId, not both",
                ));
            }
            (Some(id), None) => Some((
                RecordKind::Item,
                ids::decode(Kind::Item, id, &format!("{path}.itemId"))?,
            )),
            (None, Some(id)) => Some((
                RecordKind::Department,
                ids::decode(Kind::Department, id, &format!("{path}.departmentId"))?,
            )),
            (None, None) => None,
        };
        // Free text compared in SQL: PostgreSQL refuses a NUL in it (that was INTERNAL).
        for (name, value) in [("action", &self.action), ("actor", &self.actor)] {
            if let Some(value) = value {
                domain::text::check_one_line(value)
                    .map_err(|m| DomainError::validation(format!("{path}.{name}"), m))?;
            }
        }
        Ok(audit::AuditFilter {
            entity,
            action: self.action.clone(),
            actor: self.actor.clone(),
        })
    }
}

/// The audit trail, newest first.
pub async fn audit_connection(
    ctx: &Context<'_>,
    filter: audit::AuditFilter,
    args: PageArgs,
) -> Result<Connection<String, AuditEvent>> {
    const KIND: &str = "audit";
    let db = ctx.data::<DatabaseConnection>()?;
    let request = args
        .request(|c, field| id_position(KIND, c, field))
        .map_err(to_graphql)?;
    let page = audit::page(db, &filter, &request)
        .await
        .map_err(to_graphql)?;
    Ok(connection::build(
        &request,
        page,
        |e| ids::cursor(KIND, &e.id.to_string(), e.id),
        AuditEvent,
        async_graphql::connection::EmptyFields,
    ))
}
