//! LISTEN / NOTIFY, as PostgreSQL's async.c behaves: LISTEN, UNLISTEN and
//! NOTIFY (or `pg_notify`) are queued in the transaction and take effect at
//! commit, when the notifications go to every session of the same database
//! listening on their channel (the notifying one too), in order, a
//! transaction's duplicates (same channel and payload) sent once; a
//! rollback forgets them. The engine's [`NotifyHub`] holds each listening
//! session's channels and the notifications waiting for it; the client
//! side (the wire server) takes them between transactions and is woken
//! through a callback when one arrives while the session is idle.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use oa_ir::{Error, Result, SqlState};

use crate::session::Notice;

/// NOTIFY_PAYLOAD_MAX_LENGTH: a payload must be shorter.
pub const PAYLOAD_MAX: usize = 8000;
/// NAMEDATALEN: a channel name must be shorter.
const NAMEDATALEN: usize = 64;

/// One notification as the client receives it (NotificationResponse).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// The notifying session's backend PID.
    pub pid: i32,
    pub channel: String,
    pub payload: String,
}

/// Called when a notification is queued for a session (the server wakes
/// its idle connection with it).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

struct Listener {
    database: String,
    channels: Vec<String>,
    queue: VecDeque<Notification>,
    waker: Option<Waker>,
}

/// The engine-wide registry of listening sessions, by session id.
#[derive(Default)]
pub struct NotifyHub {
    listeners: Mutex<HashMap<u64, Listener>>,
}

impl NotifyHub {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Listener>> {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn entry<'a>(map: &'a mut HashMap<u64, Listener>, session: u64, database: &str) -> &'a mut Listener {
        map.entry(session).or_insert_with(|| Listener { database: database.to_string(), channels: Vec::new(), queue: VecDeque::new(), waker: None })
    }

    /// The session's channels after its transaction committed.
    pub(crate) fn set_channels(&self, session: u64, database: &str, channels: &[String]) {
        let mut map = self.lock();
        let l = Self::entry(&mut map, session, database);
        l.channels = channels.to_vec();
    }

    /// Queues a committed transaction's notifications for every listener
    /// in `database` on their channels, and wakes them.
    pub(crate) fn deliver(&self, database: &str, pid: i32, notifications: &[(String, String)]) {
        let mut wake = Vec::new();
        {
            let mut map = self.lock();
            for l in map.values_mut().filter(|l| l.database == database) {
                let before = l.queue.len();
                for (channel, payload) in notifications {
                    if l.channels.iter().any(|c| c == channel) {
                        l.queue.push_back(Notification { pid, channel: channel.clone(), payload: payload.clone() });
                    }
                }
                if l.queue.len() > before
                    && let Some(w) = &l.waker
                {
                    wake.push(w.clone());
                }
            }
        }
        for w in wake {
            w();
        }
    }

    pub(crate) fn take(&self, session: u64) -> Vec<Notification> {
        self.lock().get_mut(&session).map(|l| l.queue.drain(..).collect()).unwrap_or_default()
    }

    pub(crate) fn has_pending(&self, session: u64) -> bool {
        self.lock().get(&session).is_some_and(|l| !l.queue.is_empty())
    }

    pub(crate) fn set_waker(&self, session: u64, database: &str, waker: Waker) {
        let mut map = self.lock();
        Self::entry(&mut map, session, database).waker = Some(waker);
    }

    pub(crate) fn remove(&self, session: u64) {
        self.lock().remove(&session);
    }
}

/// A LISTEN or UNLISTEN waiting for commit.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Action {
    Listen(String),
    Unlisten(String),
    UnlistenAll,
}

#[derive(Debug, Default)]
struct SideState {
    /// The channels this session listens on (as of its last commit), in LISTEN order.
    listening: Vec<String>,
    /// The open transaction's LISTEN/UNLISTEN actions, in order.
    actions: Vec<Action>,
    /// The open transaction's notifications, duplicates left out.
    notifications: Vec<(String, String)>,
    /// WARNINGs raised by functions, for the session to report.
    notices: Vec<Notice>,
}

/// A session's LISTEN/NOTIFY state, shared with the functions it runs
/// (`pg_notify`, `pg_listening_channels`) through `SessionInfo`.
#[derive(Debug, Default)]
pub struct SessionSide {
    state: Mutex<SideState>,
}

/// Where a transaction's (or savepoint's) LISTEN/NOTIFY state began.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mark {
    actions: usize,
    notifications: usize,
}

impl SessionSide {
    fn lock(&self) -> MutexGuard<'_, SideState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Async_Notify: checks the channel and payload, then queues the
    /// notification unless the transaction already holds the same one.
    pub fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        if channel.is_empty() {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "channel name cannot be empty"));
        }
        if channel.len() >= NAMEDATALEN {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "channel name too long"));
        }
        if payload.len() >= PAYLOAD_MAX {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "payload string too long"));
        }
        let mut s = self.lock();
        if !s.notifications.iter().any(|(c, p)| c == channel && p == payload) {
            s.notifications.push((channel.to_string(), payload.to_string()));
        }
        Ok(())
    }

    pub fn listen(&self, channel: &str) {
        self.lock().actions.push(Action::Listen(channel.to_string()));
    }

    /// UNLISTEN channel, or UNLISTEN * (None).
    pub fn unlisten(&self, channel: Option<&str>) {
        let a = match channel {
            Some(c) => Action::Unlisten(c.to_string()),
            None => Action::UnlistenAll,
        };
        self.lock().actions.push(a);
    }

    /// pg_listening_channels(): the committed channels.
    pub fn listening(&self) -> Vec<String> {
        self.lock().listening.clone()
    }

    /// A WARNING from a function, reported after the statement's other output.
    pub fn warn(&self, code: SqlState, message: impl Into<String>) {
        self.lock().notices.push(Notice { severity: "WARNING", code, message: message.into(), detail: None });
    }

    pub fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut self.lock().notices)
    }

    /// SAVEPOINT: where ROLLBACK TO returns to.
    pub fn mark(&self) -> Mark {
        let s = self.lock();
        Mark { actions: s.actions.len(), notifications: s.notifications.len() }
    }

    /// ROLLBACK TO: the subtransaction's actions and notifications are gone.
    pub fn rollback_to(&self, m: Mark) {
        let mut s = self.lock();
        s.actions.truncate(m.actions);
        s.notifications.truncate(m.notifications);
    }

    /// Abort: nothing of the transaction happens.
    pub fn abort(&self) {
        let mut s = self.lock();
        s.actions.clear();
        s.notifications.clear();
    }

    /// Commit: LISTEN/UNLISTEN take effect, then the notifications go out
    /// (so a session that listens and notifies in one transaction hears itself).
    pub fn commit(&self, hub: &NotifyHub, session: u64, pid: i32, database: &str) {
        let (listening, notifications, changed) = {
            let mut s = self.lock();
            let changed = !s.actions.is_empty();
            for a in std::mem::take(&mut s.actions) {
                match a {
                    Action::Listen(c) => {
                        if !s.listening.contains(&c) {
                            s.listening.push(c);
                        }
                    }
                    Action::Unlisten(c) => s.listening.retain(|x| *x != c),
                    Action::UnlistenAll => s.listening.clear(),
                }
            }
            (s.listening.clone(), std::mem::take(&mut s.notifications), changed)
        };
        if changed {
            hub.set_channels(session, database, &listening);
        }
        if !notifications.is_empty() {
            hub.deliver(database, pid, &notifications);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_follows_commit_and_listen_state() {
        let hub = NotifyHub::default();
        let a = SessionSide::default();
        let b = SessionSide::default();
        a.listen("c");
        a.commit(&hub, 1, 101, "db");
        b.notify("c", "x").unwrap();
        b.notify("c", "x").unwrap();
        b.notify("c", "y").unwrap();
        b.notify("other", "z").unwrap();
        b.commit(&hub, 2, 102, "db");
        let got = hub.take(1);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Notification { pid: 102, channel: "c".into(), payload: "x".into() });
        assert_eq!(got[1].payload, "y");
        // Another database does not hear it; a rolled-back one sends nothing.
        b.notify("c", "w").unwrap();
        b.commit(&hub, 2, 102, "elsewhere");
        b.notify("c", "v").unwrap();
        b.abort();
        b.commit(&hub, 2, 102, "db");
        assert!(hub.take(1).is_empty());
        assert_eq!(a.listening(), vec!["c".to_string()]);
        a.unlisten(None);
        let m = a.mark();
        a.listen("d");
        a.rollback_to(m);
        a.commit(&hub, 1, 101, "db");
        assert!(a.listening().is_empty());
    }

    #[test]
    fn limits() {
        let s = SessionSide::default();
        assert_eq!(s.notify("", "x").unwrap_err().message, "channel name cannot be empty");
        assert_eq!(s.notify(&"c".repeat(64), "x").unwrap_err().message, "channel name too long");
        assert_eq!(s.notify("c", &"p".repeat(8000)).unwrap_err().message, "payload string too long");
        assert!(s.notify("c", &"p".repeat(7999)).is_ok());
    }
}
