//! The last OCPP messages of each charge point, kept in memory for the UI's message view.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::SystemTime;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the charge point.
    In,
    /// To the charge point.
    Out,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedMessage {
    pub at: SystemTime,
    pub direction: Direction,
    pub text: String,
}

/// A bounded log: the oldest message goes when either limit is reached, so a chatty charge point
/// (or a hostile one sending large frames) cannot grow memory without bound.
pub struct MessageLog {
    max_messages: usize,
    max_bytes: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    messages: VecDeque<LoggedMessage>,
    bytes: usize,
}

impl MessageLog {
    pub fn new(max_messages: usize, max_bytes: usize) -> Self {
        Self {
            max_messages,
            max_bytes,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn record(&self, direction: Direction, text: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.bytes += text.len();
        inner.messages.push_back(LoggedMessage {
            at: SystemTime::now(),
            direction,
            text: text.to_owned(),
        });
        while inner.messages.len() > self.max_messages
            || (inner.bytes > self.max_bytes && inner.messages.len() > 1)
        {
            match inner.messages.pop_front() {
                Some(dropped) => inner.bytes -= dropped.text.len(),
                None => break,
            }
        }
    }

    /// The kept messages, oldest first.
    pub fn messages(&self) -> Vec<LoggedMessage> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.messages.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_within_both_limits() {
        let log = MessageLog::new(3, 1000);
        for text in ["a", "b", "c", "d"] {
            log.record(Direction::In, text);
        }
        let texts: Vec<String> = log.messages().into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["b", "c", "d"]);

        let log = MessageLog::new(100, 10);
        log.record(Direction::In, "12345");
        log.record(Direction::Out, "67890");
        log.record(Direction::In, "abc");
        let texts: Vec<String> = log.messages().into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["67890", "abc"]);
        // One message larger than the budget is still kept, alone, so the UI sees what came.
        log.record(Direction::In, &"x".repeat(50));
        assert_eq!(log.messages().len(), 1);
    }
}
