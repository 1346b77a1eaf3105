//! Signed values (verification links, and later signed media URLs): HMAC-SHA256 with a key every
//! instance shares. The key is `SIGNING_KEY` when configured; otherwise one is generated on the
//! first start and kept in the database (`app_secrets`), so instances sharing a database agree
//! and a restart does not invalidate links already sent.

use super::config::Secret;
use super::db::{now_ms, Db};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Clone)]
pub struct Signer {
    key: Secret,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

const KEY_NAME: &str = "signing_key";

impl Signer {
    pub fn new(key: Secret) -> Self {
        Self { key }
    }

    /// The configured key, or the one stored in the database (made now if there is none).
    pub async fn load(db: &Db, configured: Option<&Secret>) -> Result<Self, sqlx::Error> {
        if let Some(key) = configured {
            return Ok(Self::new(key.clone()));
        }
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        let w = db.write().await;
        // Two instances starting at once: one insert wins, both read the same key.
        sqlx::query("INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(KEY_NAME)
            .bind(hex::encode(fresh))
            .bind(now_ms())
            .execute(w.pool())
            .await?;
        let key: String = sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = $1")
            .bind(KEY_NAME)
            .fetch_one(w.pool())
            .await?;
        Ok(Self::new(Secret::new(key)))
    }

    fn mac(&self, purpose: &str, parts: &[&str]) -> Hmac<Sha256> {
        // new_from_slice only fails for key lengths HMAC cannot take; it takes any.
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.expose().as_bytes()).unwrap_or_else(|_| unreachable!());
        // Each piece is length-prefixed, so no two different lists of parts sign the same bytes.
        for piece in std::iter::once(purpose).chain(parts.iter().copied()) {
            mac.update(&(piece.len() as u64).to_be_bytes());
            mac.update(piece.as_bytes());
        }
        mac
    }

    /// The signature of `parts` for `purpose`, URL-safe.
    pub fn sign(&self, purpose: &str, parts: &[&str]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.mac(purpose, parts).finalize().into_bytes())
    }

    /// Whether `signature` is `parts`' signature for `purpose` (compared in constant time).
    pub fn verify(&self, purpose: &str, parts: &[&str], signature: &str) -> bool {
        match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature) {
            Ok(bytes) => self.mac(purpose, parts).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// A link's token as the confirmation and password-reset links carry it,
/// `{account id}.{expiry}.{signature}`: everything its check needs is in the link. What the
/// signature covers is the caller's (see `accounts::verification` and `accounts::reset`).
#[derive(Debug, PartialEq)]
pub struct LinkToken<'a> {
    pub subject: &'a str,
    /// As written, the form the signature covers.
    pub expires: &'a str,
    pub expires_ms: i64,
    pub signature: &'a str,
}

impl<'a> LinkToken<'a> {
    pub fn parse(token: &'a str) -> Option<Self> {
        let mut parts = token.trim().splitn(3, '.');
        let (subject, expires, signature) = (parts.next()?, parts.next()?, parts.next()?);
        Some(Self { subject, expires, expires_ms: expires.parse().ok()?, signature })
    }

    pub fn write(subject: &str, expires_ms: i64, signature: &str) -> String {
        format!("{subject}.{expires_ms}.{signature}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_read_back_what_was_written() {
        let token = LinkToken::write("u1", 42, "c2ln");
        assert_eq!(LinkToken::parse(&token), Some(LinkToken { subject: "u1", expires: "42", expires_ms: 42, signature: "c2ln" }));
        for bad in ["", "u1", "u1.42", "u1.soon.sig"] {
            assert_eq!(LinkToken::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn signatures_bind_purpose_parts_and_key() {
        let signer = Signer::new(Secret::new("k1"));
        let sig = signer.sign("verify-email", &["user", "a@b.c", "123"]);
        assert!(signer.verify("verify-email", &["user", "a@b.c", "123"], &sig));
        assert!(!signer.verify("verify-email", &["user", "a@b.c", "124"], &sig));
        assert!(!signer.verify("media", &["user", "a@b.c", "123"], &sig));
        assert!(!signer.verify("verify-email", &["user", "a@b.c\n123"], &sig));
        assert!(!signer.verify("verify-email", &["usera@b.c", "123"], &sig));
        assert!(!Signer::new(Secret::new("k2")).verify("verify-email", &["user", "a@b.c", "123"], &sig));
        assert!(!signer.verify("verify-email", &["user", "a@b.c", "123"], "not base64!"));
    }
}
