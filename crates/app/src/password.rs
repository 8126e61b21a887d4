//! Passwords: argon2id hashes in PHC format, and generated passwords for new
//! accounts (shown once, never stored in clear).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::{AppError, AppResult, Code, Entropy};

/// Letters and digits that cannot be mistaken for one another when read aloud or
/// copied by hand (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane).
fn hasher() -> AppResult<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::new(Code::PasswordHash, format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with a fresh random salt.
pub fn hash_password(password: &str, entropy: &dyn Entropy) -> AppResult<String> {
    let mut salt = [0u8; 16];
    entropy.fill(&mut salt);
    hash_with_salt(password, salt)
}

fn hash_with_salt(password: &str, salt: [u8; 16]) -> AppResult<String> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::new(Code::PasswordHash, format!("salt: {e}")))?;
    let hash = hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::new(Code::PasswordHash, format!("hashing: {e}")))?;
    Ok(hash.to_string())
}

/// True when `password` matches the stored PHC hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match (PasswordHash::new(phc), hasher()) {
        (Ok(parsed), Ok(h)) => h.verify_password(password.as_bytes(), &parsed).is_ok(),
        _ => false,
    }
}

/// [`verify_password`] on the blocking pool: an argon2id verify takes tens of
/// milliseconds of CPU, which must not stall the async workers serving other requests.
pub(crate) async fn verify_password_blocking(password: &str, phc: &str) -> bool {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false)
}

/// [`hash_password`] on the blocking pool (the salt is drawn first, here).
pub(crate) async fn hash_password_blocking(password: &str, entropy: &dyn Entropy) -> AppResult<String> {
    let mut salt = [0u8; 16];
    entropy.fill(&mut salt);
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_with_salt(&password, salt))
        .await
        .map_err(|e| AppError::new(Code::PasswordHash, format!("hashing: {e}")))?
}

/// A generated password: 20 characters from a 31-letter alphabet (about 99 bits),
/// in groups of five for reading: `k7wq2-...`.
pub fn generate_password(entropy: &dyn Entropy) -> String {
    let mut out = String::with_capacity(23);
    let mut produced = 0;
    while produced < 20 {
        let mut byte = [0u8; 1];
        entropy.fill(&mut byte);
        // Rejection sampling keeps every letter equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        if usize::from(byte[0]) >= limit {
            continue;
        }
        if produced > 0 && produced % 5 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        produced += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SeededEntropy;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let e = SeededEntropy::new(1);
        let hash = hash_password("correct horse", &e).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsE", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_same_password_gets_different_salts() {
        let e = SeededEntropy::new(2);
        assert_ne!(hash_password("pw", &e).unwrap(), hash_password("pw", &e).unwrap());
    }

    #[test]
    fn generated_passwords_have_the_documented_shape() {
        let e = SeededEntropy::new(3);
        let pw = generate_password(&e);
        assert_eq!(pw.len(), 23, "{pw}");
        assert_eq!(pw.matches('-').count(), 3, "{pw}");
        assert!(pw.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))), "{pw}");
        assert_ne!(generate_password(&e), pw);
    }
}
