//! The live messages: one per batch the follower stores, fanned out to every connected page
//! over server-sent events, and the last few kept so that a page that lost its connection can
//! ask for what it missed (`Last-Event-ID`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::broadcast;

/// One message of the stream.
#[derive(Clone, Debug)]
pub struct Message {
    /// `<run>-<n>`: `run` is this server's start, so an id from an earlier run is known not to
    /// be resumable.
    pub id: String,
    /// `batch` (addresses and totals changed) or `reset` (refetch everything).
    pub event: &'static str,
    /// The JSON, serialized once for every client.
    pub data: Arc<str>,
}

/// Publishes messages and remembers the last [`Hub::KEEP`].
pub struct Hub {
    run: String,
    tx: broadcast::Sender<Message>,
    recent: Mutex<(u64, VecDeque<Message>)>,
    /// Becomes `true` when the server stops: every stream ends.
    closed: tokio::sync::watch::Sender<bool>,
}

impl Hub {
    /// Messages kept for resuming.
    pub const KEEP: usize = 256;

    pub fn new(run: String) -> Hub {
        let (tx, _) = broadcast::channel(Self::KEEP);
        Hub {
            run,
            tx,
            recent: Mutex::new((0, VecDeque::new())),
            closed: tokio::sync::watch::channel(false).0,
        }
    }

    /// End every stream (the server is stopping).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Tells when the server stops.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// Send a message to every subscriber.
    pub fn publish(&self, event: &'static str, data: Value) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.0 += 1;
        let msg = Message {
            id: format!("{}-{}", self.run, recent.0),
            event,
            data: Arc::from(data.to_string()),
        };
        if recent.1.len() == Self::KEEP {
            recent.1.pop_front();
        }
        recent.1.push_back(msg.clone());
        // Sent under the lock, so a subscriber that read `since` gets every later message once.
        let _ = self.tx.send(msg);
    }

    /// A receiver of the messages to come, and the kept messages after `last_id` (or `None` if
    /// `last_id` cannot be resumed from: the page must refetch).
    pub fn subscribe(
        &self,
        last_id: Option<&str>,
    ) -> (broadcast::Receiver<Message>, Option<Vec<Message>>) {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let rx = self.tx.subscribe();
        let missed = match last_id {
            None => Some(Vec::new()),
            Some(id) => {
                let n = id
                    .strip_prefix(&self.run)
                    .and_then(|r| r.strip_prefix('-'))
                    .and_then(|n| n.parse::<u64>().ok());
                match n {
                    Some(n) if n == recent.0 => Some(Vec::new()),
                    Some(n) if n < recent.0 => {
                        let first = recent.1.front().map_or(u64::MAX, |m| {
                            m.id.rsplit('-')
                                .next()
                                .and_then(|x| x.parse().ok())
                                .unwrap_or(u64::MAX)
                        });
                        (n + 1 >= first).then(|| {
                            recent
                                .1
                                .iter()
                                .filter(|m| {
                                    m.id.rsplit('-')
                                        .next()
                                        .and_then(|x| x.parse::<u64>().ok())
                                        .is_some_and(|k| k > n)
                                })
                                .cloned()
                                .collect()
                        })
                    }
                    _ => None,
                }
            }
        };
        (rx, missed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resumes_from_a_kept_id_and_refuses_others() {
        let hub = Hub::new("r1".into());
        for i in 0..5 {
            hub.publish("batch", Value::from(i));
        }
        let (_, missed) = hub.subscribe(Some("r1-3"));
        let ids: Vec<String> = missed.unwrap().into_iter().map(|m| m.id).collect();
        assert_eq!(ids, ["r1-4", "r1-5"]);
        assert_eq!(hub.subscribe(Some("r1-5")).1.unwrap().len(), 0);
        assert!(hub.subscribe(Some("r0-3")).1.is_none(), "another run");
        assert!(hub.subscribe(Some("r1-9")).1.is_none(), "from the future");
        assert!(hub.subscribe(Some("garbage")).1.is_none());
        for i in 0..Hub::KEEP + 10 {
            hub.publish("batch", Value::from(i));
        }
        assert!(hub.subscribe(Some("r1-3")).1.is_none(), "too old");
        assert_eq!(hub.subscribe(None).1.unwrap().len(), 0);
    }
}
