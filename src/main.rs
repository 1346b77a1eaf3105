//! `infograph`: the server and its admin commands. Configuration comes from the environment
//! (see docs/configuration.md); this file only parses the command line and calls into the `app`
//! crate.

use anyhow::{anyhow, Context};
use app::server::accounts::users;
use app::server::billing::ledger;
use app::server::platform::{config::Config, db};
use app::startup::{self, Application};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "infograph", version, about = "Prompt (and blog post) to AI infographic")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and the REST API, drawing with fal.ai (FAL_KEY) or the built-in emulator
    /// (FAL_EMULATOR=true; one of the two is required). The default.
    /// Settings come from the environment; `infograph serve --help` lists them, and each can
    /// also be given as a flag here.
    #[command(disable_help_flag = true)]
    Serve {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        settings: Vec<String>,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Adjust a balance by hand (recorded on the ledger).
    Credits {
        #[command(subcommand)]
        command: CreditsCommand,
    },
    /// Copy the SQLite database (DATABASE_URL) to PATH while the server runs: a checked snapshot,
    /// never over an existing file. Stored images are files to copy separately (docs/operating.md).
    Backup { path: std::path::PathBuf },
    /// Print the reader-view extraction of a saved page as JSON (what the pipeline reads).
    Extract {
        #[arg(long)]
        file: std::path::PathBuf,
        /// The page's address, to resolve relative links.
        #[arg(long)]
        url: Option<String>,
    },
    /// Run only the fal-compatible emulator (point FAL_QUEUE_URL and FAL_JWKS_URL at it, and give
    /// the apps its key as FAL_KEY).
    FalEmulator {
        #[arg(long, default_value = "127.0.0.1:3900")]
        addr: SocketAddr,
        /// The `Authorization: Key …` it serves; required, or it would run jobs and post signed
        /// webhooks to any address for anyone who can reach it.
        #[arg(long, env = "FAL_EMULATOR_KEY", hide_env_values = true)]
        key: Option<String>,
        /// How long each emulated job takes (default: FAL_EMULATOR_DELAY_MS or 4000).
        #[arg(long, env = "FAL_EMULATOR_DELAY_MS", default_value_t = 4000)]
        delay_ms: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account.
    Add {
        email: String,
        /// Prompted for on standard input when omitted (and without --generate-password).
        #[arg(long, conflicts_with = "generate_password")]
        password: Option<String>,
        /// Make a random password and print it once; nothing stores it in plain text.
        #[arg(long)]
        generate_password: bool,
        #[arg(long)]
        credits: Option<i64>,
        #[arg(long)]
        admin: bool,
        /// Succeed without changes when the account already exists.
        #[arg(long)]
        if_missing: bool,
    },
}

#[derive(Subcommand)]
enum CreditsCommand {
    /// Add N credits (negative to remove) to EMAIL.
    Grant {
        email: String,
        #[arg(allow_hyphen_values = true)]
        amount: i64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    startup::init_tracing();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve { settings: Vec::new() }) {
        Command::Serve { settings } => {
            let config = Config::from_env_and_args(settings)?;
            let app = Application::build(config).await?;
            println!("Infograph is running on {}", app.base_url);
            app.run_until_stopped().await;
        }
        Command::Extract { file, url } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let html = app::server::blog::fetch::decode_html(&bytes, "text/html");
            let article = app::server::blog::extract::extract(&html, url.as_deref())
                .with_context(|| format!("reading {}", file.display()))?;
            println!("{}", serde_json::to_string_pretty(&article)?);
        }
        Command::FalEmulator { addr, delay_ms, key } => {
            let key = key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).ok_or_else(|| {
                anyhow!("the emulator needs a key: pass --key KEY or set FAL_EMULATOR_KEY (the apps use it as FAL_KEY); without one it would relay signed webhooks for anyone")
            })?;
            startup::serve_emulator(addr, Duration::from_millis(delay_ms), key).await?;
        }
        Command::User { command: UserCommand::Add { email, password, generate_password, credits, admin, if_missing } } => {
            let config = Config::from_env()?;
            let db = open_db(&config).await?;
            if if_missing && users::by_email(&db, &email.trim().to_lowercase()).await?.is_some() {
                println!("{email} already exists");
                return Ok(());
            }
            let password = match (password, generate_password) {
                (Some(p), _) => p,
                (None, true) => random_password(),
                (None, false) => read_password()?,
            };
            let credits = credits.unwrap_or(config.signup_credits);
            let user = users::register(&db, &email, &password, credits, admin)
                .await
                .map_err(|e| anyhow!("{e}{}", e.field("email").or(e.field("password")).map(|f| format!(" ({f})")).unwrap_or_default()))?;
            println!("created {} with {} credits{}", user.email, user.credit_balance, if admin { " (admin)" } else { "" });
            if generate_password {
                println!("  password: {password}  (shown once; only its hash is stored)");
            }
        }
        Command::Backup { path } => {
            let config = Config::from_env()?;
            let report = app::server::platform::backup::backup(&config.database_url, &path).await.map_err(|e| anyhow!("no backup written: {e}"))?;
            println!("{report}");
            println!("{}", images_reminder(&config));
        }
        Command::Credits { command: CreditsCommand::Grant { email, amount } } => {
            let config = Config::from_env()?;
            let db = open_db(&config).await?;
            let user = users::by_email(&db, &email.trim().to_lowercase())
                .await?
                .ok_or_else(|| anyhow!("no account with email {email}"))?;
            let balance = ledger::adjust(&db, &user.id, amount, "cli").await.map_err(|e| anyhow!("{e}"))?;
            println!("{} now has {balance} credits", user.email);
        }
    }
    Ok(())
}

/// What the database copy leaves out: the stored images live outside it.
fn images_reminder(config: &Config) -> String {
    match &config.storage.url {
        Some(url) => format!("stored images are not in this copy: they are in {url}; back that bucket up with its own tools (versioning, replication)"),
        None => {
            let images = config.data_dir().join("images");
            format!(
                "stored images are not in this copy: copy {dir} too, after this command (e.g. rsync -a {dir}/ BACKUP_DIR/images/); \
                 they are written once and never changed, so a plain file copy is consistent",
                dir = images.display()
            )
        }
    }
}

async fn open_db(config: &Config) -> anyhow::Result<db::Db> {
    let db = db::Db::connect(&config.database_url).await.context("opening the database")?;
    db.migrate().await.context("running migrations")?;
    Ok(db)
}

/// 20 characters from 120 random bits, URL-safe.
fn random_password() -> String {
    app::server::accounts::secrets::random_token("").chars().take(20).collect()
}

fn read_password() -> anyhow::Result<String> {
    eprint!("password: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
