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

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const MAGIC: &[u8] = b"strata-source-cache-1";

/// The most a cache entry may weigh: 128 MiB, twice what a command may
/// write on stdout. A larger answer is not cached; a larger file is not
/// read.
pub const MAX_ENTRY: u64 = 2 * crate::process::MAX_OUTPUT as u64;

/// How far in the future an entry's modification time may lie (clocks of
/// a shared file system disagree a little) before the entry is refused
/// rather than taken as just written: it would stay fresh until then.
pub const FUTURE_SLACK: Duration = Duration::from_secs(60);

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

/// A file where a cache entry should be that cannot be used: not a
/// regular file, too large, modified in the future, or not what strata
/// writes. It counts as no entry (the command runs, with consent, and its
/// answer replaces the file); the loader reports it as a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damaged {
    /// The entry's file.
    pub path: PathBuf,
    /// What is wrong with it: `is a symbolic link`, `is damaged: ...`.
    pub reason: String,
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for Damaged {}

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

    /// The cached answer: `Ok(None)` when there is none for this key,
    /// [`Damaged`] when the file there cannot be used.
    ///
    /// The file is untrusted input: it is opened without following a
    /// symbolic link and without waiting on a FIFO, checked to be a regular
    /// file of at most [`MAX_ENTRY`] bytes by the opened handle, and read
    /// to that bound whatever its size says.
    pub fn read(&self) -> Result<Option<Cached>, Damaged> {
        let damaged = |reason: String| Damaged {
            path: self.path.clone(),
            reason,
        };
        let file = match open_entry(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(_) if is_symlink(&self.path) => {
                return Err(damaged("is a symbolic link".into()));
            }
            Err(e) => return Err(damaged(format!("cannot be read: {e}"))),
        };
        let meta = file
            .metadata()
            .map_err(|e| damaged(format!("cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(damaged(format!(
                "is not a regular file (it is {})",
                kind(&meta.file_type())
            )));
        }
        if meta.len() > MAX_ENTRY {
            return Err(damaged(format!(
                "is {} bytes, over the limit of {MAX_ENTRY} bytes (128 MiB)",
                meta.len()
            )));
        }
        let modified = meta
            .modified()
            .map_err(|e| damaged(format!("has no modification time: {e}")))?;
        let age = match SystemTime::now().duration_since(modified) {
            Ok(age) => age,
            Err(e) if e.duration() <= FUTURE_SLACK => Duration::ZERO,
            Err(e) => {
                return Err(damaged(format!(
                    "was modified in the future ({} from now): it would stay fresh until then",
                    coarse(e.duration())
                )));
            }
        };
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(MAX_ENTRY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(format!("cannot be read: {e}")))?;
        if bytes.len() as u64 > MAX_ENTRY {
            return Err(damaged(format!(
                "grew past the limit of {MAX_ENTRY} bytes (128 MiB) while being read"
            )));
        }
        let mut cached = self.decode(&bytes)?;
        if let Some(c) = &mut cached {
            c.age = age;
        }
        Ok(cached)
    }

    /// Reads the bytes of an entry (what [`Entry::encode`] writes): `None`
    /// when they are another key's entry, [`Damaged`] when they are not an
    /// entry. The age is zero.
    pub fn decode(&self, bytes: &[u8]) -> Result<Option<Cached>, Damaged> {
        let damaged = |reason: &str| Damaged {
            path: self.path.clone(),
            reason: reason.to_string(),
        };
        if bytes.is_empty() {
            return Err(damaged("is empty"));
        }
        let mut fields = Fields(bytes);
        let mut next = || match fields.next_field() {
            Ok(Some(f)) => Ok(f),
            Ok(None) => Err(damaged("is damaged: it is cut short")),
            Err(problem) => Err(damaged(&format!("is damaged: {problem}"))),
        };
        if next().ok() != Some(MAGIC) {
            return Err(damaged("is not a strata cache entry"));
        }
        for k in &self.key {
            if next()? != k.as_slice() {
                // Another inventory's or command's entry whose name hashes
                // alike: not damaged, just not this one's.
                return Ok(None);
            }
        }
        let text = |b: &[u8]| {
            String::from_utf8(b.to_vec())
                .map_err(|_| damaged("is damaged: it holds text that is not UTF-8"))
        };
        let list = text(next()?)?;
        let mut hosts = Vec::new();
        loop {
            let name = match fields.next_field() {
                Ok(Some(name)) => name,
                Ok(None) => break,
                Err(problem) => return Err(damaged(&format!("is damaged: {problem}"))),
            };
            let answer = match fields.next_field() {
                Ok(Some(answer)) => answer,
                Ok(None) => return Err(damaged("is damaged: it is cut short")),
                Err(problem) => return Err(damaged(&format!("is damaged: {problem}"))),
            };
            hosts.push((text(name)?, text(answer)?));
        }
        Ok(Some(Cached {
            list,
            hosts,
            age: Duration::ZERO,
        }))
    }

    /// The bytes of an entry holding `list` and the `--host` answers
    /// `hosts`: length-prefixed fields, `<decimal length>\n<bytes>\n`,
    /// first a magic line and the key.
    pub fn encode(&self, list: &str, hosts: &[(String, String)]) -> Vec<u8> {
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
        out
    }

    /// Writes an answer atomically (a temporary file renamed into place).
    /// An answer over [`MAX_ENTRY`] bytes is not written.
    pub fn write(&self, list: &str, hosts: &[(String, String)]) -> std::io::Result<()> {
        let dir = self.path.parent().expect("an entry is inside a folder");
        let out = self.encode(list, hosts);
        if out.len() as u64 > MAX_ENTRY {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("an answer of {} bytes is over the cache's limit", out.len()),
            ));
        }
        create_private_dir(dir)?;
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

/// Opens an entry for reading without following a symbolic link (the
/// open fails) and without blocking on a FIFO (it opens, and is then
/// refused as not a regular file).
#[cfg(unix)]
fn open_entry(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    Ok(std::fs::File::from(rustix::fs::open(
        path,
        flags,
        Mode::empty(),
    )?))
}

#[cfg(not(unix))]
fn open_entry(path: &Path) -> std::io::Result<std::fs::File> {
    if is_symlink(path) {
        return Err(std::io::Error::other("a symbolic link"));
    }
    std::fs::File::open(path)
}

/// `90 s`, `12 min`, `5 h`, `1124 days`.
fn coarse(d: Duration) -> String {
    match d.as_secs() {
        s @ 0..120 => format!("{s} s"),
        s @ 120..7200 => format!("{} min", s / 60),
        s @ 7200..172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "not a file"
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

impl<'a> Fields<'a> {
    /// The next field; `None` at the end.
    fn next_field(&mut self) -> Result<Option<&'a [u8]>, &'static str> {
        if self.0.is_empty() {
            return Ok(None);
        }
        // At most 20 digits: a usize, and a bound on the search for `\n`.
        let head = &self.0[..self.0.len().min(21)];
        let nl = head
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("a field's length is not a number")?;
        let digits = &self.0[..nl];
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err("a field's length is not a number");
        }
        let len: usize = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or("a field's length is not a number")?;
        let rest = &self.0[nl + 1..];
        // The field, then its `\n`: more than `len` bytes must remain.
        if len >= rest.len() {
            return Err("a field is longer than the file");
        }
        if rest[len] != b'\n' {
            return Err("a field does not end where its length says");
        }
        self.0 = &rest[len + 1..];
        Ok(Some(&rest[..len]))
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
        assert_eq!(e.read(), Ok(None));
        let hosts = vec![("w1".to_string(), "{\"a\": \"x\\ny\"}\n".to_string())];
        e.write("{\"web\": [\"w1\"]}\n", &hosts).unwrap();
        let got = e.read().unwrap().unwrap();
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
            assert_eq!(other.read(), Ok(None));
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sources"))
            .unwrap()
            .collect();
        assert_eq!(names.len(), 1);
        // A damaged file is no answer.
        std::fs::write(e.path(), b"strata-source-cache-1 garbage").unwrap();
        assert!(e.read().is_err());
    }

    fn entry(dir: &Path) -> Entry {
        let argv = vec!["./inv.py".to_string(), "--list".to_string()];
        Entry::new(dir, Path::new("/inv/a"), "cmdb", &argv)
    }

    /// The reason `e.read()` gives for its file being unusable.
    fn damage(e: &Entry) -> String {
        match e.read() {
            Err(d) => {
                assert_eq!(d.path, e.path());
                d.reason
            }
            Ok(c) => panic!("read as {c:?}"),
        }
    }

    #[test]
    fn damaged_lengths_are_damage_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let e = entry(dir.path());
        let good = e.encode("{}", &[("w1".into(), "{}".into())]);
        std::fs::create_dir_all(e.path().parent().unwrap()).unwrap();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            // The length that made `len + 1` wrap.
            (
                b"18446744073709551615\nx\n".to_vec(),
                "is not a strata cache entry",
            ),
            (b"".to_vec(), "is empty"),
            (
                b"99999999999999999999999\n".to_vec(),
                "is not a strata cache entry",
            ),
            (
                [&good[..good.len() - 1], b"x"].concat(),
                "does not end where its length says",
            ),
            (
                [&good[..], b"18446744073709551615\nx\n"].concat(),
                "longer than the file",
            ),
            ([&good[..], b"+1\nx\n"].concat(), "length is not a number"),
            ([&good[..], b"1\nx\n"].concat(), "cut short"),
            (good[..good.len() - 3].to_vec(), "longer than the file"),
        ];
        for (bytes, want) in cases {
            std::fs::write(e.path(), &bytes).unwrap();
            let why = damage(&e);
            assert!(why.contains(want), "{bytes:?}: {why}");
        }
        let mut latin1 = e.encode("{}", &[]);
        let at = latin1.len() - 3;
        latin1[at] = 0xe9;
        std::fs::write(e.path(), &latin1).unwrap();
        assert!(damage(&e).contains("not UTF-8"));
        // Another key's entry is no entry, not damage.
        let other = Entry::new(dir.path(), Path::new("/inv/b"), "cmdb", &[]);
        std::fs::write(e.path(), other.encode("{}", &[])).unwrap();
        assert_eq!(e.read(), Ok(None));
        std::fs::write(e.path(), &good).unwrap();
        assert_eq!(e.read().unwrap().unwrap().hosts.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn links_fifos_folders_and_huge_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let e = entry(dir.path());
        std::fs::create_dir_all(e.path().parent().unwrap()).unwrap();
        // A link to /dev/zero would read forever; one to a good entry is
        // refused too: an entry is never a link.
        std::os::unix::fs::symlink("/dev/zero", e.path()).unwrap();
        assert_eq!(damage(&e), "is a symbolic link");
        std::fs::remove_file(e.path()).unwrap();
        let good = dir.path().join("good");
        std::fs::write(&good, e.encode("{}", &[])).unwrap();
        std::os::unix::fs::symlink(&good, e.path()).unwrap();
        assert_eq!(damage(&e), "is a symbolic link");
        std::fs::remove_file(e.path()).unwrap();
        // A FIFO would block the read until a writer came.
        let made = std::process::Command::new("mkfifo")
            .arg(e.path())
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(damage(&e), "is not a regular file (it is a FIFO)");
        std::fs::remove_file(e.path()).unwrap();
        std::fs::create_dir(e.path()).unwrap();
        assert_eq!(damage(&e), "is not a regular file (it is a folder)");
        std::fs::remove_dir(e.path()).unwrap();
        // Refused by its size, never read (sparse: it costs no disk).
        let f = std::fs::File::create(e.path()).unwrap();
        f.set_len(MAX_ENTRY + 1).unwrap();
        assert!(damage(&e).contains("over the limit"), "{}", damage(&e));
    }

    #[test]
    fn an_entry_from_the_future_is_not_fresh_forever() {
        let dir = tempfile::tempdir().unwrap();
        let e = entry(dir.path());
        e.write("{}", &[]).unwrap();
        let set = |ahead: Duration| {
            let f = std::fs::File::options().write(true).open(e.path()).unwrap();
            f.set_modified(SystemTime::now() + ahead).unwrap();
        };
        set(Duration::from_secs(365 * 86_400));
        let why = damage(&e);
        assert!(
            why.starts_with("was modified in the future (364 days"),
            "{why}"
        );
        // A clock a little ahead is taken as now.
        set(Duration::from_secs(20));
        assert_eq!(e.read().unwrap().unwrap().age, Duration::ZERO);
    }
}
