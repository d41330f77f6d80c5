//! The openassay server binary: wire protocol, sessions.
