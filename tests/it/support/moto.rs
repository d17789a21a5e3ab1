//! One moto server per test process, started on a free loopback port and
//! stopped when the process exits (its standard input closes).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Moto {
    pub endpoint: String,
    // Held so that moto's standard input stays open while tests run.
    _child: Mutex<Child>,
}

const HOW_TO_GET_IT: &str = "the local AWS emulator (moto) is needed: run `just setup` (it installs the pinned moto[server] and waitress into .venv), or set ORGROLE_TEST_ENDPOINT to a running moto server";

pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(start)
}

fn start() -> Moto {
    if let Ok(endpoint) = std::env::var("ORGROLE_TEST_ENDPOINT") {
        let child = Command::new("true").spawn().expect("`true` runs");
        return Moto { endpoint, _child: Mutex::new(child) };
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".venv/bin/python");
    assert!(python.exists(), "{} is missing: {HOW_TO_GET_IT}", python.display());
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let mut child = Command::new(&python)
        .arg(root.join("tests/it/support/moto_server.py"))
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start moto ({e}): {HOW_TO_GET_IT}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line).expect("moto's first line");
    assert!(line.starts_with("moto listening"), "moto did not start ({line:?}): {HOW_TO_GET_IT}");
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not listen on port {port} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    Moto { endpoint, _child: Mutex::new(child) }
}
