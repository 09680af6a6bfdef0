//! `api alias add ALIAS DEPARTMENT` and `api alias list`: aliases are data the admin keeps.

use chrono::{DateTime, Utc};
use domain::store::audit::{Action, RecordKind};
use domain::{
    Settings, db,
    department::DepartmentName,
    store::{
        audit::{self, Actor},
        department,
    },
};

#[derive(Debug, clap::Subcommand)]
pub enum AliasCommand {
    /// Make ALIAS another name of DEPARTMENT (its canonical name or an existing alias).
    Add { alias: String, department: String },
    /// List every alias and its department.
    List,
}

pub async fn run(command: &AliasCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let db = db::open_configured(&settings, false, db::PoolOptions::default()).await?;
    match command {
        AliasCommand::Add { alias, department } => {
            let alias = DepartmentName::parse(alias).map_err(|m| anyhow::anyhow!("alias: {m}"))?;
            let department = DepartmentName::parse(department)
                .map_err(|m| anyhow::anyhow!("department: {m}"))?;
            let txn = domain::db::begin_write(&db).await?;
            let added = department::add_alias(&txn, &alias, &department, now).await?;
            audit::record(
                &txn,
                &Actor::system("cli"),
                Action::DepartmentAliasAdd,
                (RecordKind::Department, None),
                serde_json::json!({ "alias": added.alias, "department": added.department }),
                now,
            )
            .await?;
            txn.commit().await?;
            println!("{} → {}", added.alias, added.department);
        }
        AliasCommand::List => {
            for a in department::aliases(&db).await? {
                println!("{} → {}", a.alias, a.department);
            }
        }
    }
    db.close().await?;
    Ok(())
}
