//! The command line, shared by the `broadcast-server` binary and `groundwork broadcast`.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use crate::BroadcastSettings;
use crate::client::{self, ClientOptions};

/// Broadcast server: every message a client sends reaches every client in its room.
#[derive(clap::Subcommand, Debug)]
pub enum BroadcastCommand {
    /// Start the server.
    #[command(
        after_help = "Examples:\n  broadcast-server start\n  broadcast-server start --port 9000 --bind 0.0.0.0 --history 100\n  BROADCAST_TOKEN=s3cret broadcast-server start"
    )]
    Start(StartArgs),
    /// Connect to a server: type lines to send them; received lines are printed.
    #[command(
        after_help = "Examples:\n  broadcast-server connect --name alice\n  broadcast-server connect --url ws://chat.internal:8090 --room team --name bob\n  BROADCAST_TOKEN=s3cret broadcast-server connect"
    )]
    Connect(ConnectArgs),
}

/// `start` options.
#[derive(clap::Args, Debug)]
pub struct StartArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 8090)]
    pub port: u16,
    /// Address to listen on (0.0.0.0 for every interface).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Clients must present this token (prefer the environment variable: flags show in
    /// process listings).
    #[arg(long, env = "BROADCAST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Lines replayed to a client joining a room (0 turns history off).
    #[arg(long, default_value_t = 50)]
    pub history: usize,
    /// Connections held at once.
    #[arg(long, default_value_t = 100_000)]
    pub max_connections: usize,
    /// Connections held at once from one address.
    #[arg(long, default_value_t = 1_000)]
    pub max_connections_per_ip: usize,
    /// Largest message a client may send, in bytes.
    #[arg(long, default_value_t = 16 * 1024)]
    pub max_message_bytes: usize,
    /// Messages per second one client may send (bursts of twice that); faster clients
    /// are disconnected with close code 1008.
    #[arg(long, default_value_t = 10)]
    pub messages_per_second: u32,
    /// A page origin allowed to connect from a browser (repeatable); none: any origin.
    #[arg(long = "allowed-origin", value_name = "ORIGIN")]
    pub allowed_origins: Vec<String>,
}

/// `connect` options.
#[derive(clap::Args, Debug)]
pub struct ConnectArgs {
    /// The server's address.
    #[arg(long, default_value = "ws://127.0.0.1:8090")]
    pub url: String,
    /// Your name as others see it [default: $USER, else "anonymous"].
    #[arg(long)]
    pub name: Option<String>,
    /// The room to join [default: the server's, "lobby"].
    #[arg(long)]
    pub room: Option<String>,
    /// The server's token, if it needs one.
    #[arg(long, env = "BROADCAST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// Runs the command: exit code 0, or 1 with the error on stderr.
pub fn main(command: BroadcastCommand) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match command {
        BroadcastCommand::Start(args) => {
            let _logs = groundwork_platform::telemetry::init(
                groundwork_platform::telemetry::LogFormat::from_env(),
            );
            let address = SocketAddr::new(args.bind, args.port);
            let settings = args.into_settings();
            runtime.block_on(crate::server::start(address, settings))
        }
        BroadcastCommand::Connect(args) => runtime.block_on(async {
            let mut stdout = tokio::io::stdout();
            client::run(args.into_options(), &mut stdout).await
        }),
    };
    // Stdin is read on a blocking thread that may never return; do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

impl StartArgs {
    fn into_settings(self) -> BroadcastSettings {
        BroadcastSettings {
            token: self.token.filter(|t| !t.is_empty()),
            history: self.history,
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            allowed_origins: self.allowed_origins,
            max_message_bytes: self.max_message_bytes,
            messages_per_second: self.messages_per_second,
            ..BroadcastSettings::default()
        }
    }
}

impl ConnectArgs {
    fn into_options(self) -> ClientOptions {
        let name = self
            .name
            .or_else(|| std::env::var("USER").ok())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "anonymous".to_owned());
        ClientOptions {
            url: self.url,
            name,
            room: self.room,
            token: self.token.filter(|t| !t.is_empty()),
        }
    }
}
