//! Password hashing with argon2id, off the async runtime.
//!
//! Parameters: 19 MiB of memory, 3 passes, 1 lane — above OWASP's minimum for argon2id
//! (19 MiB, 2 passes). One hash measured 55 ms p50 / 69 ms max on the 2-core reference machine
//! (`cargo run --release -p server --example bench_password`; 2 passes gave 39 ms, under the
//! 50 ms floor we want). Hashes are PHC strings, so the parameters can be raised later and old
//! hashes still verify.

pub use super::hashing::HashQueue;
use super::hashing::Purpose;
use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 3;
pub const LANES: u32 = 1;

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A hash of a password nobody has, verified against when the username is unknown so that
/// answer takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not a real password").unwrap_or_default());

/// How far down zxcvbn's ranked list (most common first) a password counts as common.
pub const COMMON_RANK: usize = 10_000;

/// Whether `password` is, as a whole, one of the [`COMMON_RANK`] most common passwords, in any
/// letter case (`Password1` counts). Only an exact hit is refused: a common word inside a
/// longer passphrase is fine. Long inputs are skipped (no common password is long, and the
/// matcher's cost grows with length).
pub fn is_common(password: &str) -> bool {
    use zxcvbn::matching::patterns::MatchPattern;
    if password.chars().count() > 40 {
        return false;
    }
    let entropy = zxcvbn::zxcvbn(password, &[]);
    match entropy.sequence() {
        [only] => match &only.pattern {
            // zxcvbn does not export its dictionary type; its default is the passwords list.
            MatchPattern::Dictionary(word) => {
                word.dictionary_name == Default::default() && word.rank <= COMMON_RANK && !word.reversed && !word.l33t
            }
            _ => false,
        },
        _ => false,
    }
}

fn hash_blocking(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()?.hash_password(password.as_bytes(), &salt).map_err(|e| Error::Internal(e.to_string()))?.to_string())
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    // Verify with the parameters stored in the hash, not today's: old hashes keep working.
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Hashes a new account's password; `rate_limited` when too many sign-ups are waiting.
pub async fn hash(queue: &HashQueue, password: String) -> Result<String> {
    let _slot = queue.slot(Purpose::Signup).await?;
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| Error::Internal(e.to_string()))?
}

/// Checks `password` against `phc`, or against a dummy hash when there is no user. Goes before
/// every waiting sign-up; `rate_limited` when too many log-ins are waiting.
pub async fn verify(queue: &HashQueue, password: String, phc: Option<String>) -> Result<bool> {
    let _slot = queue.slot(Purpose::Login).await?;
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify_blocking(&password, &phc),
        None => {
            verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_at_least_the_owasp_minimum() {
        let phc = hash_blocking("correct horse battery staple").expect("hash");
        let parsed = PasswordHash::new(&phc).expect("phc");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).expect("params");
        assert!(params.m_cost() >= 19 * 1024, "memory {} KiB", params.m_cost());
        assert!(params.t_cost() >= 2);
        assert!(verify_blocking("correct horse battery staple", &phc));
        assert!(!verify_blocking("correct horse battery stapler", &phc));
    }

    #[test]
    fn the_most_common_passwords_are_recognised_and_passphrases_are_not() {
        for common in ["password", "12345678", "Password1", "qwerty123", "iloveyou", "sunshine", "football1"] {
            assert!(is_common(common), "{common}");
        }
        for fine in ["correct horse battery", "tr0ub4dor&3 horse", "my cat is called Ziggy", "xkq-82!vnr-pl"] {
            assert!(!is_common(fine), "{fine}");
        }
        assert!(!is_common(&"password".repeat(20)), "long inputs are not checked");
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(hash_blocking("pw").expect("hash"), hash_blocking("pw").expect("hash"));
    }

    #[test]
    fn garbage_hashes_never_verify() {
        assert!(!verify_blocking("anything", ""));
        assert!(!verify_blocking("anything", "$argon2id$v=19$garbage"));
    }
}
