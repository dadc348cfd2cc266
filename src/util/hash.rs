//! Content hashes, lowercase hex: BLAKE3 names and compares outputs (fast), SHA-256 is what the
//! ledger and archive exports record (what archives and other tools check).

/// SHA-256 of bytes, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The Subresource Integrity value (`sha256-<base64>`) of bytes given in parts.
pub(crate) fn sri_sha256(parts: &[&[u8]]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(hasher.finalize()))
}

/// BLAKE3 of bytes, lowercase hex.
pub(crate) fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// SHA-256 of a file, read through a map (an upload of hundreds of MB is not copied into memory).
pub(crate) fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() == 0 {
        return Ok(sha256_hex(b""));
    }
    // SAFETY: read-only and dropped before returning; the file is in our own staging directory.
    let map = unsafe { memmap2::Mmap::map(&file) }?;
    Ok(sha256_hex(&map))
}
