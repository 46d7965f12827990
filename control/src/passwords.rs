//! Password hashing with argon2id, off the async runtime and with bounded
//! concurrency: each hash takes ~20 ms of one core and ~19 MiB of memory.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

/// argon2id cost parameters. The default is OWASP's minimum: m=19456 KiB, t=2, p=1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashCost {
    fn params(self) -> Result<Params, String> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None).map_err(|e| {
            format!(
                "argon2 parameters m={} KiB, t={}, p={} are not usable: {e}",
                self.memory_kib, self.iterations, self.parallelism
            )
        })
    }
}

/// What checking a password against a stored hash found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Mismatch,
    /// The password is right; `rehash` holds a new hash when the stored one
    /// was made with other parameters than today's.
    Match {
        rehash: Option<String>,
    },
}

/// Why hashing failed: always the service's fault, never the user's.
#[derive(Debug)]
pub struct HashError(pub String);

impl std::fmt::Display for HashError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hashes and verifies passwords on the blocking thread pool, at most
/// `concurrency` at a time.
#[derive(Debug, Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so that an unknown
    /// name costs the same work as a wrong password.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub fn new(cost: HashCost, concurrency: usize) -> Result<Self, String> {
        let params = cost.params()?;
        let dummy = hasher(&params)
            .hash_password(b"no account has this password")
            .map_err(|e| format!("argon2 cannot hash: {e}"))?;
        Ok(Passwords {
            params,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: dummy.to_string().into(),
        })
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let params = self.params.clone();
        self.run(move || {
            hasher(&params)
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| HashError(format!("argon2 failed to hash: {e}")))
        })
        .await
    }

    /// Checks `password` against `stored`, or against the dummy hash when there
    /// is no account (`stored` is `None`); the latter is always a mismatch.
    pub async fn verify(
        &self,
        stored: Option<String>,
        password: String,
    ) -> Result<Verdict, HashError> {
        let params = self.params.clone();
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        self.run(move || {
            let current = hasher(&params);
            let good = current
                .verify_password(password.as_bytes(), stored.as_str())
                .is_ok();
            if !(good && exists) {
                return Ok(Verdict::Mismatch);
            }
            if made_with(&stored, &params) {
                return Ok(Verdict::Match { rehash: None });
            }
            let rehash = current
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| HashError(format!("argon2 failed to rehash: {e}")))?;
            Ok(Verdict::Match {
                rehash: Some(rehash),
            })
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError("the hashing pool is closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| HashError(format!("a hashing task failed: {e}")))?
    }
}

fn hasher(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

/// Whether `phc` is an argon2id v19 hash with exactly these cost parameters.
fn made_with(phc: &str, params: &Params) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(stored) = Params::try_from(&hash) else {
        return false;
    };
    hash.algorithm == argon2::ARGON2ID_IDENT
        && hash.version == Some(Version::V0x13.into())
        && stored.m_cost() == params.m_cost()
        && stored.t_cost() == params.t_cost()
        && stored.p_cost() == params.p_cost()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: HashCost = HashCost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    #[tokio::test]
    async fn hash_then_verify() {
        let p = Passwords::new(CHEAP, 2).unwrap();
        let phc = p.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert_eq!(
            p.verify(Some(phc.clone()), "correct horse".into())
                .await
                .unwrap(),
            Verdict::Match { rehash: None }
        );
        assert_eq!(
            p.verify(Some(phc), "correct horsf".into()).await.unwrap(),
            Verdict::Mismatch
        );
    }

    #[tokio::test]
    async fn no_account_never_matches_even_the_dummy_password() {
        let p = Passwords::new(CHEAP, 1).unwrap();
        let v = p.verify(None, "no account has this password".into());
        assert_eq!(v.await.unwrap(), Verdict::Mismatch);
    }

    #[tokio::test]
    async fn old_parameters_are_rehashed_on_a_good_password() {
        let old = Passwords::new(CHEAP, 1).unwrap();
        let phc = old.hash("pässwörd 🔑".into()).await.unwrap();
        let stronger = HashCost {
            memory_kib: 128,
            iterations: 2,
            ..CHEAP
        };
        let new = Passwords::new(stronger, 1).unwrap();
        let Verdict::Match { rehash: Some(re) } =
            new.verify(Some(phc), "pässwörd 🔑".into()).await.unwrap()
        else {
            panic!("expected a rehash");
        };
        assert!(re.starts_with("$argon2id$v=19$m=128,t=2,p=1$"), "{re}");
        assert_eq!(
            new.verify(Some(re), "pässwörd 🔑".into()).await.unwrap(),
            Verdict::Match { rehash: None }
        );
    }

    #[test]
    fn unusable_parameters_are_explained() {
        let bad = HashCost {
            memory_kib: 1,
            ..CHEAP
        };
        let e = Passwords::new(bad, 1).unwrap_err();
        assert!(e.contains("m=1 KiB"), "{e}");
    }
}
