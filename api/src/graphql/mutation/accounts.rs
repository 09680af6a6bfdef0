//! Accounts: created, changed, disabled and enabled by administrators (管理员, the break-glass
//! token); each new account, and each reset, gets a one-time link to set a password. A change
//! that takes powers away ends the account's sessions and closes its WebSockets on every
//! replica.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use domain::{
    Settings,
    account::{DisplayName, Login, Role},
    email::EmailAddress,
    store::account::{self, AccountChanges, NewAccount, links::IssuedLink},
};
use sea_orm::DatabaseConnection;

use super::{change_by_viewer, id_arg};
use crate::graphql::{
    auth,
    error::{to_graphql, under},
    events::{Revocations, Revoked},
    ids::Kind,
    types::{Account, AccountRole},
};

#[derive(Default)]
pub struct AccountMutation;

/// A new account.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// What the person signs in with: 2 to 64 letters, digits, `.`, `_`, `-`, `@`.
    pub login: String,
    /// How the pages and the audit trail name the person (张三).
    pub name: String,
    pub role: AccountRole,
    /// The department of a liaison (required for `LIAISON`, refused for the others).
    pub department_id: Option<ID>,
    pub email: Option<String>,
}

/// What changes on an account; a field left out stays as it is.
#[derive(InputObject, Default)]
pub struct UpdateAccountInput {
    pub name: Option<String>,
    pub role: Option<AccountRole>,
    pub department_id: Option<ID>,
    /// `null` removes the address.
    pub email: MaybeUndefined<String>,
}

/// A one-time link to set a password. `url` holds the secret: it is shown here once and
/// stored nowhere; hand it to the person, or have it mailed instead (`mailPasswordLink`).
pub struct PasswordLink {
    account: Account,
    url: String,
    expires_at: DateTime<Utc>,
}

#[Object]
impl PasswordLink {
    async fn account(&self) -> &Account {
        &self.account
    }

    /// `{MINSHENG_PUBLIC_URL}/#/password/{secret}`: opens the page that sets the password.
    async fn url(&self) -> &str {
        &self.url
    }

    async fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

/// A password link the worker will mail: it makes the link when it sends (within a minute
/// while it runs), so the link is in the email only and its hours count from then.
pub struct PasswordMail {
    account: Account,
    to: String,
    requested_at: DateTime<Utc>,
}

#[Object]
impl PasswordMail {
    async fn account(&self) -> &Account {
        &self.account
    }

    /// The account's email address, where the link goes.
    async fn to(&self) -> &str {
        &self.to
    }

    async fn requested_at(&self) -> DateTime<Utc> {
        self.requested_at
    }
}

fn password_link(
    ctx: &Context<'_>,
    account: account::Account,
    link: IssuedLink,
) -> Result<PasswordLink> {
    let settings = ctx.data::<Arc<Settings>>()?;
    Ok(PasswordLink {
        account: Account(account),
        url: link.url(&settings.public_base()),
        expires_at: link.expires_at,
    })
}

fn email(text: Option<&str>, field: &str) -> Result<Option<EmailAddress>> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            EmailAddress::parse(t)
                .map_err(|m| to_graphql(domain::DomainError::validation(field, m)))
        })
        .transpose()
}

async fn revoke_sessions(ctx: &Context<'_>, account_id: i64) {
    if let Ok(revocations) = ctx.data::<Revocations>() {
        revocations.publish(Revoked::Account { account_id }).await;
    }
}

#[Object]
impl AccountMutation {
    /// Creates an account and returns its invitation: a one-time link, valid for
    /// `MINSHENG_PASSWORD_LINK_HOURS`, where the person sets a password.
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> Result<PasswordLink> {
        auth::require_account_admin(ctx)?;
        let change = change_by_viewer(ctx)?;
        let new = NewAccount {
            login: Login::parse(&input.login).map_err(|e| to_graphql(under("input", e)))?,
            name: DisplayName::parse(&input.name).map_err(|e| to_graphql(under("input", e)))?,
            role: input.role.into(),
            department_id: input
                .department_id
                .as_ref()
                .map(|id| id_arg(Kind::Department, id, "input.departmentId"))
                .transpose()?,
            email: email(input.email.as_deref(), "input.email")?,
        };
        let settings = ctx.data::<Arc<Settings>>()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let (account, link) = account::create(db, new, settings.accounts.password_link, &change)
            .await
            .map_err(|e| to_graphql(under("input", e)))?;
        password_link(ctx, account, link)
    }

    /// Changes an account. A new role or department ends its sessions (the person signs in
    /// again with the new powers).
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAccountInput,
    ) -> Result<Account> {
        auth::require_account_admin(ctx)?;
        let change = change_by_viewer(ctx)?;
        let id = id_arg(Kind::Account, &id, "id")?;
        let changes = AccountChanges {
            name: input
                .name
                .as_deref()
                .map(DisplayName::parse)
                .transpose()
                .map_err(|e| to_graphql(under("input", e)))?,
            role: input.role.map(Role::from),
            department_id: input
                .department_id
                .as_ref()
                .map(|d| id_arg(Kind::Department, d, "input.departmentId"))
                .transpose()?,
            email: match &input.email {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(text) => Some(email(Some(text), "input.email")?),
            },
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let updated = account::update(db, id, changes, &change)
            .await
            .map_err(|e| to_graphql(under("input", e)))?;
        if updated.ended_sessions {
            revoke_sessions(ctx, id).await;
        }
        Ok(Account(updated.account))
    }

    /// Disables an account: its sessions end and its WebSockets close, on every replica.
    async fn disable_account(&self, ctx: &Context<'_>, id: ID) -> Result<Account> {
        self.set_disabled(ctx, id, true).await
    }

    /// Enables a disabled account (the person signs in again).
    async fn enable_account(&self, ctx: &Context<'_>, id: ID) -> Result<Account> {
        self.set_disabled(ctx, id, false).await
    }

    /// A new one-time link to set the password (a reset, or a new invitation); earlier links of
    /// the account stop working. Using it ends the account's sessions.
    async fn send_password_link(&self, ctx: &Context<'_>, id: ID) -> Result<PasswordLink> {
        auth::require_account_admin(ctx)?;
        let change = change_by_viewer(ctx)?;
        let id = id_arg(Kind::Account, &id, "id")?;
        let settings = ctx.data::<Arc<Settings>>()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let (account, link) =
            account::links::reissue(db, id, settings.accounts.password_link, &change)
                .await
                .map_err(to_graphql)?;
        password_link(ctx, account, link)
    }

    /// Mails the account a new one-time link to set its password (a reset, or an invitation),
    /// through the worker's mailer, to the account's email. A pending earlier request is
    /// replaced; the new link, once sent, stops earlier ones working. `VALIDATION` (field `id`)
    /// for an account without an email, or a disabled one.
    async fn mail_password_link(&self, ctx: &Context<'_>, id: ID) -> Result<PasswordMail> {
        auth::require_account_admin(ctx)?;
        let change = change_by_viewer(ctx)?;
        let id = id_arg(Kind::Account, &id, "id")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let (account, requested) = account::mail::request(db, id, "id", &change)
            .await
            .map_err(to_graphql)?;
        Ok(PasswordMail {
            account: Account(account),
            to: requested.to,
            requested_at: requested.requested_at,
        })
    }
}

impl AccountMutation {
    async fn set_disabled(&self, ctx: &Context<'_>, id: ID, disabled: bool) -> Result<Account> {
        auth::require_account_admin(ctx)?;
        let change = change_by_viewer(ctx)?;
        let id = id_arg(Kind::Account, &id, "id")?;
        if disabled
            && let auth::Viewer::Person(me) = auth::viewer(ctx)
            && me.account_id == id
        {
            return Err(to_graphql(domain::DomainError::validation(
                "id",
                "不能停用自己的账号",
            )));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let account = account::set_disabled(db, id, disabled, &change)
            .await
            .map_err(to_graphql)?;
        if disabled {
            revoke_sessions(ctx, id).await;
        }
        Ok(Account(account))
    }
}
