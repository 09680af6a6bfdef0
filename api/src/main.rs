//! `api [serve] [--migrate]` serves the GraphQL API; `api import`, `api export`, `api alias`,
//! `api account` and `api schema` are the admin's commands. Everything here parses arguments and calls the library.

use std::process::ExitCode;

use api::commands::{
    account::{self, AccountCommand},
    alias::{self, AliasCommand},
    export::{self, ExportArgs},
    import::{self, ImportArgs},
};
use chrono::Utc;
use clap::{Parser, Subcommand};
use domain::{Settings, telemetry};

/// A GraphQL response is many small allocations; mimalloc serves them faster than glibc's
/// allocator (measured by `bench/graph`, see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(version, about = "minsheng's GraphQL API and admin commands")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Apply pending migrations on start (always done for the embedded SQLite database).
    #[arg(long)]
    migrate: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve POST /graphql, GraphiQL on GET /graphql, /healthz and /readyz (the default).
    Serve {
        #[arg(long)]
        migrate: bool,
    },
    /// Import a published list from a text file (see --help).
    Import(ImportArgs),
    /// Write a list's 台账 (ledger of items) as .xlsx or .csv.
    Export(ExportArgs),
    /// Keep department aliases (other printed names of a department).
    #[command(subcommand)]
    Alias(AliasCommand),
    /// Keep people's accounts: `account add --name 张三 --login zhangsan --role admin` prints
    /// the link where the person sets a password.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Print the GraphQL schema (SDL).
    Schema,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Schema) => {
            print!("{}", api::graphql::sdl());
            Ok(())
        }
        Some(Command::Import(args)) => {
            telemetry::init("warn");
            import::run(&args, Utc::now()).await
        }
        Some(Command::Export(args)) => {
            telemetry::init("warn");
            export::run(&args, Utc::now()).await
        }
        Some(Command::Alias(command)) => {
            telemetry::init("warn");
            alias::run(&command, Utc::now()).await
        }
        Some(Command::Account(command)) => {
            telemetry::init("warn");
            account::run(&command, Utc::now()).await
        }
        Some(Command::Serve { migrate }) => serve(cli.migrate || migrate).await,
        None => serve(cli.migrate).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Also to stderr as plain text: import and alias log only warnings.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(migrate: bool) -> anyhow::Result<()> {
    telemetry::init("info");
    let settings = Settings::load()?;
    tracing::info!(database = %settings.database_url, timezone = %settings.timezone, "starting api");
    let options = api::StartOptions::for_settings(&settings, migrate);
    let app = api::Application::build(&settings, options).await?;
    for off in settings.features_off(domain::config::Binary::Api) {
        tracing::warn!("{off}");
    }
    tracing::info!(
        "listening on http://{}/graphql (GraphiQL on GET)",
        app.address()
    );
    if settings.graph.web {
        let board = match &settings.supervision.public_url {
            Some(url) => url.as_str().to_owned(),
            None => format!("http://{}/", app.address()),
        };
        tracing::info!("the board (总览) and the sign-in page (登录): {board}");
    }
    app.run_until_stopped(domain::shutdown::signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
