//! Starting one program: no shell, a working directory, a timeout, and
//! output read to a bound.

use std::io::Read;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A program's stdout or stderr beyond this many bytes (64 MiB, the size
/// limit of an inventory file) is an error, not a bigger allocation.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// What to run: a program and its arguments (no shell: `argv[0]` is looked
/// up on `PATH` or taken relative to [`Command::cwd`] when it has a `/`).
#[derive(Clone, Debug)]
pub struct Command {
    argv: Vec<String>,
    cwd: Option<PathBuf>,
    timeout: Option<Duration>,
    env: Vec<(String, String)>,
}

impl Command {
    /// A command from its argument vector; `argv[0]` is the program.
    pub fn new<S: Into<String>>(argv: impl IntoIterator<Item = S>) -> Command {
        Command {
            argv: argv.into_iter().map(Into::into).collect(),
            cwd: None,
            timeout: None,
            env: Vec::new(),
        }
    }

    /// Runs the program from `dir`. A program path with a `/` is relative
    /// to it too (`./scripts/cmdb.py`).
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Command {
        self.cwd = Some(dir.into());
        self
    }

    /// Kills the program if it has not exited after `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Command {
        self.timeout = Some(timeout);
        self
    }

    /// Sets one environment variable for the program.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Command {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The argument vector.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }
}

/// How a program ended.
#[derive(Debug)]
pub struct Output {
    /// The exit status.
    pub status: ExitStatus,
    /// Everything it wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Output {
    /// Whether it exited with status 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }
}

/// Why a program could not be run to its end.
#[derive(Debug)]
pub enum RunError {
    /// The argument vector was empty.
    Empty,
    /// The program could not be started (not found, not executable).
    Spawn(std::io::Error),
    /// It was still running after the timeout and was killed; what it had
    /// written to stderr by then is kept.
    Timeout {
        /// The timeout that ran out.
        after: Duration,
        /// Its stderr up to then.
        stderr: Vec<u8>,
    },
    /// It wrote more than [`MAX_OUTPUT`] bytes to one stream and was killed.
    TooMuchOutput,
    /// Waiting for it or reading its output failed.
    Io(std::io::Error),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Empty => f.write_str("the command is empty"),
            RunError::Spawn(e) => write!(f, "could not start it: {e}"),
            RunError::Timeout { after, .. } => {
                write!(
                    f,
                    "it was still running after {} and was stopped",
                    human(*after)
                )
            }
            RunError::TooMuchOutput => write!(
                f,
                "it wrote more than {} MiB and was stopped",
                MAX_OUTPUT / (1024 * 1024)
            ),
            RunError::Io(e) => write!(f, "reading its output failed: {e}"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Spawn(e) | RunError::Io(e) => Some(e),
            _ => None,
        }
    }
}

fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// Runs `command` to its end: stdin is empty, stdout and stderr are
/// collected (each up to [`MAX_OUTPUT`]), and the program is killed when
/// its timeout runs out. Nothing goes through a shell.
pub fn run(command: &Command) -> Result<Output, RunError> {
    let (program, args) = command.argv.split_first().ok_or(RunError::Empty)?;
    let mut cmd = std::process::Command::new(resolve(program, command.cwd.as_ref()));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = &command.cwd {
        cmd.current_dir(dir);
    }
    // Its own process group, so that a timeout stops what it started too
    // (`sh -c 'sleep 30'` leaves a `sleep` holding the pipes otherwise).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    for (k, v) in &command.env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(RunError::Spawn)?;
    let over = Arc::new(AtomicBool::new(false));
    let stdout = child.stdout.take().map(|s| reader(s, over.clone()));
    let stderr = child.stderr.take().map(|s| reader(s, over.clone()));
    let deadline = command.timeout.map(|t| start + t);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(RunError::Io)? {
            break status;
        }
        let timed_out = deadline.is_some_and(|d| Instant::now() >= d);
        if timed_out || over.load(Ordering::Relaxed) {
            stop(&mut child);
            // A descendant that left the group may still hold the pipes:
            // take what was written so far without waiting for the end.
            let err = stderr.map(|r| r.partial()).unwrap_or_default();
            return Err(if timed_out {
                RunError::Timeout {
                    after: command.timeout.unwrap_or_default(),
                    stderr: err,
                }
            } else {
                RunError::TooMuchOutput
            });
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let out = collect(stdout).map_err(RunError::Io)?;
    let err = collect(stderr).map_err(RunError::Io)?;
    if over.load(Ordering::Relaxed) {
        return Err(RunError::TooMuchOutput);
    }
    Ok(Output {
        status,
        stdout: out,
        stderr: err,
        elapsed: start.elapsed(),
    })
}

/// A program path with a `/` is taken relative to the working directory
/// the command runs in, not to strata's own.
fn resolve(program: &str, cwd: Option<&PathBuf>) -> PathBuf {
    match cwd {
        Some(dir) if program.contains('/') && !program.starts_with('/') => dir.join(program),
        _ => PathBuf::from(program),
    }
}

/// Kills the program and its process group, and reaps it.
fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// One stream being read on its own thread into a shared buffer.
struct Reader {
    buffer: Arc<Mutex<Vec<u8>>>,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Reader {
    /// What was read so far, without waiting for the stream to close.
    fn partial(self) -> Vec<u8> {
        self.buffer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Reads one stream to its end or to the bound; past the bound it raises
/// `over` (the program is then stopped) and returns.
fn reader(mut stream: impl Read + Send + 'static, over: Arc<AtomicBool>) -> Reader {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let shared = buffer.clone();
    let thread = std::thread::spawn(move || {
        let mut chunk = vec![0; 64 * 1024];
        loop {
            let n = match stream.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let mut bytes = shared.lock().unwrap_or_else(|e| e.into_inner());
            if bytes.len() + n > MAX_OUTPUT {
                over.store(true, Ordering::Relaxed);
                return Ok(());
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
    });
    Reader { buffer, thread }
}

fn collect(reader: Option<Reader>) -> std::io::Result<Vec<u8>> {
    let Some(reader) = reader else {
        return Ok(Vec::new());
    };
    let Reader { buffer, thread } = reader;
    thread
        .join()
        .map_err(|_| std::io::Error::other("the output reader panicked"))??;
    Ok(std::mem::take(
        &mut *buffer.lock().unwrap_or_else(|e| e.into_inner()),
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        Command::new(["sh", "-c", script])
    }

    #[test]
    fn collects_both_streams_and_the_status() {
        let out = run(&sh("echo out; echo err >&2; exit 3")).unwrap();
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.status.code(), Some(3));
        assert!(!out.success());
    }

    #[test]
    fn a_timeout_stops_the_program_and_keeps_its_stderr() {
        let cmd = sh("echo started >&2; sleep 30").timeout(Duration::from_millis(300));
        let start = Instant::now();
        match run(&cmd) {
            Err(RunError::Timeout { after, stderr }) => {
                assert_eq!(after, Duration::from_millis(300));
                assert_eq!(stderr, b"started\n");
            }
            other => panic!("{other:?}"),
        }
        assert!(start.elapsed() < Duration::from_secs(20));
    }

    #[test]
    fn relative_programs_run_from_the_working_directory() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("s.sh");
        std::fs::write(&script, "#!/bin/sh\npwd\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = run(&Command::new(["./s.sh"]).cwd(dir.path())).unwrap();
        let pwd = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            std::fs::canonicalize(pwd.trim()).unwrap(),
            std::fs::canonicalize(dir.path()).unwrap()
        );
    }

    #[test]
    fn no_shell_is_involved() {
        let out = run(&Command::new(["echo", "$HOME;", "`id`"])).unwrap();
        assert_eq!(out.stdout, b"$HOME; `id`\n");
    }

    #[test]
    fn failures_to_start_are_errors() {
        assert!(matches!(
            run(&Command::new(Vec::<String>::new())),
            Err(RunError::Empty)
        ));
        let err = run(&Command::new(["./does-not-exist"])).unwrap_err();
        assert!(matches!(err, RunError::Spawn(_)), "{err:?}");
        assert!(err.to_string().starts_with("could not start it"));
    }

    #[test]
    fn output_past_the_bound_stops_the_program() {
        // `yes` never stops on its own.
        let err = run(&Command::new(["yes"]).timeout(Duration::from_secs(60))).unwrap_err();
        assert!(matches!(err, RunError::TooMuchOutput), "{err:?}");
    }

    #[test]
    fn environment_variables_reach_the_program() {
        let out = run(&sh("printf %s \"$STRATA_T\"").env("STRATA_T", "x y")).unwrap();
        assert_eq!(out.stdout, b"x y");
    }
}
