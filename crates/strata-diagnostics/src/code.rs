//! The stable identifiers of every kind of problem, of every layer
//! (reading, budget, building, schemas, external sources).

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// The stable identifier of a kind of problem (`strata::host_not_in_all`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// The code as shown to people: `strata::<name>`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!("strata::", $name),)*
                }
            }

            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
        }
    };
}

codes! {
    /// `hosts.toml` is missing from the inventory root.
    MissingHostsFile = "missing_hosts_file",
    /// A file is not valid TOML.
    TomlSyntax = "toml_syntax",
    /// A group is neither an array of hosts nor a table.
    GroupShape = "group_shape",
    /// A group table holds a key other than `hosts`, `children` and `data`.
    UnknownGroupKey = "unknown_group_key",
    /// A host entry is neither a string nor a `{ name, data }` table.
    HostEntryShape = "host_entry_shape",
    /// `data` (or `hosts`) has the wrong type.
    DataShape = "data_shape",
    /// A group name is empty, holds whitespace or `/`, or starts with `@`.
    InvalidGroupName = "invalid_group_name",
    /// A host name is empty, holds whitespace, control characters, `..` or `/`.
    InvalidHostName = "invalid_host_name",
    /// A host name starting with `@` names no known connector.
    UnknownConnector = "unknown_connector",
    /// A connector host lacks its argument, or has a malformed one.
    ConnectorArgument = "connector_argument",
    /// A host range such as `web[1:3]` is malformed.
    MalformedRange = "malformed_range",
    /// `all` is present but a group lists a host that `all` does not.
    HostNotInAll = "host_not_in_all",
    /// A file could not be read.
    UnreadableFile = "unreadable_file",
    /// A file is not UTF-8 text.
    NotUtf8 = "not_utf8",
    /// A file is larger than the size limit.
    FileTooLarge = "file_too_large",
    /// A symbolic link leads outside the inventory root.
    SymlinkOutsideRoot = "symlink_outside_root",
    /// Values are nested deeper than the nesting limit.
    TooDeep = "too_deep",
    /// The inventory expands to more host entries or hosts than its budget.
    BudgetExceeded = "budget_exceeded",
    /// The inventory has no hosts (an empty or clobbered hosts.toml).
    NoHosts = "no_hosts",
    /// A `group_data` file is shaped like hosts.toml (a `hosts` key).
    HostsInData = "hosts_in_data",
    /// TOML 1.1 syntax that TOML 1.0 tools (Python's `tomllib`) reject.
    Toml11 = "toml_1_1",
    /// A host is listed twice in one group.
    DuplicateHost = "duplicate_host",
    /// Two inline entries give one host different values for a key.
    ConflictingInlineData = "conflicting_inline_data",
    /// A `group_data` file names no group.
    UnknownGroupFile = "unknown_group_file",
    /// A `host_data` file names no host.
    UnknownHostFile = "unknown_host_file",
    /// A group has no hosts.
    EmptyGroup = "empty_group",
    /// A group's `children` names no group of the inventory.
    UnknownChild = "unknown_child",
    /// A group is its own ancestor through `children` (the whole cycle is
    /// named).
    GroupCycle = "group_cycle",
    /// A child that cannot be one (`all`), or a parent that cannot have
    /// children (a connector group such as `@docker`).
    InvalidChild = "invalid_child",
    /// A group's `children` names one group twice.
    DuplicateChild = "duplicate_child",
    /// A group lists hosts it holds already through its children (`check`).
    RedundantMember = "redundant_member",
    /// A key of a parent group's data that none of its hosts gets from it:
    /// each gets it from a deeper group or its own data (`check`).
    ShadowedParentData = "shadowed_parent_data",
    /// A host and a group share a name.
    HostGroupNameClash = "host_group_name_clash",
    /// A host is named `all` or `ungrouped`, the names of the implicit groups.
    ReservedHostName = "reserved_host_name",
    /// One key has different types in different layers of one host.
    TypeConflict = "type_conflict",
    /// A file in a data directory is not a `.toml` file.
    NonTomlFile = "non_toml_file",
    /// A name Ansible would warn about (a dash in a group name).
    AnsibleName = "ansible_name",
    /// A `sources/<name>.toml` declaration is malformed.
    SourceDeclaration = "source_declaration",
    /// A source's answer is not valid JSON.
    SourceJson = "source_json",
    /// A source's answer does not follow the dynamic-inventory contract.
    SourceShape = "source_shape",
    /// A command source failed (exit status, timeout), or names a host or
    /// group the inventory cannot take.
    SourceFailed = "source_failed",
    /// A command source was not run: running commands needs consent.
    SourceNotRun = "source_not_run",
    /// A command source's cache entry cannot be used (not a regular file,
    /// too large, modified in the future, damaged): it was ignored.
    SourceCache = "source_cache",
    /// A JSON `null` in a source's answer was dropped.
    JsonNull = "json_null",
    /// A number no 64-bit integer or finite float holds as written (a
    /// source's `123456789012345678901234567890`, a TOML `1e400`).
    NumberOutOfRange = "number_out_of_range",
    /// A `{ __ansible_vault = ... }` or `{ __ansible_unsafe = ... }` table
    /// that Ansible would not recognise: other keys beside the marker, a
    /// value that is not a string, a vault value that is no ciphertext.
    AnsibleValueShape = "ansible_value_shape",
    /// A host's resolved data does not match a schema of `schema/`.
    Schema = "schema",
    /// A schema file is not valid JSON, not a valid JSON Schema, or refers
    /// to a schema outside the file (a remote `$ref`).
    InvalidSchema = "invalid_schema",
    /// `schema/<name>.json` names no group of the inventory.
    UnknownSchemaGroup = "unknown_schema_group",
    /// `strata.toml` holds a table or key strata does not know.
    UnknownSetting = "unknown_setting",
    /// A value of `strata.toml` has the wrong shape: a merge strategy that
    /// is not a string, a key that names no data key, a key given twice.
    SettingsShape = "settings_shape",
    /// A `[merge]` strategy is not `first`, `unique`, `hash` or `deep`.
    UnknownMergeStrategy = "unknown_merge_strategy",
    /// Two globs of `[merge]`, equally specific, give one key different
    /// strategies.
    AmbiguousMerge = "ambiguous_merge",
    /// A key merged by a strategy is defined with a type the strategy
    /// cannot merge (a string where `unique` merges arrays).
    MergeType = "merge_type",
    /// A knockout (`"--x"`) removes nothing: no lower layer has `x`.
    EmptyKnockout = "empty_knockout",
    /// A `[merge]` rule names a key (or a path, or a glob) no data of the
    /// inventory defines.
    UnusedMergeRule = "unused_merge_rule",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
