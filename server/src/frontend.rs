//! Frontend (client → server) messages: framing limits and strict decoding.
//!
//! pgwire's decoders read past a message's end on malformed input and replace
//! invalid UTF-8 silently, so the server frames and decodes what clients send
//! itself: every message is cut to its declared length first, every count is
//! checked against the bytes present, and strings must be valid UTF-8.
//! Backend messages are encoded with pgwire's types.

use bytes::{Buf, Bytes};
use oa_ir::{Error, SqlState};

/// PQ_SMALL_MESSAGE_LIMIT: messages that carry no user data.
pub const SMALL_MESSAGE_LIMIT: usize = 10_000;
/// PQ_LARGE_MESSAGE_LIMIT (1 GB - 1): queries, Bind parameters, COPY data.
pub const LARGE_MESSAGE_LIMIT: usize = 0x3fff_ffff;
/// PG_MAX_AUTH_TOKEN_LENGTH: password and SASL messages.
pub const AUTH_MESSAGE_LIMIT: usize = 65_535;
/// The startup packet (MAX_STARTUP_PACKET_LENGTH).
pub const STARTUP_PACKET_LIMIT: usize = 10_000;

pub const SSL_REQUEST_CODE: i32 = 80_877_103;
pub const GSSENC_REQUEST_CODE: i32 = 80_877_104;
pub const CANCEL_REQUEST_CODE: i32 = 80_877_102;

/// A violation of the protocol that ends the connection (FATAL 08P01).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    pub fn new(message: impl Into<String>) -> Self {
        ProtocolError(message.into())
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The first packet of a connection.
#[derive(Debug, PartialEq, Eq)]
pub enum StartupPacket {
    SslRequest,
    GssEncRequest,
    Cancel { pid: i32, key: Vec<u8> },
    Startup { major: u16, minor: u16, params: Vec<(String, String)> },
}

/// Decodes a startup-phase packet body (after its length word).
pub fn decode_startup(body: Bytes) -> Result<StartupPacket, ProtocolError> {
    let mut r = Reader::new(body);
    let code = r.i32()?;
    match code {
        SSL_REQUEST_CODE => Ok(StartupPacket::SslRequest),
        GSSENC_REQUEST_CODE => Ok(StartupPacket::GssEncRequest),
        CANCEL_REQUEST_CODE => {
            let pid = r.i32()?;
            let key = r.rest().to_vec();
            Ok(StartupPacket::Cancel { pid, key })
        }
        _ => {
            let major = (code >> 16) as u16;
            let minor = (code & 0xffff) as u16;
            let mut params = Vec::new();
            // Name/value pairs, ended by an empty name.
            loop {
                let name = r.cstr_bytes().map_err(|_| ProtocolError::new("invalid startup packet layout: expected terminator as last byte"))?;
                if name.is_empty() {
                    break;
                }
                let value = r.cstr_bytes().map_err(|_| ProtocolError::new("invalid startup packet layout: expected terminator as last byte"))?;
                let name = String::from_utf8(name.to_vec()).map_err(|_| ProtocolError::new("invalid startup packet: invalid UTF-8"))?;
                let value = String::from_utf8(value.to_vec()).map_err(|_| ProtocolError::new("invalid startup packet: invalid UTF-8"))?;
                params.push((name, value));
            }
            if r.remaining() != 0 {
                return Err(ProtocolError::new("invalid startup packet layout: expected terminator as last byte"));
            }
            Ok(StartupPacket::Startup { major, minor, params })
        }
    }
}

/// A message after authentication.
#[derive(Debug, PartialEq, Eq)]
pub enum Message {
    Query(String),
    Parse {
        name: String,
        query: String,
        param_types: Vec<u32>,
    },
    Bind {
        portal: String,
        statement: String,
        param_formats: Vec<i16>,
        params: Vec<Option<Bytes>>,
        result_formats: Vec<i16>,
    },
    /// `kind` is b'S' (statement) or b'P' (portal).
    Describe {
        kind: u8,
        name: String,
    },
    Execute {
        portal: String,
        max_rows: i32,
    },
    Close {
        kind: u8,
        name: String,
    },
    Sync,
    Flush,
    Terminate,
    CopyData(Bytes),
    CopyDone,
    CopyFail(String),
    /// A well-framed message whose content is invalid (bad UTF-8, a bad
    /// Describe/Close kind): an ERROR, the connection goes on. `extended`
    /// says whether it was part of the extended protocol (skip until Sync).
    Invalid {
        error: Error,
        extended: bool,
    },
}

impl Message {
    /// Part of the extended query protocol: an error starts skipping until Sync.
    pub fn is_extended(&self) -> bool {
        match self {
            Message::Parse { .. } | Message::Bind { .. } | Message::Describe { .. } | Message::Execute { .. } | Message::Close { .. } => true,
            Message::Invalid { extended, .. } => *extended,
            _ => false,
        }
    }
}

/// The largest body allowed for a message type, or None for a type the
/// server does not accept after startup.
pub fn message_limit(tag: u8) -> Option<usize> {
    match tag {
        b'Q' | b'P' | b'B' | b'd' => Some(LARGE_MESSAGE_LIMIT),
        b'D' | b'C' | b'E' | b'H' | b'S' | b'X' | b'c' | b'f' => Some(SMALL_MESSAGE_LIMIT),
        _ => None,
    }
}

/// Decodes one message body (the bytes after the type and length words).
pub fn decode(tag: u8, body: Bytes) -> Result<Message, ProtocolError> {
    let mut r = Reader::new(body);
    let extended = matches!(tag, b'P' | b'B' | b'D' | b'C' | b'E');
    let msg = match tag {
        b'Q' => {
            let q = r.cstr_bytes()?;
            r.end()?;
            match utf8(q) {
                Ok(q) => Message::Query(q),
                Err(error) => Message::Invalid { error, extended },
            }
        }
        b'P' => {
            let name = r.cstr_bytes()?;
            let query = r.cstr_bytes()?;
            let n = r.count()?;
            let mut param_types = Vec::with_capacity(n.min(r.remaining() / 4));
            for _ in 0..n {
                param_types.push(r.i32()? as u32);
            }
            r.end()?;
            match (utf8(name), utf8(query)) {
                (Ok(name), Ok(query)) => Message::Parse { name, query, param_types },
                (Err(error), _) | (_, Err(error)) => Message::Invalid { error, extended },
            }
        }
        b'B' => {
            let portal = r.cstr_bytes()?;
            let statement = r.cstr_bytes()?;
            let nf = r.count()?;
            let mut param_formats = Vec::with_capacity(nf.min(r.remaining() / 2));
            for _ in 0..nf {
                param_formats.push(r.i16()?);
            }
            let np = r.count()?;
            let mut params = Vec::with_capacity(np.min(r.remaining() / 4));
            for _ in 0..np {
                let len = r.i32()?;
                if len == -1 {
                    params.push(None);
                } else if len < 0 {
                    return Err(ProtocolError::new(format!("invalid parameter length {len} in Bind message")));
                } else {
                    params.push(Some(r.bytes(len as usize)?));
                }
            }
            let nr = r.count()?;
            let mut result_formats = Vec::with_capacity(nr.min(r.remaining() / 2));
            for _ in 0..nr {
                result_formats.push(r.i16()?);
            }
            r.end()?;
            match (utf8(portal), utf8(statement)) {
                (Ok(portal), Ok(statement)) => Message::Bind { portal, statement, param_formats, params, result_formats },
                (Err(error), _) | (_, Err(error)) => Message::Invalid { error, extended },
            }
        }
        b'D' | b'C' => {
            let kind = r.u8()?;
            let name = r.cstr_bytes()?;
            r.end()?;
            let what = if tag == b'D' { "DESCRIBE" } else { "CLOSE" };
            match utf8(name) {
                Ok(name) if kind == b'S' || kind == b'P' => {
                    if tag == b'D' {
                        Message::Describe { kind, name }
                    } else {
                        Message::Close { kind, name }
                    }
                }
                Ok(_) => {
                    Message::Invalid { error: Error::new(SqlState::PROTOCOL_VIOLATION, format!("invalid {what} message subtype {kind}")), extended }
                }
                Err(error) => Message::Invalid { error, extended },
            }
        }
        b'E' => {
            let portal = r.cstr_bytes()?;
            let max_rows = r.i32()?;
            r.end()?;
            match utf8(portal) {
                Ok(portal) => Message::Execute { portal, max_rows },
                Err(error) => Message::Invalid { error, extended },
            }
        }
        b'S' => {
            r.end()?;
            Message::Sync
        }
        b'H' => {
            r.end()?;
            Message::Flush
        }
        b'X' => {
            r.end()?;
            Message::Terminate
        }
        b'd' => Message::CopyData(r.rest()),
        b'c' => {
            r.end()?;
            Message::CopyDone
        }
        b'f' => {
            let m = r.cstr_bytes()?;
            r.end()?;
            Message::CopyFail(String::from_utf8_lossy(&m).into_owned())
        }
        other => return Err(invalid_type(other)),
    };
    Ok(msg)
}

pub fn invalid_type(tag: u8) -> ProtocolError {
    ProtocolError::new(format!("invalid frontend message type {tag}"))
}

/// A SASLInitialResponse: mechanism name and the client-first message.
pub fn decode_sasl_initial(body: Bytes) -> Result<(String, Bytes), ProtocolError> {
    let mut r = Reader::new(body);
    let mech = r.cstr_bytes()?;
    let len = r.i32()?;
    let data = if len < 0 { Bytes::new() } else { r.bytes(len as usize)? };
    r.end()?;
    let mech = String::from_utf8(mech.to_vec()).map_err(|_| ProtocolError::new("invalid SASL mechanism name"))?;
    Ok((mech, data))
}

fn utf8(b: Bytes) -> Result<String, Error> {
    match String::from_utf8(b.to_vec()) {
        Ok(s) => Ok(s),
        Err(e) => {
            let bad = e.utf8_error();
            let at = bad.valid_up_to();
            let bytes = e.as_bytes();
            let len = bad.error_len().unwrap_or(bytes.len() - at).max(1);
            let shown: Vec<String> = bytes[at..(at + len).min(bytes.len())].iter().map(|b| format!("0x{b:02x}")).collect();
            Err(Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, format!("invalid byte sequence for encoding \"UTF8\": {}", shown.join(" "))))
        }
    }
}

/// A bounds-checked cursor over one message body.
struct Reader {
    buf: Bytes,
}

fn format_error() -> ProtocolError {
    ProtocolError::new("invalid message format")
}

impl Reader {
    fn new(buf: Bytes) -> Self {
        Reader { buf }
    }

    fn remaining(&self) -> usize {
        self.buf.remaining()
    }

    fn u8(&mut self) -> Result<u8, ProtocolError> {
        if self.buf.remaining() < 1 {
            return Err(format_error());
        }
        Ok(self.buf.get_u8())
    }

    fn i16(&mut self) -> Result<i16, ProtocolError> {
        if self.buf.remaining() < 2 {
            return Err(format_error());
        }
        Ok(self.buf.get_i16())
    }

    fn i32(&mut self) -> Result<i32, ProtocolError> {
        if self.buf.remaining() < 4 {
            return Err(format_error());
        }
        Ok(self.buf.get_i32())
    }

    /// A non-negative Int16 count.
    fn count(&mut self) -> Result<usize, ProtocolError> {
        let n = self.i16()?;
        if n < 0 {
            return Err(format_error());
        }
        Ok(n as usize)
    }

    fn bytes(&mut self, n: usize) -> Result<Bytes, ProtocolError> {
        if self.buf.remaining() < n {
            return Err(format_error());
        }
        Ok(self.buf.split_to(n))
    }

    /// A NUL-terminated string, without the NUL.
    fn cstr_bytes(&mut self) -> Result<Bytes, ProtocolError> {
        let Some(end) = self.buf.iter().position(|b| *b == 0) else {
            return Err(format_error());
        };
        let s = self.buf.split_to(end);
        self.buf.advance(1);
        Ok(s)
    }

    fn rest(&mut self) -> Bytes {
        std::mem::take(&mut self.buf)
    }

    fn end(&self) -> Result<(), ProtocolError> {
        if self.buf.has_remaining() { Err(format_error()) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_counts_are_checked_against_the_body() {
        // One parameter claiming 100 bytes with 2 present.
        let body = Bytes::from_static(b"\0\0\0\0\0\x01\0\0\0\x64ab\0\0");
        assert_eq!(decode(b'B', body), Err(ProtocolError::new("invalid message format")));
        let ok = Bytes::from_static(b"p\0s\0\0\x01\0\x01\0\x01\0\0\0\x02ab\0\x01\0\x01");
        assert_eq!(
            decode(b'B', ok),
            Ok(Message::Bind {
                portal: "p".into(),
                statement: "s".into(),
                param_formats: vec![1],
                params: vec![Some(Bytes::from_static(b"ab"))],
                result_formats: vec![1]
            })
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_protocol_violation() {
        let m = decode(b'Q', Bytes::from_static(b"select '\xff'\0")).unwrap();
        match m {
            Message::Invalid { error, extended: false } => {
                assert_eq!(error.code, SqlState::CHARACTER_NOT_IN_REPERTOIRE);
                assert_eq!(error.message, "invalid byte sequence for encoding \"UTF8\": 0xff");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn trailing_bytes_and_missing_terminators_are_violations() {
        assert!(decode(b'S', Bytes::from_static(b"x")).is_err());
        assert!(decode(b'Q', Bytes::from_static(b"select 1")).is_err());
        assert!(decode(b'E', Bytes::from_static(b"\0\0\0")).is_err());
        assert_eq!(decode(b'!', Bytes::new()), Err(invalid_type(b'!')));
    }

    #[test]
    fn startup_packets() {
        let mut b = Vec::new();
        b.extend_from_slice(&196608i32.to_be_bytes());
        b.extend_from_slice(b"user\0bob\0database\0db\0\0");
        match decode_startup(Bytes::from(b)).unwrap() {
            StartupPacket::Startup { major: 3, minor: 0, params } => {
                assert_eq!(params, vec![("user".into(), "bob".into()), ("database".into(), "db".into())])
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(decode_startup(Bytes::from(SSL_REQUEST_CODE.to_be_bytes().to_vec())).unwrap(), StartupPacket::SslRequest);
        let mut bad = 196608i32.to_be_bytes().to_vec();
        bad.extend_from_slice(b"user\0bob");
        assert!(decode_startup(Bytes::from(bad)).is_err());
    }
}
