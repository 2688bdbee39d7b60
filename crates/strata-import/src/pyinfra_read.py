"""strata import pyinfra: read a pyinfra inventory with pyinfra's own loader.

Shipped inside the strata binary (crates/strata-import/src/pyinfra.rs) and run
as

    PYTHON -B -c SCRIPT INVENTORY.py [GROUP_DATA]

from the inventory's folder. It loads INVENTORY.py and its group_data with
`pyinfra_cli.inventory.make_inventory_from_files` (what `pyinfra INVENTORY.py
...` runs for an inventory file) and prints one JSON document on stdout:

* exit 0: the `Imported` of crates/strata-import/src/model.rs (`"tool":
  "pyinfra"`);
* exit 3: `{"problems": [{"subject", "key", "message"}, ...]}`: every value
  strata cannot take, or why pyinfra could not load the inventory.

Anything the inventory prints goes to stderr, never into the JSON.
"""

import sys

# Under -c, sys.path[0] is the working directory (the inventory's folder):
# drop it first, so that no file there shadows a module this script or
# pyinfra imports. pyinfra's CLI appends the working directory at the END of
# sys.path (`_setup_state`), which is done below, as it does.
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]

import _thread  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

# Exit status with `{"problems": [...]}` on stdout (1 is Python's own status
# for an uncaught exception, so it is not used).
EXIT_PROBLEMS = 3
# strata_parser::MAX_DEPTH: a key's value is at depth 1.
MAX_DEPTH = 64
I64_MIN = -(2**63)
I64_MAX = 2**63 - 1
# Values converted at most (the resolved data of every host included): an
# inventory that shares one list many times over stops here instead of
# filling the memory.
MAX_VALUES = 5_000_000
# One-key tables the model gives a meaning (model.rs): a dict written so in
# the inventory would be read as that meaning, so it is refused.
FLOAT_KEY = "__float"
RESERVED_KEYS = ("__float", "__ansible_vault", "__ansible_unsafe")
# The connectors strata knows (strata_resolver::Connectors::builtin()).
STRATA_CONNECTORS = ("local", "ssh", "docker", "podman", "chroot", "dockerssh", "podmanssh")
BARE_KEY = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class Refused(Exception):
    """Stops the run with these problems."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


def printable(text):
    """`text` with what UTF-8 cannot hold (lone surrogates, from a name or a
    non-UTF-8 file name) spelled out as `\\udc80`."""
    return None if text is None else str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def problem(subject, key, message):
    return {"subject": printable(subject), "key": printable(key), "message": printable(message)}


def watch_parent():
    """Ends this process when strata is gone (a strata killed with SIGKILL
    cannot stop it). A raw thread with the original sleep: pyinfra imports
    gevent, whose monkey-patching breaks a `threading.Thread` started earlier
    and turns later ones into greenlets that a busy inventory never yields to."""
    parent = os.getppid()
    sleep = time.sleep

    def watch():
        while True:
            sleep(0.5)
            if os.getppid() != parent:
                os._exit(EXIT_PROBLEMS)

    _thread.start_new_thread(watch, ())


def claim_stdout():
    """The real stdout for the JSON; fd 1 and sys.stdout become stderr, so
    that a print() in inventory.py (or a program it runs) cannot corrupt it."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def key_path(path, key):
    """`a.b`, `a."odd key"`, TOML's dotted-key spelling."""
    part = key if key and set(key) <= BARE_KEY else json.dumps(key, ensure_ascii=False)
    return part if path is None else f"{path}.{part}"


def type_name(value):
    t = type(value)
    module = getattr(t, "__module__", "")
    name = getattr(t, "__qualname__", t.__name__)
    return name if module in ("builtins", "", None) else f"{module}.{name}"


class Converter:
    """Python values to JSON values, collecting a problem for each value
    strata cannot take (all of them, not only the first)."""

    def __init__(self):
        self.problems = []
        self.count = 0

    def refuse(self, subject, path, message):
        self.problems.append(problem(subject, path, message))

    def table(self, data, subject):
        """A layer's data (a dict of key -> value) as a JSON object."""
        if type(data) is not dict:
            self.refuse(subject, None, f"its data is a `{type_name(data)}`, not a dict")
            return {}
        return self.mapping(data, subject, None, 0)

    def mapping(self, data, subject, path, depth):
        out = {}
        # A layer's own keys are variable names, never one of these forms.
        if path is not None and len(data) == 1:
            (only,) = data
            if only in RESERVED_KEYS:
                self.refuse(
                    subject,
                    key_path(path, only),
                    f"a table whose only key is `{only}` is how strata encodes a special value; "
                    "rename the key or add another one",
                )
        for key, item in data.items():
            if type(key) is not str:
                simple = type(key) in (int, float, bool) or key is None
                shown = f"{key!r} (of type `{type_name(key)}`)" if simple else f"of type `{type_name(key)}`"
                self.refuse(
                    subject,
                    key_path(path, repr(key)) if simple else path,
                    f"the key {shown} is not a string: TOML keys are strings",
                )
                continue
            sub = key_path(path, key)
            if not self.check_text(key, subject, sub, "key"):
                continue
            converted = self.value(item, subject, sub, depth + 1)
            if converted is not None:
                out[key] = converted
        return out

    def check_text(self, text, subject, path, what):
        try:
            text.encode("utf-8")
            return True
        except UnicodeEncodeError:
            self.refuse(subject, path, f"the {what} holds a lone surrogate and cannot be written as UTF-8")
            return False

    def value(self, value, subject, path, depth):
        """The JSON value, or None after recording why there is none."""
        self.count += 1
        if self.count > MAX_VALUES:
            raise Refused(
                [
                    problem(
                        "the inventory",
                        None,
                        f"it holds more than {MAX_VALUES} values (counting each host's resolved data); "
                        "strata stops here",
                    )
                ]
            )
        if depth > MAX_DEPTH:
            self.refuse(subject, path, f"values are nested more than {MAX_DEPTH} levels deep (strata's limit)")
            return None
        t = type(value)
        if t is bool:
            return value
        if t is int:
            if I64_MIN <= value <= I64_MAX:
                return value
            shown = str(value) if value.bit_length() <= 256 else f"an integer of {value.bit_length()} bits"
            self.refuse(subject, path, f"{shown} does not fit TOML's 64-bit integers")
            return None
        if t is float:
            if math.isnan(value):
                return {FLOAT_KEY: "-nan" if math.copysign(1.0, value) < 0 else "nan"}
            if math.isinf(value):
                return {FLOAT_KEY: "inf" if value > 0 else "-inf"}
            return value
        if t is str:
            return value if self.check_text(value, subject, path, "string") else None
        if t is list or t is tuple:
            out = []
            for index, item in enumerate(value):
                converted = self.value(item, subject, f"{path}[{index}]", depth + 1)
                out.append(converted)
            return out if all(v is not None for v in out) else None
        if t is dict:
            before = len(self.problems)
            out = self.mapping(value, subject, path, depth)
            return out if len(self.problems) == before else None
        self.refuse(subject, path, why_not(value))
        return None


def why_not(value):
    """Why a Python value has no TOML form, and what to write instead."""
    if value is None:
        return "None has no TOML form (strata has no null); remove the key or give it a value"
    if isinstance(value, (set, frozenset)):
        return f"a {type_name(value)} has no TOML form; write a list"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"`{type_name(value)}` has no TOML form; write a string"
    if isinstance(value, type) or callable(value) or type(value).__name__ == "module":
        kind = "a class" if isinstance(value, type) else f"a `{type_name(value)}`"
        return (
            f"{kind} is not data; pyinfra keeps every module-level name of a group_data "
            "file as data: move it out, or list the data names in `__all__`"
        )
    if isinstance(value, (dict, list, tuple, str, int, float)):
        return (
            f"a `{type_name(value)}` (a subclass of {type(value).__mro__[-2].__name__}) "
            "has no TOML form as it is; write a plain dict, list, str, int, float or bool"
        )
    return (
        f"an object of class `{type_name(value)}` has no TOML form; write a plain dict, list, str, int, float or bool"
    )


def dedupe_last(items):
    """Each item once, at its LAST occurrence: the order in which a repeated
    list applies (pyinfra's get_groups_data updates a dict along the list)."""
    seen = set()
    out = []
    for item in reversed(items):
        if item not in seen:
            seen.add(item)
            out.append(item)
    out.reverse()
    return out


def dedupe(items):
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def pyinfra_error(error, files):
    """One problem saying why pyinfra could not load the inventory, with the
    line of the inventory's own file where it happened."""
    cause = getattr(error, "exception", error)  # UnexpectedExternalError wraps it
    filename = getattr(error, "filename", None)
    message = f"{type(cause).__name__}: {cause}".strip()
    where = None
    if isinstance(cause, SyntaxError) and cause.filename:
        where = f"{cause.filename}:{cause.lineno}" if cause.lineno else cause.filename
    else:
        tb = getattr(cause, "_traceback", None) or cause.__traceback__
        for frame in traceback.extract_tb(tb):
            if frame.filename in files or frame.filename == filename:
                where = f"{frame.filename}:{frame.lineno}"
        if where is None and filename:
            where = filename
    subject = where or files[0]  # the inventory file
    return problem(subject, None, f"pyinfra could not load it: {message}")


def load(inventory_path, group_data):
    """pyinfra's Inventory, as its CLI makes it for an inventory file."""
    try:
        from importlib.metadata import version

        import pyinfra_cli.inventory as cli_inventory
        from pyinfra.api import Config, State
        from pyinfra.context import ctx_config, ctx_state
    except Exception as e:  # noqa: BLE001 - any failure to import is the same answer
        raise Refused(
            [
                problem(
                    sys.executable,
                    None,
                    f"this Python cannot import pyinfra ({type(e).__name__}: {e}); "
                    "pass the interpreter of pyinfra's virtualenv with --python",
                )
            ]
        ) from None
    try:
        found = version("pyinfra")
    except Exception:  # noqa: BLE001 - no metadata: not an installed pyinfra
        found = "(unknown version)"
    needed = ("make_inventory_from_files", "_get_groups_from_filename")
    if not found.startswith("3.") or not all(hasattr(cli_inventory, n) for n in needed):
        raise Refused(
            [
                problem(
                    sys.executable,
                    None,
                    f"this Python has pyinfra {found}; strata's reader was written for pyinfra 3.10 "
                    "(pyinfra_cli.inventory.make_inventory_from_files)",
                )
            ]
        )

    # As pyinfra_cli.cli._setup_state does: the working directory (strata runs
    # this from the inventory's folder) at the end of sys.path, a State and a
    # Config in context (exec_file records the file it runs on the state).
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.append(cwd)
    state = State(check_for_changes=False)
    state.cwd = cwd
    ctx_state.set(state)
    ctx_config.set(Config())

    # Which groups inventory.py declares itself: pyinfra adds a group named
    # after the file unless the file declares one of that name. Observed by
    # wrapping the loader's own function (nothing is read twice).
    declared = []
    read_groups = cli_inventory._get_groups_from_filename

    def recording(filename):
        groups = read_groups(filename)
        declared.extend(groups)
        return groups

    cli_inventory._get_groups_from_filename = recording
    inventory_file = os.path.abspath(inventory_path)
    directories = [group_data] if group_data else None
    files = [inventory_file]
    for folder in [os.path.join(cwd, "group_data")] + (directories or []):
        if os.path.isdir(folder):
            files.extend(os.path.join(folder, f) for f in os.listdir(folder))
        else:
            files.append(folder)
    try:
        inventory = cli_inventory.make_inventory_from_files(
            inventory_file,
            override_data={},
            cwd=cwd,
            group_data_directories=directories,
        )
    except Exception as e:  # noqa: BLE001 - the user's code may raise anything
        raise Refused([pyinfra_error(e, files)]) from None
    except SystemExit as e:
        raise Refused([problem(inventory_file, None, f"the inventory called sys.exit({e.code!r})")]) from None
    finally:
        cli_inventory._get_groups_from_filename = read_groups
    return inventory, {g for g in declared if g != "all"}, Path(inventory_file).name.rsplit(".", 1)[0]


def connector_data(inventory, name, converter):
    """What the connector of a host `@name/...` adds (strata adds the same
    itself, so it is not the host's own data), or None after a problem."""
    from pyinfra.api.connectors import get_all_connectors

    subject = f"host `{name}`"
    connector, _, argument = name[1:].partition("/")
    if connector not in STRATA_CONNECTORS:
        known = ", ".join(f"@{c}" for c in STRATA_CONNECTORS)
        converter.refuse(
            subject,
            None,
            f"pyinfra's `@{connector}` connector has no strata equivalent (strata knows {known}); "
            "list the hosts it makes by name",
        )
        return None
    made = list(get_all_connectors()[connector].make_names_data(argument if "/" in name else None))
    if len(made) != 1 or made[0][0] != name:
        names = [m[0] for m in made]
        converter.refuse(subject, None, f"pyinfra's `@{connector}` connector makes the hosts {names}, not `{name}`")
        return None
    return made[0][1]


def read(inventory_path, group_data):
    inventory, declared, file_group = load(inventory_path, group_data)
    converter = Converter()

    hosts = list(inventory.hosts.values())
    names = [h.name for h in hosts]
    for name in names:
        if type(name) is not str:
            converter.refuse(f"host {name!r}", None, f"a host name must be a string, not a `{type_name(name)}`")
    if converter.problems:
        raise Refused(converter.problems)
    for name in names:
        converter.check_text(name, f"host `{name}`", None, "host name")

    # NORMALISE: pyinfra puts every host in a group named after the
    # inventory file ("inventory" for inventory.py) unless the file declares
    # that group. strata has no such group (docs/precedence.md); without
    # data it changes nothing and is dropped. With group_data/<file>.py it
    # holds data for every host at its place in the group order: kept, as a
    # group of every host, so that its data keeps its precedence.
    synthetic = file_group not in declared
    keep_file_group = synthetic and bool(inventory.get_group_data(file_group))

    def wanted(group):
        if group == file_group and synthetic:
            return keep_file_group
        # A group_data file naming no group makes a group without hosts
        # (pyinfra: "inventory @connectors can attach arbitrary groups"):
        # its data reaches no host, so it is left out. Implicit connector
        # groups (`@docker`) get their hosts from the connectors.
        return group in declared or bool(inventory.groups.get(group))

    # Precedence order: pyinfra applies a host's groups in the order of its
    # `groups` mapping (the file's groups as written, the file group, then
    # the group_data names no group declares), then the connectors' groups.
    order = [g for g in dedupe(list(inventory.group_data) + list(inventory.groups)) if wanted(g)]
    position = {g: i for i, g in enumerate(order)}

    groups = []
    for name in order:
        subject = f"group `{name}`"
        if type(name) is not str:
            converter.refuse(repr(name), None, "a group name must be a string")
            continue
        if not converter.check_text(name, subject, None, "group name"):
            continue
        groups.append(
            {
                "name": name,
                # Members in inventory order, as pyinfra lists them.
                "hosts": dedupe(h.name for h in inventory.groups.get(name, [])),
                "children": [],
                "vars": converter.table(inventory.get_group_data(name), subject),
            }
        )

    host_vars = {}
    host_groups = {}
    for host in hosts:
        subject = f"host `{host.name}`"
        own = inventory.get_host_data(host.name)
        if host.name.startswith("@"):
            made = connector_data(inventory, host.name, converter)
            if made is None:
                continue
            # pyinfra's host data is the connector's data updated with the
            # host's own: keep only what the host itself says.
            own = {k: v for k, v in own.items() if not (k in made and type(made[k]) is type(v) and made[k] == v)}
        if own:
            host_vars[host.name] = converter.table(own, subject)
        # NORMALISE: pyinfra's host.groups repeats groups (a connector host
        # gets its list twice; a host twice in a group gets the group twice);
        # each group once, where it last applies.
        mine = [g for g in dedupe_last(list(host.groups)) if g in position or g != file_group or not synthetic]
        ranks = [position.get(g) for g in mine]
        if None in ranks or ranks != sorted(ranks):
            converter.refuse(
                subject,
                None,
                f"pyinfra applies its groups in the order {mine}, which no single group order gives",
            )
            continue
        host_groups[host.name] = mine

    global_vars = converter.table(inventory.get_data(), "all")
    if converter.problems:
        raise Refused(converter.problems)

    # The oracle: Host.data.dict() (override > host > groups > global >
    # deploy defaults). Nothing is dropped from it: with no --data override
    # and no deploy running, every key in it is inventory data or connector
    # data (which strata adds too).
    resolved = {}
    for host in hosts:
        resolved[host.name] = {
            "groups": host_groups[host.name],
            "vars": converter.table(host.data.dict(), f"host `{host.name}`"),
        }
    if converter.problems:
        raise Refused(converter.problems)

    return {
        "tool": "pyinfra",
        "hosts": names,
        "groups": groups,
        "global": global_vars,
        "host_vars": host_vars,
        "resolved": resolved,
    }


def main(argv):
    out = claim_stdout()
    watch_parent()
    # pyinfra logs warnings ("The @chroot connector is in beta!") through
    # logging: errors only, on stderr.
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    status = 0
    try:
        if len(argv) not in (1, 2):
            raise Refused([problem("strata", None, "usage: pyinfra_read.py INVENTORY.py [GROUP_DATA]")])
        inventory_path = argv[0]
        group_data = argv[1] if len(argv) == 2 else None
        if not os.path.isfile(inventory_path):
            raise Refused([problem(inventory_path, None, "no such file")])
        if group_data is not None and not os.path.exists(group_data):
            raise Refused([problem(group_data, None, "no such group_data folder")])
        result = read(inventory_path, group_data)
    except Refused as e:
        result = {"problems": e.problems}
        status = EXIT_PROBLEMS
    except RecursionError:
        result = {"problems": [problem("the inventory", None, "its data is nested too deeply to read")]}
        status = EXIT_PROBLEMS
    except Exception as e:  # noqa: BLE001 - a bug here is reported, not a traceback on stdout
        traceback.print_exc()
        message = f"strata's pyinfra reader failed: {type(e).__name__}: {e}"
        result = {"problems": [problem("the inventory", None, message)]}
        status = EXIT_PROBLEMS
    out.write(json.dumps(result, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8"))
    out.write(b"\n")
    out.flush()
    sys.stderr.flush()
    # No interpreter shutdown: threads or atexit handlers the inventory
    # started cannot hold the process (or its output) open.
    os._exit(status)


main(sys.argv[1:])
