//! `fault-proxy --upstream URL [--delay-ms N]`: the tests' fault proxy as a
//! program, for `just bench` (every call delayed by N ms). Prints its address,
//! then serves until its standard input closes.

// The tests use the rest of the module.
#[allow(dead_code)]
#[path = "fault_proxy.rs"]
mod fault_proxy;

use std::io::Read;
use std::time::Duration;

use fault_proxy::{Fault, Proxy, Rule};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let Some(upstream) = value("--upstream") else {
        eprintln!("usage: fault-proxy --upstream http://127.0.0.1:PORT [--delay-ms N]");
        std::process::exit(2);
    };
    let delay = value("--delay-ms").map(|ms| ms.parse().expect("--delay-ms takes milliseconds"));
    let rules = delay.map(|ms| Rule::new(Fault::Delay(Duration::from_millis(ms)), 1.0)).into_iter().collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    println!("fault-proxy listening on http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(Proxy::new(upstream, rules).serve(listener));
    tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await.ok();
}
