//! The cache of command sources' last good answers.
//!
//! One file per source, under `$XDG_CACHE_HOME/strata/sources/` (else
//! `~/.cache/strata/sources/`), named after the source and a hash of the
//! canonical inventory root, the source's name and its command, so that
//! two inventories (or a changed command) never share an answer. The file
//! repeats those three and is ignored unless they match. It is written to a
//! temporary file and renamed into place, so a reader sees the old answer
//! or the new one, never half of one. Answers may hold secrets: the folder
//! is made readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const MAGIC: &[u8] = b"strata-source-cache-1";

/// The user's cache folder for strata: `$XDG_CACHE_HOME/strata` when that
/// is an absolute path, else `$HOME/.cache/strata`; `None` when neither is
/// known.
pub fn default_cache_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from);
    if let Some(x) = xdg.filter(|p| p.is_absolute()) {
        return Some(x.join("strata"));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    home.is_absolute()
        .then(|| home.join(".cache").join("strata"))
}

/// What the cache holds for one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    /// The `--list` answer.
    pub list: String,
    /// `--host NAME` answers.
    pub hosts: Vec<(String, String)>,
    /// How long ago it was written.
    pub age: Duration,
}

/// The cache entry of one source.
#[derive(Clone, Debug)]
pub struct Entry {
    path: PathBuf,
    key: Vec<Vec<u8>>,
}

impl Entry {
    /// The entry for source `name` of the inventory at `root` (canonical),
    /// running `argv`, in the cache folder `dir`.
    pub fn new(dir: &Path, root: &Path, name: &str, argv: &[String]) -> Entry {
        let key = vec![
            root.as_os_str().as_encoded_bytes().to_vec(),
            name.as_bytes().to_vec(),
            argv.join("\0").into_bytes(),
        ];
        let mut h = Fnv::default();
        for k in &key {
            h.write(k);
            h.write(&[0xff]);
        }
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        Entry {
            path: dir
                .join("sources")
                .join(format!("{safe}-{:016x}.answer", h.0)),
            key,
        }
    }

    /// Where the entry lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cached answer, if there is one for this key.
    pub fn read(&self) -> Option<Cached> {
        let bytes = std::fs::read(&self.path).ok()?;
        let modified = std::fs::metadata(&self.path).ok()?.modified().ok()?;
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default();
        let mut fields = Fields(&bytes);
        if fields.next()? != MAGIC {
            return None;
        }
        for k in &self.key {
            if fields.next()? != k.as_slice() {
                return None;
            }
        }
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
        let list = text(fields.next()?)?;
        let mut hosts = Vec::new();
        while let Some(name) = fields.next() {
            hosts.push((text(name)?, text(fields.next()?)?));
        }
        Some(Cached { list, hosts, age })
    }

    /// Writes an answer atomically (a temporary file renamed into place).
    pub fn write(&self, list: &str, hosts: &[(String, String)]) -> std::io::Result<()> {
        let dir = self.path.parent().expect("an entry is inside a folder");
        create_private_dir(dir)?;
        let mut out = Vec::with_capacity(list.len() + 256);
        let mut field = |b: &[u8]| {
            out.extend_from_slice(format!("{}\n", b.len()).as_bytes());
            out.extend_from_slice(b);
            out.push(b'\n');
        };
        field(MAGIC);
        for k in &self.key {
            field(k);
        }
        field(list.as_bytes());
        for (h, t) in hosts {
            field(h.as_bytes());
            field(t.as_bytes());
        }
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let tmp = self
            .path
            .with_extension(format!("tmp.{}.{nanos}", std::process::id()));
        let result = (|| {
            let mut f = private_file(&tmp)?;
            f.write_all(&out)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Length-prefixed fields: `<decimal length>\n<bytes>\n`.
struct Fields<'a>(&'a [u8]);

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let nl = self.0.iter().position(|&b| b == b'\n')?;
        let len: usize = std::str::from_utf8(&self.0[..nl]).ok()?.parse().ok()?;
        let rest = &self.0[nl + 1..];
        if rest.len() < len + 1 || rest[len] != b'\n' {
            return None;
        }
        self.0 = &rest[len + 1..];
        Some(&rest[..len])
    }
}

/// FNV-1a, 64 bits: a stable hash for file names (std's is not promised
/// stable across releases).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        let argv = vec!["./inv.py".to_string(), "--list".to_string()];
        let e = Entry::new(dir.path(), Path::new("/inv/a"), "cmdb", &argv);
        assert_eq!(e.read(), None);
        let hosts = vec![("w1".to_string(), "{\"a\": \"x\\ny\"}\n".to_string())];
        e.write("{\"web\": [\"w1\"]}\n", &hosts).unwrap();
        let got = e.read().unwrap();
        assert_eq!(got.list, "{\"web\": [\"w1\"]}\n");
        assert_eq!(got.hosts, hosts);
        assert!(got.age < Duration::from_secs(60));
        // Another root, name or command is another entry.
        for other in [
            Entry::new(dir.path(), Path::new("/inv/b"), "cmdb", &argv),
            Entry::new(dir.path(), Path::new("/inv/a"), "crm", &argv),
            Entry::new(dir.path(), Path::new("/inv/a"), "cmdb", &argv[..1]),
        ] {
            assert_ne!(other.path(), e.path());
            assert_eq!(other.read(), None);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sources"))
            .unwrap()
            .collect();
        assert_eq!(names.len(), 1);
        // A damaged file is no answer.
        std::fs::write(e.path(), b"strata-source-cache-1 garbage").unwrap();
        assert_eq!(e.read(), None);
    }
}
