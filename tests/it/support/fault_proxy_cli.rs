//! `fault-proxy --upstream URL [--delay-ms N] [--rate N] [--expire-s N]`:
//! the tests' fault proxy as a program, for `just bench`: every call delayed
//! by N ms; a token bucket of N calls/s per service and caller; AssumeRole
//! sessions that expire after N s. Prints its address, serves until its
//! standard input closes, then prints what it counted as one JSON line.

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
        eprintln!(
            "usage: fault-proxy --upstream http://127.0.0.1:PORT [--delay-ms N] [--rate N] [--expire-s N]"
        );
        std::process::exit(2);
    };
    let number = |flag: &str| {
        value(flag).map(|v| v.parse::<f64>().unwrap_or_else(|_| panic!("{flag} takes a number")))
    };
    let mut rules = vec![];
    if let Some(seconds) = number("--expire-s") {
        rules.push(Rule::new(Fault::Expire(Duration::from_secs_f64(seconds)), 1.0));
    }
    if let Some(rate) = number("--rate") {
        rules.push(Rule::new(Fault::Bucket { rate }, 1.0));
    }
    if let Some(ms) = number("--delay-ms") {
        rules.push(Rule::new(Fault::Delay(Duration::from_secs_f64(ms / 1000.0)), 1.0));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    println!("fault-proxy listening on http://{}", listener.local_addr().expect("an address"));
    let proxy = Proxy::new(upstream, rules);
    let counts = proxy.counts.clone();
    tokio::spawn(proxy.serve(listener));
    tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await.ok();
    let get = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        r#"{{"calls": {}, "connections": {}, "throttled": {}, "expired": {}}}"#,
        get(&counts.calls),
        get(&counts.connections),
        get(&counts.throttled),
        get(&counts.expired)
    );
}
