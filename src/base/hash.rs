//! SHA-256, the one hash planpress uses (a standard anyone can check with `sha256sum`): the
//! fingerprints that key the cache and the releases, and every file's hash in a manifest.

use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Builds a fingerprint from named parts; each part is length-prefixed, so that moving bytes
/// from one part to the next changes the result.
#[derive(Clone, Default)]
pub struct Fingerprint(Sha256);

impl Fingerprint {
    pub fn new(kind: &str) -> Fingerprint {
        let mut f = Fingerprint(Sha256::new());
        f.add(kind.as_bytes());
        f
    }

    pub fn add(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a value as its JSON, streamed into the hash.
    pub fn add_json(&mut self, value: &impl Serialize) -> &mut Self {
        let mut writer = HashWriter(Sha256::new());
        serde_json::to_writer(&mut writer, value).expect("plain data serializes");
        self.add(&writer.0.finalize())
    }

    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_their_parts() {
        let a = Fingerprint::new("k").add(b"ab").add(b"c").clone().finish();
        let b = Fingerprint::new("k").add(b"a").add(b"bc").clone().finish();
        assert_ne!(a, b);
    }
}
