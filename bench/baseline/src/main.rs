//! `bare-hello [ADDR]`: the same `/hello` document as `groundwork serve`, from a plain axum
//! handler with no middleware at all. `bench/hello.sh` measures both in one run; the
//! ratio is what the Groundwork stack costs.

use serde::Serialize;

#[derive(Serialize)]
struct Hello {
    message: &'static str,
    service: &'static str,
    version: &'static str,
}

async fn hello() -> axum::Json<Hello> {
    axum::Json(Hello {
        message: "Hello, world!",
        service: "groundwork",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let app = axum::Router::new().route("/hello", axum::routing::get(hello));
    axum::serve(listener, app).await
}
