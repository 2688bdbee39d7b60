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
///
/// The program runs in a process group of its own, and that group is
/// killed when the program exits, so nothing it started in the background
/// outlives it or holds its output open. The timeout bounds the whole run,
/// reading the output included: a process that left the group and keeps
/// stdout open ends the run at the timeout too. When the embedding program
/// asked for it ([`stop_children_on_signals`]), SIGINT, SIGTERM and SIGHUP
/// kill the group of every program still running before the process ends.
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
    // A timeout too long to add to the clock is no deadline.
    let deadline = command.timeout.and_then(|t| start.checked_add(t));
    let timed_out = || deadline.is_some_and(|d| Instant::now() >= d);
    let mut running = Running {
        child: signals::spawn(&mut cmd).map_err(RunError::Spawn)?,
        reaped: false,
    };
    let over = Arc::new(AtomicBool::new(false));
    let stdout = running.child.stdout.take().map(|s| reader(s, over.clone()));
    let stderr = running.child.stderr.take().map(|s| reader(s, over.clone()));
    // What was written to stderr so far, without waiting for the end (a
    // descendant that left the group may still hold the pipe).
    let timeout = |stderr: Option<Reader>| RunError::Timeout {
        after: command.timeout.unwrap_or_default(),
        stderr: stderr.map(Reader::partial).unwrap_or_default(),
    };
    while !exited(&mut running.child).map_err(RunError::Io)? {
        // Returning drops `running`: the group is killed.
        if over.load(Ordering::Relaxed) {
            return Err(RunError::TooMuchOutput);
        }
        if timed_out() {
            return Err(timeout(stderr));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // It exited: what it left running in its group goes with it, so that
    // its pipes close.
    let status = running.finish().map_err(RunError::Io)?;
    // A process that left the group may still hold a pipe: the wait for
    // the end of the output is bounded by the timeout too.
    while !(stdout.as_ref().is_none_or(Reader::done) && stderr.as_ref().is_none_or(Reader::done)) {
        if over.load(Ordering::Relaxed) {
            return Err(RunError::TooMuchOutput);
        }
        if timed_out() {
            return Err(timeout(stderr));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
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

/// A started program: dropped before [`Running::finish`] (a timeout, too
/// much output, an error), it is killed with its process group and reaped.
struct Running {
    child: std::process::Child,
    reaped: bool,
}

impl Running {
    /// Kills what is left of its process group, reaps it, and returns how
    /// it exited. Called once [`exited`] said it has.
    fn finish(&mut self) -> std::io::Result<ExitStatus> {
        self.reaped = true;
        stop(&mut self.child)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = stop(&mut self.child);
        }
    }
}

/// Whether the program has exited. On Linux it is left unreaped (a zombie
/// keeps its process id, so the id of its process group cannot go to
/// another process before [`stop`] kills the group); elsewhere it is reaped,
/// and [`stop`] kills its group right after.
#[cfg(target_os = "linux")]
fn exited(child: &mut std::process::Child) -> std::io::Result<bool> {
    use rustix::process::{WaitId, WaitIdOptions, waitid};
    let pid = rustix::process::Pid::from_child(child);
    let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
    Ok(waitid(WaitId::Pid(pid), options)?.is_some())
}

#[cfg(not(target_os = "linux"))]
fn exited(child: &mut std::process::Child) -> std::io::Result<bool> {
    Ok(child.try_wait()?.is_some())
}

/// A program path with a `/` is taken relative to the working directory
/// the command runs in, not to strata's own.
fn resolve(program: &str, cwd: Option<&PathBuf>) -> PathBuf {
    match cwd {
        Some(dir) if program.contains('/') && !program.starts_with('/') => dir.join(program),
        _ => PathBuf::from(program),
    }
}

/// Kills the program's process group and the program, and reaps it.
fn stop(child: &mut std::process::Child) -> std::io::Result<ExitStatus> {
    #[cfg(unix)]
    {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    // Reaped before it is forgotten: once no program is recorded as
    // running, what is left below this process is orphans, and only then
    // are they stopped (see `orphans`).
    let status = child.wait();
    signals::forget(child);
    status
}

/// Asks [`run`] to stop the programs it runs when this process is told to
/// end: on SIGINT (Ctrl-C), SIGTERM or SIGHUP, the process group of every
/// program still running is killed, then the process ends as the signal
/// would have ended it (a shell shows status 130 for SIGINT, 143 for
/// SIGTERM). Without it, a program runs in a process group of its own, so
/// Ctrl-C at a terminal does not reach it, and it outlives strata.
///
/// On Linux it also makes this process a child subreaper: a descendant
/// that left its program's process group (`setsid` in a script, a
/// daemon's double fork) is adopted by this process instead of by init
/// when its parent exits, and every such orphan is killed as soon as no
/// program is running any more (after each [`run`] that leaves none
/// running, and on those signals). So nothing a program starts outlives
/// strata, whatever group or session it moved to.
///
/// For programs (the `strata` binary calls it first thing); a library that
/// embeds strata leaves signals and orphans to its program. The handler is
/// installed by the first [`run`] after this call, so a process that runs
/// nothing installs nothing. Does nothing outside Unix.
pub fn stop_children_on_signals() {
    signals::enable();
    #[cfg(target_os = "linux")]
    orphans::adopt();
}

/// The programs running now, so that a signal can stop them.
#[cfg(unix)]
mod signals {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, Once, PoisonError};

    use rustix::process::{Pid, Signal, kill_process_group};

    /// The process groups of the programs running (each program leads its
    /// own group). Held while a program starts, and by the signal thread
    /// from the signal to the end of the process, so that no program
    /// starts unseen.
    static RUNNING: Mutex<Vec<Pid>> = Mutex::new(Vec::new());
    static ENABLED: AtomicBool = AtomicBool::new(false);
    static INSTALL: Once = Once::new();

    pub(super) fn enable() {
        ENABLED.store(true, Ordering::Relaxed);
    }

    /// Starts `cmd` (in a group of its own) and records it.
    pub(super) fn spawn(cmd: &mut std::process::Command) -> std::io::Result<std::process::Child> {
        if ENABLED.load(Ordering::Relaxed) {
            INSTALL.call_once(install);
        }
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        let child = cmd.spawn()?;
        running.push(Pid::from_child(&child));
        Ok(child)
    }

    /// `child`'s group was killed and `child` reaped: it is no longer
    /// recorded. When it was the last program running, the orphans its
    /// descendants left are stopped now, before another program can start.
    pub(super) fn forget(child: &std::process::Child) {
        let pid = Pid::from_child(child);
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        running.retain(|&p| p != pid);
        #[cfg(target_os = "linux")]
        if running.is_empty() {
            super::orphans::stop();
        }
    }

    fn install() {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        // Without a handler (one that cannot be installed), a signal ends
        // the process as before, and its programs outlive it.
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("strata-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Kept locked until the process ends: nothing starts now.
                    let running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
                    for &pid in running.iter() {
                        let _ = kill_process_group(pid, Signal::KILL);
                    }
                    #[cfg(target_os = "linux")]
                    super::orphans::stop();
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
    }
}

/// Orphans: descendants of this process that left their program's process
/// group, adopted because this process is a child subreaper
/// ([`stop_children_on_signals`]).
#[cfg(target_os = "linux")]
mod orphans {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use rustix::process::{Pid, Signal, WaitOptions, getpid, kill_process, waitpid};

    static ADOPTING: AtomicBool = AtomicBool::new(false);

    /// How long [`stop`] keeps killing (a descendant that forks as fast as
    /// it is killed cannot hold strata forever).
    const PATIENCE: Duration = Duration::from_secs(2);

    /// Makes this process adopt its orphaned descendants.
    pub(super) fn adopt() {
        if rustix::process::set_child_subreaper(Some(getpid())).is_ok() {
            ADOPTING.store(true, Ordering::Relaxed);
        }
    }

    /// Kills every descendant of this process and reaps those it adopted.
    /// Called when no program is running (the lock of running programs
    /// held, so none starts meanwhile): whatever is still below this
    /// process then is something a finished program left behind. A killed
    /// process's own children are adopted in turn, so it goes round until
    /// none is left or [`PATIENCE`] runs out.
    pub(super) fn stop() {
        if !ADOPTING.load(Ordering::Relaxed) {
            return;
        }
        let me = getpid();
        let start = Instant::now();
        // The common case, after every program: no child at all. A
        // descendant below an orphan implies an orphan (a child: this
        // process adopted it), so this few-byte read answers without
        // scanning every process.
        if has_children() == Some(false) {
            return;
        }
        loop {
            let below = descendants(me);
            if below.is_empty() {
                return;
            }
            for &(pid, _) in &below {
                let _ = kill_process(pid, Signal::KILL);
            }
            // Adopted ones are this process's children: reap them (a
            // zombie is reaped here too, whoever killed it).
            for &(pid, parent) in &below {
                if parent == me {
                    let _ = waitpid(Some(pid), WaitOptions::NOHANG);
                }
            }
            if start.elapsed() > PATIENCE {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Whether any thread of this process has a child (`/proc/self/task/
    /// TID/children`); `None` when the kernel does not say.
    fn has_children() -> Option<bool> {
        for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
            let children = std::fs::read_to_string(task.path().join("children")).ok()?;
            if !children.trim().is_empty() {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Every process below `me` (its children, theirs, ...), each with its
    /// parent, read from /proc. Zombies count: they must be reaped.
    fn descendants(me: Pid) -> Vec<(Pid, Pid)> {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.parse::<i32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            if let Some(parent) = parent_of(&stat) {
                children.entry(parent).or_default().push(pid);
            }
        }
        let mut out = Vec::new();
        let mut todo = vec![me.as_raw_nonzero().get()];
        while let Some(parent) = todo.pop() {
            for &child in children.get(&parent).into_iter().flatten() {
                if let (Some(c), Some(p)) = (Pid::from_raw(child), Pid::from_raw(parent)) {
                    out.push((c, p));
                    todo.push(child);
                }
            }
        }
        out
    }

    /// The parent's id in a `/proc/PID/stat` line: `pid (comm) state ppid
    /// ...`, where `comm` may hold spaces and parentheses.
    pub(super) fn parent_of(stat: &str) -> Option<i32> {
        let rest = &stat[stat.rfind(')')? + 1..];
        let mut fields = rest.split_ascii_whitespace();
        fields.next()?; // state
        fields.next()?.parse().ok()
    }
}

#[cfg(not(unix))]
mod signals {
    pub(super) fn enable() {}

    pub(super) fn spawn(cmd: &mut std::process::Command) -> std::io::Result<std::process::Child> {
        cmd.spawn()
    }

    pub(super) fn forget(_: &std::process::Child) {}
}

/// One stream being read on its own thread into a shared buffer.
struct Reader {
    buffer: Arc<Mutex<Vec<u8>>>,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Reader {
    /// The stream is closed (or the bound reached): [`collect`] will not wait.
    fn done(&self) -> bool {
        self.thread.is_finished()
    }

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

    /// Process `pid` is gone (or a zombie left for init to reap) within 2 s.
    #[cfg(target_os = "linux")]
    fn gone(pid: &str) -> bool {
        for _ in 0..200 {
            match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
                Err(_) => return true,
                Ok(stat)
                    if stat
                        .rsplit(')')
                        .next()
                        .unwrap_or("")
                        .trim_start()
                        .starts_with('Z') =>
                {
                    return true;
                }
                Ok(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        false
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn what_it_leaves_running_is_stopped_when_it_exits() {
        // The answer is printed, then a background child would hold stdout
        // (and outlive strata) for 30 s.
        let cmd = sh("sleep 30 & echo $!; exit 0").timeout(Duration::from_secs(20));
        let start = Instant::now();
        let out = run(&cmd).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        assert!(out.success());
        let pid = String::from_utf8(out.stdout).unwrap();
        assert!(
            gone(&pid),
            "the background `sleep` ({pid}) outlived the run"
        );
    }

    #[test]
    fn the_timeout_bounds_the_wait_for_the_output_too() {
        // A process that left the group keeps stdout open after the
        // program exited: the run ends at the timeout all the same.
        let dir = tempfile::tempdir().unwrap();
        let script = "setsid sh -c 'touch escaped; exec sleep 5' & \
                      while [ ! -e escaped ]; do sleep 0.01; done; echo started >&2; exit 0";
        let cmd = sh(script).cwd(dir.path()).timeout(Duration::from_secs(1));
        let start = Instant::now();
        match run(&cmd) {
            Err(RunError::Timeout { stderr, .. }) => assert_eq!(stderr, b"started\n"),
            other => panic!("{other:?}"),
        }
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "{:?}",
            start.elapsed()
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_parent_is_read_after_the_last_parenthesis_of_the_name() {
        use super::orphans::parent_of;
        assert_eq!(parent_of("42 (sleep) S 7 42 42 0 -1"), Some(7));
        assert_eq!(parent_of("42 (a) b) (c d) Z 1234 0"), Some(1234));
        assert_eq!(parent_of("42 (no close paren S 7"), None);
        assert_eq!(parent_of("42 (x) S"), None);
        assert_eq!(parent_of("42 (x) S notanumber"), None);
    }

    #[test]
    fn a_timeout_too_long_for_the_clock_is_no_deadline() {
        let out = run(&sh("echo hi").timeout(Duration::MAX)).unwrap();
        assert_eq!(out.stdout, b"hi\n");
    }

    #[test]
    fn environment_variables_reach_the_program() {
        let out = run(&sh("printf %s \"$STRATA_T\"").env("STRATA_T", "x y")).unwrap();
        assert_eq!(out.stdout, b"x y");
    }
}
