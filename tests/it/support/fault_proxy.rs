//! A loopback HTTP proxy in front of the emulator that makes it behave like
//! AWS on a bad day: by rule, a share of the calls (per service, operation or
//! request content) is throttled, answered with a 5xx, delayed, dropped, or
//! executed with its answer lost; or, as AWS throttles, calls beyond a rate
//! per service and caller are throttled (a token bucket); and AssumeRole's
//! sessions can be made to expire early. moto itself never throttles, fails
//! nor expires.
//!
//! Used in-process by the tests and, through `tests/it/support/fault_proxy_cli.rs`,
//! by `just bench` (latency injection).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What happens to a call a rule picks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// AWS's throttling error for the protocol: `Throttling` (IAM, STS) or
    /// `TooManyRequestsException` (Organizations); the call is not executed.
    Throttle,
    /// `500 InternalFailure` or `503 ServiceUnavailable`; not executed.
    ServerError(u16),
    /// Executed, then answered `500`: the client cannot know it took effect.
    LostAnswer,
    /// Answered after this long (and other rules still apply).
    Delay(Duration),
    /// The connection is closed without an answer; not executed.
    Drop,
    /// A token bucket per service and caller (access key), `rate` calls per
    /// second with room for a second's worth: a call finding it empty is
    /// throttled, as AWS does. (Share: 1.0.)
    Bucket { rate: f64 },
    /// AssumeRole answers sessions that expire this long after: a call
    /// signed with one afterwards gets `ExpiredToken`. (Share: 1.0.)
    Expire(Duration),
}

/// Which calls a rule applies to, and how often.
#[derive(Clone, Debug)]
pub struct Rule {
    pub fault: Fault,
    /// Share of the matching calls, 0.0 to 1.0.
    pub share: f64,
    /// The signing name: `iam`, `sts`, `organizations`, `s3`.
    pub service: Option<&'static str>,
    /// `GetRole`, `ListAccounts`, ...
    pub operation: Option<&'static str>,
    /// Text the (form-decoded) request body contains, e.g. an account ID in
    /// AssumeRole's RoleArn.
    pub body_contains: Option<String>,
}

impl Rule {
    pub fn new(fault: Fault, share: f64) -> Self {
        Self { fault, share, service: None, operation: None, body_contains: None }
    }

    pub fn service(self, service: &'static str) -> Self {
        Self { service: Some(service), ..self }
    }

    pub fn operation(self, operation: &'static str) -> Self {
        Self { operation: Some(operation), ..self }
    }

    pub fn body_contains(self, text: &str) -> Self {
        Self { body_contains: Some(text.to_owned()), ..self }
    }

    fn matches(&self, call: &Call) -> bool {
        self.service.is_none_or(|s| s == call.service)
            && self.operation.is_none_or(|o| o == call.operation)
            && self.body_contains.as_deref().is_none_or(|t| call.body.contains(t))
    }
}

/// What the proxy did, for the tests' assertions.
#[derive(Debug, Default)]
pub struct Counts {
    pub calls: AtomicU64,
    pub throttled: AtomicU64,
    pub server_errors: AtomicU64,
    pub lost_answers: AtomicU64,
    pub dropped: AtomicU64,
    pub delayed: AtomicU64,
    /// Client connections accepted.
    pub connections: AtomicU64,
    /// Calls refused with ExpiredToken.
    pub expired: AtomicU64,
}

impl Counts {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

pub struct FaultProxy {
    pub endpoint: String,
    pub counts: Arc<Counts>,
    _runtime: tokio::runtime::Runtime,
}

impl FaultProxy {
    /// Starts the proxy on a free loopback port, on its own runtime.
    pub fn start(upstream: &str, rules: Vec<Rule>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the proxy");
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().expect("an address"));
        let proxy = Proxy::new(upstream, rules);
        let counts = proxy.counts.clone();
        runtime.spawn(proxy.serve(listener));
        Self { endpoint, counts, _runtime: runtime }
    }
}

/// (service, access key) → (tokens, last refill).
type Buckets = HashMap<(String, String), (f64, Instant)>;

#[derive(Clone)]
pub struct Proxy {
    upstream: String,
    rules: Arc<Vec<Rule>>,
    pub counts: Arc<Counts>,
    random: Arc<Mutex<u64>>,
    buckets: Arc<Mutex<Buckets>>,
    /// Access key → when its session expires.
    sessions: Arc<Mutex<HashMap<String, SystemTime>>>,
}

impl Proxy {
    pub fn new(upstream: &str, rules: Vec<Rule>) -> Self {
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_owned();
        // A fixed seed: the same share of faults on every run.
        Self {
            upstream,
            rules: Arc::new(rules),
            counts: Arc::default(),
            random: Arc::new(Mutex::new(0x9E37_79B9_7F4A_7C15)),
            buckets: Arc::default(),
            sessions: Arc::default(),
        }
    }

    pub async fn serve(self, listener: TcpListener) {
        while let Ok((client, _)) = listener.accept().await {
            let proxy = self.clone();
            tokio::spawn(async move {
                // A broken connection ends that connection only.
                let _ = proxy.connection(client).await;
            });
        }
    }

    /// Serves the calls of one kept-alive client connection.
    async fn connection(&self, mut client: TcpStream) -> std::io::Result<()> {
        Counts::bump(&self.counts.connections);
        let mut buffer = Vec::new();
        while let Some(request) = read_message(&mut client, &mut buffer, false).await? {
            Counts::bump(&self.counts.calls);
            let call = Call::of(&request);
            if self.expired(&call) {
                Counts::bump(&self.counts.expired);
                client.write_all(&call.expired_token()).await?;
                continue;
            }
            match self.decide(&call).await {
                Some(Fault::Drop) => {
                    Counts::bump(&self.counts.dropped);
                    return Ok(());
                }
                Some(Fault::Throttle) => {
                    Counts::bump(&self.counts.throttled);
                    client.write_all(&call.error(400, true)).await?;
                }
                Some(Fault::ServerError(status)) => {
                    Counts::bump(&self.counts.server_errors);
                    client.write_all(&call.error(status, false)).await?;
                }
                Some(Fault::LostAnswer) => {
                    self.forward(&request).await?;
                    Counts::bump(&self.counts.lost_answers);
                    client.write_all(&call.error(500, false)).await?;
                }
                Some(Fault::Expire(after)) => {
                    let response = self.forward(&request).await?;
                    client.write_all(&self.expiring(response, after)).await?;
                }
                Some(Fault::Delay(_) | Fault::Bucket { .. }) | None => {
                    let response = self.forward(&request).await?;
                    client.write_all(&response).await?;
                }
            }
        }
        Ok(())
    }

    /// Applies the delays of the rules that pick this call, and returns the
    /// first other fault that does.
    async fn decide(&self, call: &Call) -> Option<Fault> {
        for rule in self.rules.iter().filter(|r| r.matches(call)) {
            if self.draw() >= rule.share {
                continue;
            }
            match rule.fault {
                Fault::Delay(pause) => {
                    Counts::bump(&self.counts.delayed);
                    tokio::time::sleep(pause).await;
                }
                Fault::Bucket { rate } => {
                    if !self.take_token(call, rate) {
                        return Some(Fault::Throttle);
                    }
                }
                Fault::Expire(_) if call.operation != "AssumeRole" => {}
                fault => return Some(fault),
            }
        }
        None
    }

    /// Takes a token from the bucket of the call's service and caller.
    fn take_token(&self, call: &Call, rate: f64) -> bool {
        let mut buckets = self.buckets.lock().expect("not poisoned");
        let now = Instant::now();
        let key = (call.service.clone(), call.access_key.clone());
        let (tokens, last) = buckets.entry(key).or_insert((rate, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// The call is signed with a session that has expired.
    fn expired(&self, call: &Call) -> bool {
        let sessions = self.sessions.lock().expect("not poisoned");
        sessions.get(&call.access_key).is_some_and(|end| SystemTime::now() >= *end)
    }

    /// AssumeRole's answer with its session ending `after` from now, recorded.
    fn expiring(&self, response: Vec<u8>, after: Duration) -> Vec<u8> {
        let text = String::from_utf8_lossy(&response).into_owned();
        let between = |open: &str, close: &str| {
            let start = text.find(open)? + open.len();
            Some((start, start + text[start..].find(close)?))
        };
        let (Some(key), Some((from, to))) =
            (between("<AccessKeyId>", "</AccessKeyId>"), between("<Expiration>", "</Expiration>"))
        else {
            return response;
        };
        let end = SystemTime::now() + after;
        self.sessions.lock().expect("not poisoned").insert(text[key.0..key.1].to_owned(), end);
        let body_start = text.find("\r\n\r\n").map_or(0, |at| at + 4);
        let body =
            format!("{}{}{}", &text[body_start..from], humantime::format_rfc3339_seconds(end), &text[to..]);
        let head: String = text[..body_start]
            .lines()
            .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("content-length:"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        format!("{head}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    /// A number in [0, 1) from a xorshift generator.
    fn draw(&self) -> f64 {
        let mut state = self.random.lock().expect("not poisoned");
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Sends one request on a fresh upstream connection and returns the answer.
    async fn forward(&self, request: &Message) -> std::io::Result<Vec<u8>> {
        let mut upstream = TcpStream::connect(&self.upstream).await?;
        upstream.write_all(&request.bytes).await?;
        let mut buffer = Vec::new();
        let response = read_message(&mut upstream, &mut buffer, true)
            .await?
            .ok_or_else(|| std::io::Error::other("the emulator closed the connection without an answer"))?;
        Ok(response.bytes)
    }
}

/// One HTTP/1.1 message, framed by Content-Length (chunked bodies are not
/// used by the SDK's calls nor by the emulator's answers).
struct Message {
    head: String,
    /// The whole message as read; the body starts at `head_end`.
    bytes: Vec<u8>,
    head_end: usize,
}

impl Message {
    fn body(&self) -> &[u8] {
        &self.bytes[self.head_end..]
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Reads the next message from `stream`; `None` at a clean end of stream.
/// For a response without Content-Length, the body runs to the end of stream.
async fn read_message(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    response: bool,
) -> std::io::Result<Option<Message>> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if read_more(stream, buffer).await? == 0 {
            return if buffer.is_empty() { Ok(None) } else { Err(std::io::ErrorKind::UnexpectedEof.into()) };
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut message = Message { head, bytes: vec![], head_end };
    match message.header("content-length").map(str::parse::<usize>) {
        Some(Ok(length)) => {
            while buffer.len() < head_end + length {
                if read_more(stream, buffer).await? == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
            }
            message.bytes = buffer.drain(..head_end + length).collect();
        }
        Some(Err(_)) => return Err(std::io::Error::other("a bad Content-Length")),
        None if response => {
            while read_more(stream, buffer).await? > 0 {}
            message.bytes = std::mem::take(buffer);
        }
        None => message.bytes = buffer.drain(..head_end).collect(),
    }
    Ok(Some(message))
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// What the rules look at in a request.
struct Call {
    /// Who signed it.
    access_key: String,
    service: String,
    operation: String,
    body: String,
    /// JSON protocol (Organizations) rather than the query protocol (IAM, STS).
    json: bool,
}

impl Call {
    fn of(request: &Message) -> Self {
        // `Credential=KEY/DATE/REGION/SERVICE/aws4_request`
        let credential = request.header("authorization").and_then(|a| a.split("Credential=").nth(1));
        let part = |n: usize| credential.and_then(|c| c.split('/').nth(n)).unwrap_or_default().to_owned();
        let (access_key, service) = (part(0), part(3));
        let form = String::from_utf8_lossy(request.body()).replace('+', " ");
        let body = percent_encoding::percent_decode_str(&form).decode_utf8_lossy().into_owned();
        let target = request.header("x-amz-target");
        let operation = match target {
            Some(t) => t.rsplit('.').next().unwrap_or_default().to_owned(),
            None => {
                body.split('&').find_map(|pair| pair.strip_prefix("Action=")).unwrap_or_default().to_owned()
            }
        };
        Self { access_key, service, operation, body, json: target.is_some() }
    }

    /// What AWS answers a call signed with an expired session.
    fn expired_token(&self) -> Vec<u8> {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>";
        format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nx-amzn-RequestId: fault-proxy\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    /// The error answer AWS gives in this call's protocol.
    fn error(&self, status: u16, throttle: bool) -> Vec<u8> {
        let (code, message, reason) = match (throttle, status) {
            (true, _) if self.json => ("TooManyRequestsException", "Rate exceeded", "Bad Request"),
            (true, _) => ("Throttling", "Rate exceeded", "Bad Request"),
            (false, 503) => ("ServiceUnavailable", "Service is unavailable", "Service Unavailable"),
            _ => ("InternalFailure", "An internal error occurred", "Internal Server Error"),
        };
        let (content_type, body) = if self.json {
            ("application/x-amz-json-1.1", format!(r#"{{"__type":"{code}","Message":"{message}"}}"#))
        } else {
            let kind = if throttle { "Sender" } else { "Receiver" };
            (
                "text/xml",
                format!(
                    "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
                ),
            )
        };
        format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: fault-proxy\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }
}
