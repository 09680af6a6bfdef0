//! `api account add|list|link`: the administrator's first account, and the way back in when
//! every administrator forgot their password. A password never goes on the command line: each
//! command that needs one prints a one-time link where the person sets it.

use chrono::{DateTime, Utc};
use domain::{
    Settings,
    account::{DisplayName, Login, RoleRules, parse_role},
    db,
    email::EmailAddress,
    store::{
        account::{self, NewAccount},
        audit::Actor,
        department::DepartmentResolver,
        unit_of_work::Change,
    },
};

#[derive(Debug, clap::Subcommand)]
pub enum AccountCommand {
    /// Create an account and print the one-time link where its person sets a password.
    Add {
        /// How the pages and the audit trail name the person (张三).
        #[arg(long)]
        name: String,
        /// What the person signs in with (letters, digits, . _ - @).
        #[arg(long)]
        login: String,
        /// admin (管理员), clerk (督查员), leader (领导) or liaison (联络员).
        #[arg(long)]
        role: String,
        /// A liaison's department, by name or alias.
        #[arg(long)]
        department: Option<String>,
        /// Where password links may be mailed.
        #[arg(long)]
        email: Option<String>,
    },
    /// List every account.
    List,
    /// Print a new one-time link to set LOGIN's password (earlier links stop working).
    Link { login: String },
}

pub async fn run(command: &AccountCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let db = db::open_configured(&settings, false, db::PoolOptions::default()).await?;
    let change = Change {
        actor: Actor::system("cli"),
        now,
    };
    let hours = settings.accounts.password_link.num_hours();
    match command {
        AccountCommand::Add {
            name,
            login,
            role,
            department,
            email,
        } => {
            let department_id = match department {
                None => None,
                Some(text) => {
                    let parsed = domain::department::DepartmentName::parse(text)
                        .map_err(|m| anyhow::anyhow!("--department: {m}"))?;
                    let resolver = DepartmentResolver::load(&db).await?;
                    Some(resolver.find(&parsed).ok_or_else(|| {
                        anyhow::anyhow!("--department: no department is called {text}")
                    })?)
                }
            };
            let new = NewAccount {
                login: Login::parse(login).map_err(|e| anyhow::anyhow!("--{e}"))?,
                name: DisplayName::parse(name).map_err(|e| anyhow::anyhow!("--{e}"))?,
                role: parse_role(role).map_err(|e| anyhow::anyhow!("--{e}"))?,
                department_id,
                email: email
                    .as_deref()
                    .map(EmailAddress::parse)
                    .transpose()
                    .map_err(|m| anyhow::anyhow!("--email: {m}"))?,
            };
            let (account, link) =
                account::create(&db, new, settings.accounts.password_link, &change)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created {} ({}, {}); the password is set at this link, once, within {hours} hours:",
                account.login,
                account.name,
                account.role.label()
            );
            println!("{}", link.url(&settings.public_base()));
        }
        AccountCommand::List => {
            for a in account::all(&db).await? {
                println!(
                    "{}\t{}\t{}{}{}",
                    a.login,
                    a.name,
                    a.role.cli_name(),
                    if a.has_password {
                        ""
                    } else {
                        "\t(no password yet)"
                    },
                    if a.disabled_at.is_some() {
                        "\t(disabled)"
                    } else {
                        ""
                    },
                );
            }
        }
        AccountCommand::Link { login } => {
            let login = Login::parse(login).map_err(|e| anyhow::anyhow!("{e}"))?;
            let found = account::by_login(&db, &login)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account signs in as {}", login.as_str()))?;
            let (_, link) =
                account::links::reissue(&db, found.id, settings.accounts.password_link, &change)
                    .await?;
            println!(
                "the password of {} is set at this link, once, within {hours} hours:",
                found.login
            );
            println!("{}", link.url(&settings.public_base()));
        }
    }
    db.close().await?;
    Ok(())
}
