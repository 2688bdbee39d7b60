"""A client of `strata lsp` for the tests: pygls's `LanguageClient` (pygls 2.1.1, lsprotocol
types; scripts/test.sh installs that version into .venv-python) on the server's stdio, so every
message is framed, typed and checked as an editor would, and `RawPipe`, bare pipes for what no
client library sends (malformed messages, a client that vanishes).

The oracle of the tests is the strata command itself: `check_on_disk` runs `strata check --format
json` on a disk copy holding the same text as the edited buffers.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import shutil
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

from conftest import strata, strata_bin

try:
    from lsprotocol import types as lsp
    from pygls.exceptions import JsonRpcException  # noqa: F401 (for the tests: an error answer)
    from pygls.lsp.client import LanguageClient
except ImportError:  # conftest's pygls_client fixture says so: a skip here, a failure in CI
    lsp = None

T = TypeVar("T")

# How long any one answer may take before a test calls the server hung. Generous: the machine is
# shared, and a debug build may be under test.
ANSWER_TIMEOUT = 60.0


def run(scenario: Awaitable[T], timeout: float = 300.0) -> T:
    """Runs one scenario on a fresh event loop; a hang fails the test instead of blocking it."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario, timeout)

    return asyncio.run(bounded())


def line_of(path: Path, prefix: str) -> int:
    """The 0-based line of `path` that starts with `prefix`."""
    for number, line in enumerate(path.read_text().splitlines()):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"no line starting with {prefix!r} in {path}")


def position_of(path: Path, needle: str) -> tuple[int, int]:
    """The 0-based (line, character) of the first `needle` in `path` (ASCII files)."""
    for number, line in enumerate(path.read_text().splitlines()):
        if needle in line:
            return number, line.index(needle)
    raise AssertionError(f"{needle!r} is not in {path}")


SEVERITY = {1: "error", 2: "warning", 3: "information", 4: "hint"}


class Server:
    """One `strata lsp` process with pygls's LanguageClient on its stdin and stdout."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client = LanguageClient("strata-tests", "1")
        # Every publication, in arrival order: (perf_counter, uri, diagnostics).
        self.publications: list[tuple[float, str, list[Any]]] = []
        self.latest: dict[str, list[Any]] = {}
        self.versions: dict[str, int] = {}
        self.stderr = bytearray()
        self._published = asyncio.Event()

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _publish(params: lsp.PublishDiagnosticsParams) -> None:
            self.publications.append((time.perf_counter(), params.uri, list(params.diagnostics)))
            self.latest[params.uri] = list(params.diagnostics)
            self._published.set()

    @property
    def process(self) -> asyncio.subprocess.Process:
        return self.client._server  # pygls keeps the process it started here

    async def start(self, workspace: Path | None = None) -> Any:
        """Starts `strata lsp` and initializes it with `workspace` (the inventory) as its folder."""
        await self.client.start_io(strata_bin(), "lsp", cwd=str(self.root))
        # The server's stderr is read all along, so that its logging can never fill the pipe.
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        folder = workspace or self.root
        params = lsp.InitializeParams(
            process_id=os.getpid(),
            root_uri=folder.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)],
            client_info=lsp.ClientInfo(name="strata-tests"),
            capabilities=lsp.ClientCapabilities(
                text_document=lsp.TextDocumentClientCapabilities(
                    hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown]),
                    publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(related_information=True),
                    definition=lsp.DefinitionClientCapabilities(link_support=False),
                    code_action=lsp.CodeActionClientCapabilities(
                        code_action_literal_support=lsp.ClientCodeActionLiteralOptions(
                            code_action_kind=lsp.ClientCodeActionKindOptions(value_set=[lsp.CodeActionKind.QuickFix])
                        ),
                        is_preferred_support=True,
                    ),
                ),
                # Code actions may rename files (a misnamed data file's fix).
                workspace=lsp.WorkspaceClientCapabilities(
                    workspace_edit=lsp.WorkspaceEditClientCapabilities(
                        document_changes=True,
                        resource_operations=[lsp.ResourceOperationKind.Rename],
                    )
                ),
            ),
        )
        result = await self.answer(self.client.initialize_async(params), "initialize")
        self.client.initialized(lsp.InitializedParams())
        return result

    async def _drain_stderr(self) -> None:
        while chunk := await self.process.stderr.read(65536):
            self.stderr.extend(chunk)

    async def stop(self) -> int:
        """shutdown + exit, as an editor closes; returns the exit code."""
        await self.answer(self.client.shutdown_async(None), "shutdown")
        self.client.exit(None)
        code = await asyncio.wait_for(self.process.wait(), ANSWER_TIMEOUT)
        await self.client.stop()
        await self._stderr_task
        return code

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    @staticmethod
    async def answer(request: Awaitable[T], what: str) -> T:
        try:
            return await asyncio.wait_for(request, ANSWER_TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"the server did not answer {what} within {ANSWER_TIMEOUT} s") from None

    # Documents -------------------------------------------------------------------------------

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def relative(self, uri: str) -> str:
        path = Path(unquote(urlparse(uri).path))
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def open(self, relative: str, text: str | None = None, uri: str | None = None) -> str:
        uri = uri or self.uri(relative)
        if text is None:
            text = (self.root / relative).read_text()
        self.versions[uri] = 1
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=uri, language_id="toml", version=1, text=text)
            )
        )
        return uri

    def change(self, relative: str, text: str, uri: str | None = None) -> None:
        """Replaces the whole buffer (valid under full and incremental sync alike)."""
        uri = uri or self.uri(relative)
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def close(self, relative: str, uri: str | None = None) -> None:
        uri = uri or self.uri(relative)
        self.client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        )

    # Requests --------------------------------------------------------------------------------

    def _position(self, relative: str, line: int, character: int, uri: str | None = None) -> dict[str, Any]:
        return {
            "text_document": lsp.TextDocumentIdentifier(uri=uri or self.uri(relative)),
            "position": lsp.Position(line=line, character=character),
        }

    async def hover(self, relative: str, line: int, character: int, uri: str | None = None) -> str | None:
        """The hover's Markdown, or None when the server has nothing to say there."""
        answer = await self.answer(
            self.client.text_document_hover_async(lsp.HoverParams(**self._position(relative, line, character, uri))),
            f"hover at {relative}:{line + 1}:{character + 1}",
        )
        if answer is None:
            return None
        assert isinstance(answer.contents, lsp.MarkupContent), answer.contents
        assert answer.contents.kind == lsp.MarkupKind.Markdown
        return answer.contents.value

    async def completion(self, relative: str, line: int, character: int) -> dict[str, str]:
        """The completion items offered: {label: detail}."""
        answer = await self.answer(
            self.client.text_document_completion_async(
                lsp.CompletionParams(**self._position(relative, line, character))
            ),
            f"completion at {relative}:{line + 1}:{character + 1}",
        )
        items = answer.items if isinstance(answer, lsp.CompletionList) else (answer or [])
        return {item.label: item.detail or "" for item in items}

    async def definition(self, relative: str, line: int, character: int) -> list[str]:
        answer = await self.answer(
            self.client.text_document_definition_async(
                lsp.DefinitionParams(**self._position(relative, line, character))
            ),
            f"definition at {relative}:{line + 1}:{character + 1}",
        )
        return self.locations(answer)

    async def references(self, relative: str, line: int, character: int) -> list[str]:
        answer = await self.answer(
            self.client.text_document_references_async(
                lsp.ReferenceParams(
                    **self._position(relative, line, character),
                    context=lsp.ReferenceContext(include_declaration=True),
                )
            ),
            f"references at {relative}:{line + 1}:{character + 1}",
        )
        return self.locations(answer)

    async def code_actions(self, relative: str, line: int, character: int) -> list[Any]:
        """The code actions offered with the cursor at a position."""
        at = lsp.Position(line=line, character=character)
        answer = await self.answer(
            self.client.text_document_code_action_async(
                lsp.CodeActionParams(
                    text_document=lsp.TextDocumentIdentifier(uri=self.uri(relative)),
                    range=lsp.Range(start=at, end=at),
                    context=lsp.CodeActionContext(diagnostics=list(self.latest.get(self.uri(relative), []))),
                )
            ),
            f"code actions at {relative}:{line + 1}:{character + 1}",
        )
        return list(answer or [])

    def apply(self, edit: Any, buffers: dict[str, str]) -> None:
        """Applies a workspace edit as an editor does: text edits to the open buffers (`buffers`,
        by relative name, updated and sent with didChange), file renames on disk (the server told
        through didChangeWatchedFiles, as a file watcher would)."""
        edits: list[tuple[str, list[Any]]] = [(uri, list(e)) for uri, e in (edit.changes or {}).items()]
        renames = []
        for change in edit.document_changes or []:
            if isinstance(change, lsp.RenameFile):
                renames.append(change)
            elif isinstance(change, lsp.TextDocumentEdit):
                edits.append((change.text_document.uri, list(change.edits)))
            else:
                raise AssertionError(f"unexpected change {change!r}")
        for uri, text_edits in edits:
            name = self.relative(uri)
            text = buffers[name]
            lines = text.splitlines(keepends=True)

            def offset(p: lsp.Position, lines: list[str] = lines) -> int:  # ASCII buffers
                return sum(len(line) for line in lines[: p.line]) + p.character

            for e in sorted(text_edits, key=lambda e: offset(e.range.start), reverse=True):
                text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
            buffers[name] = text
            self.change(name, text, uri=uri)
        changes = []
        for rename in renames:
            old, new = Path(unquote(urlparse(rename.old_uri).path)), Path(unquote(urlparse(rename.new_uri).path))
            assert not new.exists(), f"the rename would replace {new}"
            old.rename(new)
            changes += [
                lsp.FileEvent(uri=rename.old_uri, type=lsp.FileChangeType.Deleted),
                lsp.FileEvent(uri=rename.new_uri, type=lsp.FileChangeType.Created),
            ]
        if changes:
            self.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=changes))

    async def code_lenses(self, relative: str) -> list[tuple[int, str, str]]:
        """The document's code lenses as (1-based line, title, command id)."""
        answer = await self.answer(
            self.client.text_document_code_lens_async(
                lsp.CodeLensParams(text_document=lsp.TextDocumentIdentifier(uri=self.uri(relative)))
            ),
            f"code lenses of {relative}",
        )
        shown = []
        for lens in answer or []:
            assert lens.command is not None, lens
            shown.append((lens.range.start.line + 1, lens.command.title, lens.command.command))
        return shown

    def locations(self, answer: Any) -> list[str]:
        """Locations as `file:line` (1-based, relative to the inventory), as strata prints them."""
        if answer is None:
            return []
        if not isinstance(answer, (list, tuple)):  # one Location, or a sequence of them
            answer = [answer]
        shown = []
        for location in answer:
            uri = getattr(location, "uri", None) or location.target_uri
            where = getattr(location, "range", None) or location.target_selection_range
            shown.append(f"{self.relative(uri)}:{where.start.line + 1}")
        return shown

    # Diagnostics -----------------------------------------------------------------------------

    def diagnostics(self) -> set[tuple[str, int, int, str, str]]:
        """What the server's latest publications hold: (file, line, column, code, severity)."""
        seen = set()
        for uri, diagnostics in self.latest.items():
            for d in diagnostics:
                seen.add(
                    (
                        self.relative(uri),
                        d.range.start.line + 1,
                        d.range.start.character + 1,
                        d.code,
                        SEVERITY[d.severity],
                    )
                )
        return seen

    async def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = ANSWER_TIMEOUT) -> None:
        """Waits, publication after publication, until `condition` holds."""
        deadline = time.perf_counter() + timeout
        while not condition():
            left = deadline - time.perf_counter()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            self._published.clear()
            try:
                await asyncio.wait_for(self._published.wait(), left)
            except TimeoutError:
                pass

    async def still_answers(self, relative: str) -> None:
        """Proof that the server works: an open buffer broken gets its error, restored is cleared."""
        uri = self.uri(relative)
        text = (self.root / relative).read_text()
        if uri not in self.versions:
            self.open(relative, text)
        self.change(relative, text + "\nbroken = \n")
        await self.wait_for(
            lambda: any(d.code == "strata::toml_syntax" for d in self.latest.get(uri, [])),
            f"the error of a broken {relative}",
        )
        self.change(relative, text)
        await self.wait_for(lambda: not self.latest.get(uri), f"{relative}'s error cleared")

    async def wait_for_diagnostics(self, want: set[tuple[str, int, int, str, str]], what: str) -> None:
        try:
            await self.wait_for(lambda: self.diagnostics() == want, what)
        except AssertionError:
            seen = self.diagnostics()
            raise AssertionError(
                f"{what}: published {sorted(seen)}\n  strata check says {sorted(want)}\n"
                f"  missing {sorted(want - seen)}\n  extra {sorted(seen - want)}"
            ) from None


@asynccontextmanager
async def started(root: Path, workspace: Path | None = None) -> Iterator[tuple[Server, Any]]:
    """A started server; killed on the way out if the test did not stop it."""
    server = Server(root)
    try:
        result = await server.start(workspace)
        yield server, result
    finally:
        server.kill()
        assert b"panicked" not in server.stderr, server.stderr.decode(errors="replace")


def check_on_disk(root: Path, buffers: dict[str, str], scratch: Path) -> set[tuple[str, int, int, str, str]]:
    """`strata check --format json` on a copy of `root` holding `buffers`: the expected diagnostics."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root, scratch)
    for relative, text in buffers.items():
        (scratch / relative).write_text(text)
    found = json.loads(strata("-i", str(scratch), "check", "--format", "json", check=False).stdout)
    shutil.rmtree(scratch)  # a 50 MB buffer's copy need not outlive the check
    return {(d["inventory_file"], d["line"], d["column"], d["code"], d["severity"]) for d in found}


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/PID/status")


class RawPipe:
    """`strata lsp` on bare pipes, for what no client library sends: bytes written as given,
    messages read back with select() and a deadline (a hang is a failure, not a block). Nothing
    but the calling thread reads stdout, so the test may close it as a vanishing client does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [strata_bin(), "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=root,
        )
        self.buffer = bytearray()
        self.stderr = bytearray()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        while chunk := self.process.stderr.read1(65536):
            self.stderr.extend(chunk)

    def write(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any] | bytes) -> None:
        body = message if isinstance(message, bytes) else json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _parse(self) -> dict[str, Any] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        length = next(
            int(h.split(b":")[1]) for h in self.buffer[:end].split(b"\r\n") if h.lower().startswith(b"content-length:")
        )
        if len(self.buffer) < end + 4 + length:
            return None
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        return json.loads(body)

    def message(self, deadline: float) -> dict[str, Any] | None:
        """The next message, or None when the server closed its output."""
        while (parsed := self._parse()) is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no message from the server within {ANSWER_TIMEOUT} s")
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 1 << 20)
                if not chunk:
                    return None
                self.buffer.extend(chunk)
        return parsed

    def response(self, request_id: Any) -> dict[str, Any]:
        """The response to `request_id` (notifications on the way are skipped)."""
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            message = self.message(deadline)
            assert message is not None, f"the server closed its output before answering {request_id!r}"
            if message.get("id") == request_id and "method" not in message:
                return message

    def initialize(self) -> None:
        self.send(
            {
                "id": 0,
                "method": "initialize",
                "params": {"processId": None, "rootUri": self.root.as_uri(), "capabilities": {}},
            }
        )
        assert "result" in self.response(0)
        self.send({"method": "initialized", "params": {}})

    def hover(self, request_id: int, uri: str, line: int, character: int) -> None:
        self.send(
            {
                "id": request_id,
                "method": "textDocument/hover",
                "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
            }
        )

    def still_answers(self, uri: str, text: str, version: int) -> None:
        """Proof that the server works: the open document `uri` broken (as `version`) gets its
        error published; then it is put back to `text` (as `version` + 1)."""
        deadline = time.monotonic() + ANSWER_TIMEOUT
        for number, body, want_error in ((version, text + "\nbroken = \n", True), (version + 1, text, False)):
            self.send(
                {
                    "method": "textDocument/didChange",
                    "params": {"textDocument": {"uri": uri, "version": number}, "contentChanges": [{"text": body}]},
                }
            )
            while True:
                message = self.message(deadline)
                assert message is not None, "the server closed its output"
                if message.get("method") != "textDocument/publishDiagnostics" or message["params"]["uri"] != uri:
                    continue
                codes = [d.get("code") for d in message["params"]["diagnostics"]]
                if ("strata::toml_syntax" in codes) == want_error:
                    break

    def exited_within(self, seconds: float) -> int | None:
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
