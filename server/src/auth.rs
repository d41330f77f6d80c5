//! Client authentication: trust, or SCRAM-SHA-256 (pgwire's server-side
//! state machine) against a password file.
//!
//! The password file has one `user:secret` line per role; `#` starts a
//! comment. The secret is either a plain password or a PostgreSQL SCRAM
//! verifier as `pg_authid.rolpassword` stores it
//! (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use pgwire::api::auth::sasl::scram::{SCRAM_ITERATIONS, ScramSecret, gen_salted_password};

#[derive(Clone, Debug)]
pub enum AuthMethod {
    Trust,
    Scram(std::sync::Arc<PasswordFile>),
}

#[derive(Clone)]
enum Secret {
    Salted { salt: Vec<u8>, salted_password: Vec<u8> },
    Verifier { salt: Vec<u8>, iterations: usize, stored_key: Vec<u8>, server_key: Vec<u8> },
}

/// Roles and their SCRAM secrets.
#[derive(Clone, Default)]
pub struct PasswordFile {
    users: HashMap<String, Secret>,
}

impl std::fmt::Debug for PasswordFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.users.keys().collect();
        names.sort();
        f.debug_struct("PasswordFile").field("users", &names).finish()
    }
}

impl PasswordFile {
    pub fn load(path: &Path) -> Result<PasswordFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("could not read password file \"{}\": {e}", path.display()))?;
        PasswordFile::parse(&text).map_err(|e| format!("password file \"{}\": {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<PasswordFile, String> {
        let mut users = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((user, secret)) = line.split_once(':') else {
                return Err(format!("line {}: expected user:password", n + 1));
            };
            let secret = match secret.strip_prefix("SCRAM-SHA-256$") {
                Some(v) => parse_verifier(v).ok_or_else(|| format!("line {}: malformed SCRAM-SHA-256 verifier", n + 1))?,
                None => {
                    let salt = random_bytes(16);
                    let salted_password = gen_salted_password(secret, &salt, SCRAM_ITERATIONS);
                    Secret::Salted { salt, salted_password }
                }
            };
            users.insert(user.to_string(), secret);
        }
        Ok(PasswordFile { users })
    }

    /// The user's SCRAM secret; an unknown user gets a random one, so the
    /// exchange runs to its end and fails like a wrong password does.
    pub fn scram_secret(&self, user: &str) -> ScramSecret {
        match self.users.get(user) {
            Some(Secret::Salted { salt, salted_password }) => {
                ScramSecret::SaltedPassword { salt: salt.clone(), salted_password: salted_password.clone() }
            }
            Some(Secret::Verifier { salt, iterations, stored_key, server_key }) => {
                ScramSecret::Verifier { salt: salt.clone(), iterations: *iterations, stored_key: stored_key.clone(), server_key: server_key.clone() }
            }
            None => ScramSecret::SaltedPassword { salt: random_bytes(16), salted_password: random_bytes(32) },
        }
    }
}

/// `<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64 parts.
fn parse_verifier(v: &str) -> Option<Secret> {
    let (head, keys) = v.split_once('$')?;
    let (iterations, salt) = head.split_once(':')?;
    let (stored, server) = keys.split_once(':')?;
    Some(Secret::Verifier {
        salt: base64_decode(salt)?,
        iterations: iterations.parse().ok().filter(|i| *i > 0)?,
        stored_key: base64_decode(stored)?,
        server_key: base64_decode(server)?,
    })
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        match chunk.len() {
            4 => out.extend_from_slice(&bytes[1..4]),
            3 => out.extend_from_slice(&bytes[1..3]),
            2 => out.push(bytes[1]),
            _ => return None,
        }
    }
    Some(out)
}

/// Unpredictable bytes for salts and cancel keys: the standard library's
/// per-process random hash keys, a counter and the clock.
pub fn random_bytes(n: usize) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
        out.extend_from_slice(&h.finish().to_be_bytes());
    }
    out.truncate(n);
    out
}

pub fn random_i32() -> i32 {
    let b = random_bytes(4);
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert!(base64_decode("a$").is_none());
    }

    #[test]
    fn password_files() {
        let f = PasswordFile::parse(
            "# roles\nalice:secret\nbob:SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVkc3RvcmVkc3RvcmVkc3RvcmVkc3RvcmVkMTI=:c2VydmVyc2VydmVyc2VydmVyc2VydmVyc2VydmVyMTI=\n",
        )
        .unwrap();
        assert!(matches!(f.scram_secret("alice"), ScramSecret::SaltedPassword { .. }));
        assert!(matches!(f.scram_secret("bob"), ScramSecret::Verifier { iterations: 4096, .. }));
        assert!(PasswordFile::parse("nocolon\n").is_err());
    }
}
