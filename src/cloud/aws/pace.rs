//! How fast orgrole calls one service as one caller. AWS throttles by rate
//! (a token bucket per API and account; the numbers are not published, and
//! other tools of the organization draw on the same buckets), so orgrole
//! learns the rate AWS accepts rather than retrying its way through: no
//! limit until AWS first throttles, then the rate of the last second times
//! `DECREASE` (lowered again by each throttle of a call sent after the last
//! lowering), and up by about one call per second every second that calls
//! go through (additive increase, multiplicative decrease).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

const DECREASE: f64 = 0.6;
/// Calls per second orgrole never goes below.
const MIN_RATE: f64 = 0.5;
/// Over which the rate refused is measured.
const WINDOW: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct Pacer {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Calls per second; `None` until AWS first throttles: full speed.
    rate: Option<f64>,
    /// Calls that may start now (at most one second's worth).
    tokens: f64,
    refilled: Option<Instant>,
    /// When the rate was last lowered.
    lowered: Option<Instant>,
    /// When the calls of the last `WINDOW` were sent.
    sent: VecDeque<Instant>,
}

impl State {
    fn refill(&mut self, now: Instant, rate: f64) {
        let since = self.refilled.map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
        self.tokens = (self.tokens + since.as_secs_f64() * rate).min(rate.max(1.0));
        self.refilled = Some(now);
    }

    fn record(&mut self, now: Instant) {
        self.sent.push_back(now);
        while self.sent.front().is_some_and(|t| now.saturating_duration_since(*t) > WINDOW) {
            self.sent.pop_front();
        }
    }
}

impl Pacer {
    /// Waits until a call may be sent, and counts it as sent.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().expect("not poisoned");
                let now = Instant::now();
                match s.rate {
                    None => {
                        s.record(now);
                        return;
                    }
                    Some(rate) => {
                        s.refill(now, rate);
                        if s.tokens >= 1.0 {
                            s.tokens -= 1.0;
                            s.record(now);
                            return;
                        }
                        Duration::from_secs_f64((1.0 - s.tokens) / rate)
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// AWS throttled a call sent at `sent`. A call sent before the last
    /// lowering says nothing about the lowered rate.
    pub fn throttled(&self, sent: Instant) {
        let mut s = self.state.lock().expect("not poisoned");
        if s.lowered.is_some_and(|lowered| sent < lowered) {
            return;
        }
        let now = Instant::now();
        let measured = s.sent.iter().filter(|t| now.saturating_duration_since(**t) <= WINDOW).count() as f64;
        let from = s.rate.map_or(measured, |rate| rate.min(measured.max(MIN_RATE)));
        let rate = (from * DECREASE).max(MIN_RATE);
        s.rate = Some(rate);
        s.tokens = s.tokens.min(1.0);
        s.refilled = Some(now);
        s.lowered = Some(now);
        tracing::debug!(target: "orgrole::api", "throttled: at most {rate:.1} calls/s from now");
    }

    /// A call went through.
    pub fn succeeded(&self) {
        let mut s = self.state.lock().expect("not poisoned");
        if let Some(rate) = s.rate {
            s.rate = Some(rate + 1.0 / rate);
        }
    }

    /// The current limit, for tests and logs.
    #[cfg(test)]
    fn rate(&self) -> Option<f64> {
        self.state.lock().expect("not poisoned").rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn full_speed_until_throttled_then_the_refused_rate_lowered_then_back_up_slowly() {
        let pacer = Pacer::default();
        let start = Instant::now();
        for _ in 0..50 {
            pacer.acquire().await;
        }
        assert_eq!(Instant::now(), start, "no limit before the first throttle");
        tokio::time::advance(Duration::from_millis(10)).await;
        pacer.throttled(start);
        assert_eq!(pacer.rate(), Some(50.0 * DECREASE));
        // Calls sent before the lowering do not lower it again.
        pacer.throttled(start);
        assert_eq!(pacer.rate(), Some(50.0 * DECREASE));

        let before = Instant::now();
        for _ in 0..31 {
            pacer.acquire().await;
        }
        let took = Instant::now() - before;
        assert!(took >= Duration::from_millis(950) && took <= Duration::from_millis(1100), "{took:?}");

        for _ in 0..30 {
            pacer.succeeded();
        }
        let rate = pacer.rate().unwrap();
        assert!(
            (30.9..31.1).contains(&rate),
            "about one more call per second after a second of calls: {rate}"
        );

        tokio::time::advance(Duration::from_millis(10)).await;
        pacer.throttled(Instant::now());
        assert!(pacer.rate().unwrap() < rate * DECREASE + 0.01);
        for _ in 0..20 {
            tokio::time::advance(Duration::from_millis(10)).await;
            pacer.throttled(Instant::now());
        }
        assert_eq!(pacer.rate(), Some(MIN_RATE), "never below the floor");
    }
}
