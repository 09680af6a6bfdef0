//! `api [serve] [--migrate]` serves the GraphQL API; `api schema` prints its SDL.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use domain::{Settings, telemetry};

#[derive(Parser)]
#[command(version, about = "minsheng's GraphQL API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Apply pending migrations on start (always done for the embedded SQLite database).
    #[arg(long, global = true)]
    migrate: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve POST /graphql, GraphiQL on GET /graphql, /healthz and /readyz (the default).
    Serve,
    /// Print the GraphQL schema (SDL).
    Schema,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema) = cli.command {
        print!("{}", api::graphql::sdl());
        return ExitCode::SUCCESS;
    }
    telemetry::init("info");
    match serve(cli.migrate).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(migrate: bool) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    tracing::info!(database = %settings.database_url, timezone = %settings.timezone, "starting api");
    let app = api::Application::build(&settings, migrate).await?;
    tracing::info!(
        "listening on http://{}/graphql (GraphiQL on GET)",
        app.address()
    );
    app.run_until_stopped(domain::shutdown::signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
