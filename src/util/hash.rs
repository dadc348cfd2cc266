//! Content hashes, lowercase hex: BLAKE3 names and compares outputs (fast), SHA-256 is what the
//! ledger and archive exports record (what archives and other tools check).

/// SHA-256 of bytes, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// BLAKE3 of bytes, lowercase hex.
pub(crate) fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}
