//! The message loop: the handshake, the documents the client holds open,
//! the inventories they belong to, and the answers.
//!
//! Changes mark an inventory stale; it is loaded again when no message is
//! waiting (so a burst of edits costs one load) or before a request about
//! it is answered, and its diagnostics are published then.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TryRecvError};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionProviderCapability,
    GotoDefinitionResponse, Hover, HoverContents, HoverProviderCapability, InitializeParams,
    InitializeResult, MarkupContent, MarkupKind, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, ServerInfo, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, Url, notification, request,
};
use serde::de::DeserializeOwned;

use crate::actions::ClientEdits;
use crate::locate::{Target, target_at};
use crate::workspace::{self, Snapshot};

/// One inventory of the workspace.
struct Tracked {
    /// The last load; `None` before the first.
    snapshot: Option<Snapshot>,
    /// Files changed since the last load.
    stale: bool,
    /// The URIs last published with diagnostics (to clear them). URIs, not
    /// paths: a file is published under its own path until the client
    /// opens it under another (through a symbolic link), and both must
    /// be cleared.
    published: BTreeSet<Url>,
    /// The last load that gave an inventory, when the last one did not.
    last_good: Option<Snapshot>,
    /// The data files parsed by earlier loads, reused while unchanged.
    memo: Arc<strata::ParseMemo>,
}

impl Tracked {
    /// The inventory of the last load, when it loaded.
    fn inventory(&self) -> Option<&strata::Inventory> {
        self.snapshot.as_ref()?.inventory()
    }

    /// The inventory of the last load that loaded (while a document is
    /// being typed, it often does not).
    fn last_inventory(&self) -> Option<&strata::Inventory> {
        [&self.snapshot, &self.last_good]
            .into_iter()
            .find_map(|s| s.as_ref()?.inventory())
    }
}

/// A document the client holds open.
struct Document {
    /// Its canonical path.
    path: PathBuf,
    text: String,
}

/// The server's state between messages.
pub struct Server<'a> {
    sender: &'a Sender<Message>,
    /// False once a message could not be sent: the client is gone.
    connected: bool,
    shutting_down: bool,
    /// Inventories by canonical root.
    inventories: BTreeMap<PathBuf, Tracked>,
    /// Open documents by the URI the client gave.
    documents: HashMap<Url, Document>,
    /// What workspace edits the client can apply.
    client_edits: ClientEdits,
    /// The workspace folders (canonical), as the client last said.
    folders: Vec<PathBuf>,
}

/// How the server ended: the protocol asks for exit code 1 when `exit`
/// comes without a `shutdown` before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown` then `exit`, or a client that went away (the end of
    /// input, output no longer read).
    Clean,
    /// `exit` without `shutdown` first.
    ExitWithoutShutdown,
}

/// Runs the handshake and the loop until `exit`, the end of input or a
/// client that stops reading.
pub fn serve(sender: &Sender<Message>, receiver: &Receiver<Message>) -> Ending {
    let mut server = Server {
        sender,
        connected: true,
        shutting_down: false,
        inventories: BTreeMap::new(),
        documents: HashMap::new(),
        client_edits: ClientEdits::default(),
        folders: Vec::new(),
    };
    let folders = match server.handshake(receiver) {
        Ok(folders) => folders,
        Err(ending) => return ending,
    };
    for root in workspace::discover(&folders) {
        server.track(root);
    }
    server.folders = folders;
    server.refresh();
    while server.connected {
        let message = if server.inventories.values().any(|t| t.stale) {
            match receiver.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) => {
                    server.refresh();
                    continue;
                }
                Err(TryRecvError::Disconnected) => return Ending::Clean,
            }
        } else {
            match receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ending::Clean,
            }
        };
        match message {
            Message::Request(request) => server.request(request),
            Message::Notification(n) if n.method == notification::Exit::METHOD => {
                return server.ending();
            }
            Message::Notification(n) => server.notification(n),
            // The server sends no requests, so no response is awaited.
            Message::Response(_) => {}
        }
    }
    Ending::Clean
}

/// What a handler could not do: the error answered.
struct Failure {
    code: ErrorCode,
    message: String,
}

impl Failure {
    fn invalid_params(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: ErrorCode::InvalidParams,
            message: format!("invalid parameters: {e}"),
        }
    }
}

fn params<P: DeserializeOwned>(value: serde_json::Value) -> Result<P, Failure> {
    serde_json::from_value(value).map_err(Failure::invalid_params)
}

impl Server<'_> {
    fn send(&mut self, message: Message) {
        if self.connected && self.sender.send(message).is_err() {
            self.connected = false;
        }
    }

    fn respond(&mut self, id: RequestId, result: Result<serde_json::Value, Failure>) {
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err(f) => Response::new_err(id, f.code as i32, f.message),
        };
        self.send(Message::Response(response));
    }

    /// How an `exit` received now ends the server.
    fn ending(&self) -> Ending {
        if self.shutting_down {
            Ending::Clean
        } else {
            Ending::ExitWithoutShutdown
        }
    }

    /// Waits for `initialize` and answers it; the workspace folders, or
    /// how the server ends when the client left (or said `exit`) first.
    fn handshake(&mut self, receiver: &Receiver<Message>) -> Result<Vec<PathBuf>, Ending> {
        loop {
            let Ok(message) = receiver.recv() else {
                return Err(Ending::Clean);
            };
            match message {
                Message::Request(r) if r.method == request::Initialize::METHOD => {
                    match params::<InitializeParams>(r.params) {
                        Ok(init) => {
                            self.client_edits = ClientEdits::of(&init.capabilities);
                            self.respond(r.id, Ok(initialize_result()));
                            return if self.connected {
                                Ok(folders(&init))
                            } else {
                                Err(Ending::Clean)
                            };
                        }
                        Err(f) => self.respond(r.id, Err(f)),
                    }
                }
                Message::Request(r) => self.respond(
                    r.id,
                    Err(Failure {
                        code: ErrorCode::ServerNotInitialized,
                        message: format!("{} before initialize", r.method),
                    }),
                ),
                Message::Notification(n) if n.method == notification::Exit::METHOD => {
                    return Err(self.ending());
                }
                // Notifications before initialize are dropped, as the
                // protocol says.
                Message::Notification(_) | Message::Response(_) => {}
            }
            if !self.connected {
                return Err(Ending::Clean);
            }
        }
    }

    fn request(&mut self, r: Request) {
        if r.method == request::Shutdown::METHOD {
            self.shutting_down = true;
            self.respond(r.id, Ok(serde_json::Value::Null));
            return;
        }
        if self.shutting_down {
            let failure = Failure {
                code: ErrorCode::InvalidRequest,
                message: format!("{} after shutdown", r.method),
            };
            self.respond(r.id, Err(failure));
            return;
        }
        let result = match r.method.as_str() {
            request::HoverRequest::METHOD => {
                params::<lsp_types::HoverParams>(r.params).and_then(|p| {
                    let hover = self.at(p.text_document_position_params, |_, inventory, target| {
                        Hover {
                            contents: HoverContents::Markup(MarkupContent {
                                kind: MarkupKind::Markdown,
                                value: crate::hover::hover(inventory, target),
                            }),
                            range: None,
                        }
                    });
                    to_json(hover)
                })
            }
            request::GotoDefinition::METHOD => params::<lsp_types::GotoDefinitionParams>(r.params)
                .and_then(|p| {
                    let found = self.at(p.text_document_position_params, |root, inv, target| {
                        GotoDefinitionResponse::Array(crate::navigate::definition(
                            root, inv, target,
                        ))
                    });
                    to_json(found)
                }),
            request::References::METHOD => {
                params::<lsp_types::ReferenceParams>(r.params).and_then(|p| {
                    let found = self.at(p.text_document_position, |root, inv, target| {
                        crate::navigate::references(root, inv, target)
                    });
                    to_json(found)
                })
            }
            request::Completion::METHOD => params::<lsp_types::CompletionParams>(r.params)
                .and_then(|p| {
                    let list = self.completion(p.text_document_position);
                    to_json(list.map(lsp_types::CompletionResponse::List))
                }),
            request::CodeActionRequest::METHOD => params::<lsp_types::CodeActionParams>(r.params)
                .and_then(|p| to_json(self.code_actions(&p))),
            request::CodeLensRequest::METHOD => params::<lsp_types::CodeLensParams>(r.params)
                .and_then(|p| to_json(self.code_lenses(&p.text_document.uri))),
            request::Initialize::METHOD => Err(Failure {
                code: ErrorCode::InvalidRequest,
                message: "initialize was already received".into(),
            }),
            _ => Err(Failure {
                code: ErrorCode::MethodNotFound,
                message: format!("unknown method {}", r.method),
            }),
        };
        self.respond(r.id, result);
    }

    fn notification(&mut self, n: Notification) {
        // A notification has no answer: one with bad parameters is dropped.
        match n.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    self.open(p.text_document.uri, p.text_document.text);
                }
            }
            notification::DidChangeTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    // Full synchronization: the last change is the text.
                    if let Some(change) = p.content_changes.into_iter().last()
                        && change.range.is_none()
                    {
                        self.open(p.text_document.uri, change.text);
                    }
                }
            }
            notification::DidCloseTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params)
                    && let Some(doc) = self.documents.remove(&p.text_document.uri)
                {
                    self.touch(&doc.path);
                }
            }
            notification::DidSaveTextDocument::METHOD => {
                if let Ok(p) = params::<lsp_types::DidSaveTextDocumentParams>(n.params)
                    && let Some(path) = file_path(&p.text_document.uri)
                {
                    self.touch(&path);
                }
            }
            notification::DidChangeWatchedFiles::METHOD => {
                if let Ok(p) = params::<lsp_types::DidChangeWatchedFilesParams>(n.params) {
                    for change in p.changes {
                        if let Some(path) = file_path(&change.uri) {
                            self.touch(&path);
                        }
                    }
                }
            }
            notification::DidChangeWorkspaceFolders::METHOD => {
                if let Ok(p) = params::<lsp_types::DidChangeWorkspaceFoldersParams>(n.params) {
                    self.change_folders(&p.event);
                }
            }
            _ => {}
        }
    }

    /// Tracks the inventories of added workspace folders, and forgets
    /// those only removed folders held (clearing their diagnostics).
    fn change_folders(&mut self, event: &lsp_types::WorkspaceFoldersChangeEvent) {
        let removed: Vec<PathBuf> = event
            .removed
            .iter()
            .filter_map(|f| file_path(&f.uri))
            .collect();
        let added: Vec<PathBuf> = event
            .added
            .iter()
            .filter_map(|f| file_path(&f.uri))
            .collect();
        self.folders.retain(|f| !removed.contains(f));
        self.folders.extend(added.iter().cloned());
        let forgotten: Vec<PathBuf> = self
            .inventories
            .keys()
            .filter(|root| {
                removed.iter().any(|f| root.starts_with(f))
                    && !self.folders.iter().any(|f| root.starts_with(f))
            })
            .cloned()
            .collect();
        for root in forgotten {
            if let Some(tracked) = self.inventories.remove(&root) {
                for uri in tracked.published {
                    self.publish(uri, Vec::new());
                }
            }
        }
        for root in workspace::discover(&added) {
            self.track(root);
        }
    }

    /// The code lenses of a document: one per key definition written in it
    /// ([`crate::lens`]); `None` outside any inventory or while it does not
    /// load.
    fn code_lenses(&mut self, uri: &Url) -> Option<Vec<lsp_types::CodeLens>> {
        let path = file_path(uri)?;
        let root = workspace::inventory_of(&path)?;
        self.ready(&root);
        let inventory = self.inventories.get(&root)?.inventory()?;
        let name = workspace::relative(&root, &path)?;
        Some(crate::lens::lenses(&root, inventory, &name))
    }

    /// Answers a request about a position with `answer`, from the
    /// inventory the document belongs to, loaded again first if stale;
    /// `None` outside any inventory, for an inventory that does not load,
    /// a position past the end, or nothing known at the position.
    fn at<R>(
        &mut self,
        position: TextDocumentPositionParams,
        answer: impl FnOnce(&Path, &strata::Inventory, &Target<'_>) -> R,
    ) -> Option<R> {
        let path = file_path(&position.text_document.uri)?;
        let root = workspace::inventory_of(&path)?;
        self.ready(&root);
        let inventory = self.inventories.get(&root)?.inventory()?;
        let name = workspace::relative(&root, &path)?;
        let text = inventory.files().get(inventory.files().find(&name)?).text();
        let offset = crate::text::offset(text, position.position)?;
        let target = target_at(inventory, &name, text, offset)?;
        Some(answer(&root, inventory, &target))
    }

    /// The completions at a position, from the inventory as last loaded
    /// without errors (while a document is being typed, it often does
    /// not load).
    fn completion(
        &mut self,
        position: TextDocumentPositionParams,
    ) -> Option<lsp_types::CompletionList> {
        let path = file_path(&position.text_document.uri)?;
        if crate::plugin_config::is_plugin_config(&path) {
            return self.limit_completion(&path, position.position);
        }
        let root = workspace::inventory_of(&path)?;
        self.ready(&root);
        let inventory = self.inventories.get(&root)?.last_inventory()?;
        let name = workspace::relative(&root, &path)?;
        let text = match self.documents.values().find(|d| d.path == path) {
            Some(doc) => doc.text.as_str(),
            None => inventory.files().get(inventory.files().find(&name)?).text(),
        };
        let offset = crate::text::offset(text, position.position)?;
        Some(crate::complete::complete(inventory, &name, text, offset))
    }

    /// The quick fixes for a range of a document, from the inventory's
    /// current load (loaded again first if stale); none outside any
    /// inventory.
    fn code_actions(&mut self, p: &lsp_types::CodeActionParams) -> Vec<CodeActionOrCommand> {
        let Some(path) = file_path(&p.text_document.uri) else {
            return Vec::new();
        };
        let Some(root) = workspace::inventory_of(&path) else {
            return Vec::new();
        };
        self.ready(&root);
        let Some(snapshot) = self
            .inventories
            .get(&root)
            .and_then(|t| t.snapshot.as_ref())
        else {
            return Vec::new();
        };
        let uri_of = |path: &Path| self.uri_of(path);
        let scope = crate::actions::Scope {
            root: &root,
            files: snapshot.files(),
            diagnostics: snapshot.diagnostics(),
            uri_of: &uri_of,
        };
        crate::actions::code_actions(&scope, &path, p.range, &p.context, self.client_edits)
    }

    /// The completions on the `limit` value of an Ansible plugin
    /// configuration under a workspace folder: the names of the inventory
    /// its `path` names (loaded like any other); `None` elsewhere in it, or
    /// when it names no inventory.
    fn limit_completion(
        &mut self,
        path: &Path,
        position: lsp_types::Position,
    ) -> Option<lsp_types::CompletionList> {
        if !self.folders.iter().any(|f| path.starts_with(f)) {
            return None;
        }
        let text = match self.documents.values().find(|d| d.path == path) {
            Some(doc) => doc.text.clone(),
            None => read_small(path)?,
        };
        let offset = crate::text::offset(&text, position)?;
        if !crate::plugin_config::on_limit(&text, offset) {
            return None;
        }
        let root = crate::plugin_config::inventory_root(path, &text)?;
        self.ready(&root);
        let inventory = self.inventories.get(&root)?.last_inventory()?;
        Some(crate::complete::complete_limit(inventory, &text, offset))
    }

    /// Tracks the inventory at `root` and loads it again if it is stale:
    /// a request about it is then answered from `self.inventories[root]`.
    fn ready(&mut self, root: &Path) {
        self.track(root.to_path_buf());
        if self.inventories.get(root).is_some_and(|t| t.stale) {
            self.reload(root);
        }
    }

    /// Records the text of an open document and marks its inventory stale.
    fn open(&mut self, uri: Url, text: String) {
        let Some(path) = file_path(&uri) else {
            return;
        };
        self.touch(&path);
        self.documents.insert(uri, Document { path, text });
    }

    /// Marks the inventory `path` belongs to stale, tracking it first if
    /// it is new.
    fn touch(&mut self, path: &Path) {
        let Some(root) = workspace::inventory_of(path) else {
            return;
        };
        self.track(root.clone());
        if let Some(t) = self.inventories.get_mut(&root) {
            t.stale = true;
        }
    }

    fn track(&mut self, root: PathBuf) {
        self.inventories.entry(root).or_insert(Tracked {
            snapshot: None,
            stale: true,
            published: BTreeSet::new(),
            last_good: None,
            memo: Arc::default(),
        });
    }

    /// Loads every stale inventory again and publishes its diagnostics.
    fn refresh(&mut self) {
        let stale: Vec<PathBuf> = self
            .inventories
            .iter()
            .filter(|(_, t)| t.stale)
            .map(|(root, _)| root.clone())
            .collect();
        for root in stale {
            self.reload(&root);
        }
    }

    fn reload(&mut self, root: &Path) {
        let Some(memo) = self.inventories.get(root).map(|t| t.memo.clone()) else {
            return;
        };
        let mut buffers = strata::Overlay::default().with_memo(memo);
        for doc in self.documents.values() {
            if workspace::inventory_of(&doc.path).as_deref() == Some(root)
                && let Some(name) = workspace::relative(root, &doc.path)
            {
                buffers.insert(name, doc.text.clone());
            }
        }
        let snapshot = Snapshot::load(root, buffers);
        let by_file = crate::diagnostics::by_file(root, snapshot.files(), snapshot.diagnostics());
        let by_uri: Vec<(Url, Vec<lsp_types::Diagnostic>)> = by_file
            .into_iter()
            .filter_map(|(path, diagnostics)| Some((self.uri_of(&path)?, diagnostics)))
            .collect();
        let Some(tracked) = self.inventories.get_mut(root) else {
            return;
        };
        let now: BTreeSet<Url> = by_uri.iter().map(|(uri, _)| uri.clone()).collect();
        let cleared: Vec<Url> = tracked.published.difference(&now).cloned().collect();
        tracked.published = now;
        let previous = tracked.snapshot.replace(snapshot);
        match tracked.snapshot.as_ref().and_then(Snapshot::inventory) {
            Some(_) => tracked.last_good = None,
            None => {
                if let Some(p) = previous.filter(|p| p.inventory().is_some()) {
                    tracked.last_good = Some(p);
                }
            }
        }
        tracked.stale = false;
        for uri in cleared {
            self.publish(uri, Vec::new());
        }
        for (uri, diagnostics) in by_uri {
            self.publish(uri, diagnostics);
        }
    }

    fn publish(&mut self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        self.send(Message::Notification(Notification::new(
            notification::PublishDiagnostics::METHOD.into(),
            params,
        )));
    }

    /// The URI the client knows a file by: that of its open document, else
    /// the file's own.
    fn uri_of(&self, path: &Path) -> Option<Url> {
        self.documents
            .iter()
            .find(|(_, d)| d.path == path)
            .map(|(uri, _)| uri.clone())
            .or_else(|| Url::from_file_path(path).ok())
    }
}

/// A plugin configuration's size at most, read from disk.
const MAX_CONFIG: u64 = 1 << 20;

/// The text of a small file on disk; `None` when it is larger than
/// [`MAX_CONFIG`] or unreadable.
fn read_small(path: &Path) -> Option<String> {
    // A regular file only: opening a FIFO would wait for a writer.
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    (meta.len() <= MAX_CONFIG)
        .then(|| std::fs::read_to_string(path).ok())
        .flatten()
}

/// The canonical path of a `file:` URI.
fn file_path(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    Some(workspace::canonical(&uri.to_file_path().ok()?))
}

/// The folders to look for inventories in: the workspace folders, else the
/// root URI, else the deprecated root path.
#[allow(deprecated)] // root_uri and root_path: older clients send only these.
fn folders(init: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &init.workspace_folders
        && !folders.is_empty()
    {
        return folders.iter().filter_map(|f| file_path(&f.uri)).collect();
    }
    if let Some(uri) = &init.root_uri {
        return file_path(uri).into_iter().collect();
    }
    init.root_path
        .as_ref()
        .map(|p| workspace::canonical(Path::new(p)))
        .into_iter()
        .collect()
}

fn to_json(value: impl serde::Serialize) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure {
        code: ErrorCode::InternalError,
        message: format!("the answer could not be written as JSON: {e}"),
    })
}

fn initialize_result() -> serde_json::Value {
    let result = InitializeResult {
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            code_lens_provider: Some(lsp_types::CodeLensOptions {
                resolve_provider: Some(false),
            }),
            workspace: Some(lsp_types::WorkspaceServerCapabilities {
                workspace_folders: Some(lsp_types::WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            completion_provider: Some(lsp_types::CompletionOptions {
                trigger_characters: Some(vec!["\"".into(), "@".into()]),
                ..Default::default()
            }),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            ..Default::default()
        },
        server_info: Some(ServerInfo {
            name: "strata".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    serde_json::to_value(result).unwrap_or(serde_json::Value::Null)
}
