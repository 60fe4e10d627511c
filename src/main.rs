//! The `pizza-factory` command: parses the command line and starts what it names.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::Parser;
use pizza_factory::clock::SystemClock;
use pizza_factory::config::{Cli, Command};
use pizza_factory::random::Draws;
use pizza_factory::startup::Application;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // A drill prints reports; the factory it runs in process should not talk over them.
    let quiet = matches!(cli.command, Some(Command::Drill(_)));
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(if quiet { "warn" } else { "info" }))
        // The PostgreSQL driver logs query parameters (fix codes, signing keys) at debug level.
        .filter_module("tokio_postgres", log::LevelFilter::Info)
        // Colour only on a terminal: stripping it again for a file costs every access line.
        .write_style(if std::io::stderr().is_terminal() {
            env_logger::WriteStyle::Auto
        } else {
            env_logger::WriteStyle::Never
        })
        .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Probe => {
            if pizza_factory::probe::healthy(&cli.config.host, cli.config.port) {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::FAILURE
            }
        }
        Command::Drill(args) => pizza_factory::drill::command(&args, &cli.config).await,
        Command::Serve => {
            let draws = Arc::new(cli.config.seed.map_or_else(Draws::from_os, Draws::seeded));
            let app = match Application::build(cli.config, Arc::new(SystemClock), draws).await {
                Ok(app) => app,
                Err(e) => {
                    log::error!("cannot start: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            match app.run_until_signalled().await {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    log::error!("server error: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    }
}
