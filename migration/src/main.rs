//! The admin CLI: `cargo run -p migration -- up|down|status|fresh|refresh|reset`.
//!
//! The database comes from `--database-url`, else `DATABASE_URL`, else the embedded SQLite file
//! that the api uses by default.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use migration::{DEFAULT_DATABASE_URL, Migrator, MigratorTrait};
use std::time::Duration;

use sea_orm_migration::{
    MigrationStatus,
    sea_orm::{ConnectOptions, Database},
};

#[derive(Parser)]
#[command(
    version,
    about = "Apply, roll back and inspect minsheng's schema migrations"
)]
struct Cli {
    /// Database URL (postgres://... or sqlite://file.db?mode=rwc).
    #[arg(short = 'u', long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations (all, or the next N).
    Up {
        #[arg(short, long)]
        num: Option<u32>,
    },
    /// Roll back applied migrations (the last one, or the last N).
    Down {
        #[arg(short, long, default_value_t = 1)]
        num: u32,
    },
    /// List every migration as applied or pending.
    Status,
    /// Drop every table, then apply all migrations.
    Fresh,
    /// Roll back all applied migrations, then apply them all again.
    Refresh,
    /// Roll back all applied migrations.
    Reset,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let shown_url = redact(&cli.database_url);
    let mut options = ConnectOptions::new(&cli.database_url);
    // An admin waiting on an unreachable server should hear about it soon.
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .map_err(|e| format!("cannot connect to {shown_url}: {e}"))?;
    let failed = |what: &'static str| {
        let shown_url = &shown_url;
        move |e: sea_orm_migration::DbErr| format!("{what} failed on {shown_url}: {e}")
    };
    match cli.command.unwrap_or(Command::Up { num: None }) {
        Command::Up { num } => Migrator::up(&db, num).await.map_err(failed("up"))?,
        Command::Down { num } => Migrator::down(&db, Some(num))
            .await
            .map_err(failed("down"))?,
        Command::Fresh => Migrator::fresh(&db).await.map_err(failed("fresh"))?,
        Command::Refresh => Migrator::refresh(&db).await.map_err(failed("refresh"))?,
        Command::Reset => Migrator::reset(&db).await.map_err(failed("reset"))?,
        Command::Status => {}
    }
    let migrations = Migrator::get_migration_with_status(&db)
        .await
        .map_err(failed("status"))?;
    println!("{shown_url}");
    for migration in &migrations {
        let status = match migration.status() {
            MigrationStatus::Applied => "applied",
            MigrationStatus::Pending => "pending",
        };
        println!("  {status:<8} {}", migration.name());
    }
    Ok(())
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}
