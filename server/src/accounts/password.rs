//! Password hashing with argon2id, off the async runtime.
//!
//! Parameters: 19 MiB of memory, 3 passes, 1 lane — above OWASP's minimum for argon2id
//! (19 MiB, 2 passes). One hash measured 55 ms p50 / 69 ms max on the 2-core reference machine
//! (`cargo run --release -p server --example bench_password`; 2 passes gave 39 ms, under the
//! 50 ms floor we want). Hashes are PHC strings, so the parameters can be raised later and old
//! hashes still verify.

use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 3;
pub const LANES: u32 = 1;

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes running at once: one per core. Argon2 is CPU-bound, so more would only add latency,
/// and each holds 19 MiB: a burst of 200 sign-ups measured 2.1 GB RSS without this cap.
static SLOTS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)));

/// A hash of a password nobody has, verified against when the username is unknown so that
/// answer takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not a real password").unwrap_or_default());

fn hash_blocking(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()?.hash_password(password.as_bytes(), &salt).map_err(|e| Error::Internal(e.to_string()))?.to_string())
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    // Verify with the parameters stored in the hash, not today's: old hashes keep working.
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

pub async fn hash(password: String) -> Result<String> {
    let _slot = SLOTS.acquire().await.map_err(|e| Error::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| Error::Internal(e.to_string()))?
}

/// Checks `password` against `phc`, or against a dummy hash when there is no user.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool> {
    let _slot = SLOTS.acquire().await.map_err(|e| Error::Internal(e.to_string()))?;
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
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(hash_blocking("pw").expect("hash"), hash_blocking("pw").expect("hash"));
    }

    #[test]
    fn garbage_hashes_never_verify() {
        assert!(!verify_blocking("anything", ""));
        assert!(!verify_blocking("anything", "$argon2id$v=19$garbage"));
    }
}
