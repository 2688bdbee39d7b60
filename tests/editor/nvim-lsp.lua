-- Neovim's own LSP client (0.7 and later) against `strata lsp` on a copy of
-- examples/basic: opens a data file, asks for hover, definition, references,
-- completion and code lenses, breaks a value, reads the diagnostics the
-- server publishes, fixes it, applies a quick fix to hosts.toml, then stops
-- the server. Everything it sees is written as text to
-- $STRATA_NVIM_OUT, paths relative to the inventory; the test
-- crates/strata-cli/tests/editor.rs compares that with nvim-lsp.expected.
--
--   STRATA_BIN=target/debug/strata STRATA_NVIM_INVENTORY=/tmp/copy-of-basic \
--   STRATA_NVIM_OUT=/tmp/seen.txt nvim --headless --clean -u NONE \
--     -c 'luafile tests/editor/nvim-lsp.lua'
--
-- Only APIs that exist in Neovim 0.7 (Debian 12's package) are used:
-- vim.lsp.start_client + vim.lsp.buf_attach_client, vim.lsp.buf_request_sync,
-- vim.diagnostic.get, vim.lsp.diagnostic.get_line_diagnostics,
-- vim.lsp.util.apply_workspace_edit.

local strata = assert(os.getenv('STRATA_BIN'), 'STRATA_BIN is not set')
local root = assert(os.getenv('STRATA_NVIM_INVENTORY'), 'STRATA_NVIM_INVENTORY is not set')
local out_path = assert(os.getenv('STRATA_NVIM_OUT'), 'STRATA_NVIM_OUT is not set')
local TIMEOUT = 20000 -- ms for any one answer; the whole run is bounded by the test too

local lines = {}
local function say(text)
  table.insert(lines, text)
end

-- Lines in sorted order (what the server sends in no fixed order), or `(none)`.
local function say_sorted(shown)
  table.sort(shown)
  if #shown == 0 then
    say('  (none)')
  end
  for _, text in ipairs(shown) do
    say(text)
  end
end

-- A path or URI as the output shows it: relative to the inventory.
local function show_path(path_or_uri)
  local path = path_or_uri
  if path:sub(1, 7) == 'file://' then
    path = vim.uri_to_fname(path)
  end
  if path:sub(1, #root + 1) == root .. '/' then
    return path:sub(#root + 2)
  end
  return path
end

-- A 0-based LSP position as file:line:column, 1-based as strata prints them.
local function show_position(uri, position)
  return string.format('%s:%d:%d', show_path(uri), position.line + 1, position.character + 1)
end

local function show_range(uri, range)
  return string.format(
    '%s-%d:%d',
    show_position(uri, range.start),
    range['end'].line + 1,
    range['end'].character + 1
  )
end

local function indent(text)
  local shown = {}
  for line in (text .. '\n'):gmatch('(.-)\n') do
    local shown_line = ('    ' .. line):gsub('%s+$', '')
    table.insert(shown, shown_line)
  end
  return table.concat(shown, '\n')
end

local function fail(message)
  error(message, 0)
end

-- Every publishDiagnostics the server sends is counted, then handed to
-- Neovim's own handler (which fills vim.diagnostic).
local published = 0
local last_publish = 0
local builtin_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  published = published + 1
  last_publish = vim.loop.hrtime()
  return builtin_publish(err, result, ctx, config)
end

-- Waits until at least one publication arrived after `before`, then until the
-- server has been quiet for 500 ms (it publishes one notification per file).
-- With `optional`, a server that publishes nothing (nothing to report) is
-- accepted after 3 s.
local function wait_for_diagnostics(before, what, optional)
  local arrived = vim.wait(optional and 3000 or TIMEOUT, function() return published > before end, 10)
  if not arrived and not optional then
    fail('no diagnostics published after ' .. what)
  end
  vim.wait(TIMEOUT, function()
    return (vim.loop.hrtime() - last_publish) > 500 * 1e6
  end, 10)
end

-- Every diagnostic Neovim holds, in every buffer, sorted, one line each.
local function show_diagnostics()
  local shown = {}
  for _, d in ipairs(vim.diagnostic.get()) do
    local lsp = d.user_data and d.user_data.lsp or {}
    local severity = ({ 'error', 'warning', 'info', 'hint' })[d.severity] or tostring(d.severity)
    local text = string.format(
      '  %s:%d:%d %s %s [%s]: %s',
      show_path(vim.api.nvim_buf_get_name(d.bufnr)),
      d.lnum + 1,
      d.col + 1,
      severity,
      tostring(lsp.code or d.code),
      tostring(d.source),
      (d.message:gsub('\n', '\n      '))
    )
    for _, related in ipairs(lsp.relatedInformation or {}) do
      text = text
        .. string.format('\n    related %s: %s', show_range(related.location.uri, related.location.range), related.message)
    end
    table.insert(shown, text)
  end
  say_sorted(shown)
end

local function locations(result)
  if result == nil then
    return {}
  end
  if result.uri or result.targetUri then
    result = { result }
  end
  local shown = {}
  for _, location in ipairs(result) do
    local uri = location.uri or location.targetUri
    local range = location.range or location.targetSelectionRange
    table.insert(shown, show_range(uri, range))
  end
  return shown
end

-- One request to the strata client only, answered within TIMEOUT.
local client_id
local function request(bufnr, method, line, character)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = character },
  }
  if method == 'textDocument/references' then
    params.context = { includeDeclaration = true }
  end
  local answers, err = vim.lsp.buf_request_sync(bufnr, method, params, TIMEOUT)
  if not answers then
    fail(method .. ': ' .. tostring(err))
  end
  local answer = answers[client_id]
  if answer == nil then
    fail(method .. ': no answer from the strata client')
  end
  if answer.err then
    fail(method .. ': error ' .. vim.inspect(answer.err))
  end
  return answer.result
end

local function hover(bufnr, line, character)
  local word = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1]
  say(string.format('hover %s (%s):', show_position(vim.uri_from_bufnr(bufnr), { line = line, character = character }), word))
  local result = request(bufnr, 'textDocument/hover', line, character)
  if result == nil then
    say('    (no hover)')
    return
  end
  local contents = result.contents
  if type(contents) == 'table' and contents.kind then
    say('  ' .. contents.kind .. ':')
    say(indent(contents.value))
  else
    say(indent(vim.inspect(contents)))
  end
end

local function jump(method, bufnr, line, character)
  local word = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1]
  local name = method:gsub('^textDocument/', '')
  say(string.format('%s %s (%s):', name, show_position(vim.uri_from_bufnr(bufnr), { line = line, character = character }), word))
  local shown = locations(request(bufnr, method, line, character))
  if #shown == 0 then
    say('  (none)')
  end
  for _, location in ipairs(shown) do
    say('  ' .. location)
  end
end

-- Completion at a position, its items as `label (detail)`, sorted.
local function complete(bufnr, line, character)
  local word = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1]
  say(string.format('completion %s (`%s` before the cursor):', show_position(vim.uri_from_bufnr(bufnr), { line = line, character = character }), word:sub(1, character)))
  local result = request(bufnr, 'textDocument/completion', line, character)
  local items = result and (result.items or result) or {}
  local shown = {}
  for _, item in ipairs(items) do
    table.insert(shown, string.format('  %s (%s)', item.label, tostring(item.detail)))
  end
  say_sorted(shown)
end

-- The code lenses of a buffer, as `line: title`.
local function lenses(bufnr)
  say(string.format('code lenses %s:', show_path(vim.api.nvim_buf_get_name(bufnr))))
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  local answers, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeLens', params, TIMEOUT)
  local answer = answers and answers[client_id]
  if not answer or answer.err then
    fail('textDocument/codeLens: ' .. tostring(err or (answer and vim.inspect(answer.err))))
  end
  local shown = {}
  for _, lens in ipairs(answer.result or {}) do
    table.insert(shown, string.format('  %d: %s', lens.range.start.line + 1, lens.command and lens.command.title or '(no title)'))
  end
  say_sorted(shown)
end

-- The quick fixes offered at the start of a line; the first is applied as
-- Neovim applies a workspace edit, and what is published then is shown.
local function fix_line(bufnr, line)
  say(string.format('code actions %s line %d:', show_path(vim.api.nvim_buf_get_name(bufnr)), line + 1))
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = line, character = 0 }, ['end'] = { line = line, character = 0 } },
    -- As `vim.lsp.buf.code_action()` asks: the cursor, and the line's
    -- diagnostics in the protocol's form.
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, line) },
  }
  local answers, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, TIMEOUT)
  local answer = answers and answers[client_id]
  if not answer or answer.err then
    fail('textDocument/codeAction: ' .. tostring(err or (answer and vim.inspect(answer.err))))
  end
  local actions = answer.result or {}
  for _, action in ipairs(actions) do
    say(string.format('  %s (%s)', action.title, tostring(action.kind)))
  end
  if #actions == 0 then
    say('  (none)')
    return
  end
  local before = published
  vim.lsp.util.apply_workspace_edit(actions[1].edit, vim.lsp.get_client_by_id(client_id).offset_encoding)
  wait_for_diagnostics(before, 'the fix')
  say('applied; line ' .. (line + 1) .. ': ' .. vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1])
  say('diagnostics:')
  show_diagnostics()
end

local function edit(bufnr, line, text)
  local before = published
  say(string.format('edit %s line %d: `%s`', show_path(vim.api.nvim_buf_get_name(bufnr)), line + 1, text))
  vim.api.nvim_buf_set_lines(bufnr, line, line + 1, true, { text })
  wait_for_diagnostics(before, 'the edit')
  say('diagnostics:')
  show_diagnostics()
end

local function open(relative)
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. relative))
  local bufnr = vim.api.nvim_get_current_buf()
  if not vim.lsp.buf_attach_client(bufnr, client_id) then
    fail('could not attach the client to ' .. relative)
  end
  return bufnr
end

local function run()
  local exited
  client_id = vim.lsp.start_client({
    name = 'strata',
    cmd = { strata, 'lsp' },
    root_dir = root,
    flags = { debounce_text_changes = 0 },
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
  })
  if not client_id then
    fail('vim.lsp.start_client failed')
  end
  local client = vim.lsp.get_client_by_id(client_id)
  local before = published
  local data = open('group_data/webservers.toml')
  if not vim.wait(TIMEOUT, function() return client.initialized end, 10) then
    fail('the server did not answer initialize')
  end
  -- The capabilities a user's editor sees, by name (values vary in form).
  local capabilities = {}
  for name, value in pairs(client.server_capabilities) do
    if value ~= false and value ~= vim.NIL then
      table.insert(capabilities, name)
    end
  end
  table.sort(capabilities)
  say('capabilities: ' .. table.concat(capabilities, ' '))
  wait_for_diagnostics(before, 'opening group_data/webservers.toml', true)
  say('diagnostics on open:')
  show_diagnostics()

  -- A key in a group data file: `log_level = "info"` (line 4), shadowed on
  -- the web hosts by monitoring's.
  hover(data, 3, 0)
  jump('textDocument/definition', data, 3, 0)
  jump('textDocument/references', data, 3, 0)
  complete(data, 3, 3)
  lenses(data)

  -- hosts.toml: the group `webservers` (line 6) and a host name in it.
  local hosts = open('hosts.toml')
  hover(hosts, 5, 0)
  jump('textDocument/definition', hosts, 5, 0)
  hover(hosts, 5, 15)
  jump('textDocument/definition', hosts, 5, 15)
  complete(hosts, 5, 3)
  -- A range pattern: `web[1:2].example.com` in monitoring (line 11).
  hover(hosts, 10, 16)

  -- Break a value, fix it, then give it another type than other layers give it.
  vim.api.nvim_set_current_buf(data)
  edit(data, 2, 'app_port = ')
  edit(data, 2, 'app_port = 8000')
  edit(data, 2, 'app_port = "8000"')
  edit(data, 2, 'app_port = 8000')

  -- Data written beside a host entry's `name`: check's fix, as a quick fix.
  vim.api.nvim_set_current_buf(hosts)
  edit(hosts, 13, 'hosts = [{ name = "db1.example.com", db_role = "primary" }]')
  fix_line(hosts, 13)

  vim.lsp.stop_client(client_id)
  if not vim.wait(TIMEOUT, function() return exited ~= nil end, 10) then
    fail('the server did not exit after shutdown and exit')
  end
  say(string.format('server exited: code %d, signal %d', exited.code, exited.signal))
end

local ok, err = pcall(run)
if not ok then
  say('FAILED: ' .. tostring(err))
end
local file = assert(io.open(out_path, 'w'))
file:write(table.concat(lines, '\n') .. '\n')
file:close()
vim.cmd(ok and 'qall!' or 'cquit! 1')
