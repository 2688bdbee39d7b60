#!/usr/bin/env bash
# Issue 19, item 9: a 2 KB schema whose `$defs` each use the next twice
# (`allOf` of two `$ref`s) took 0.19/0.65/2.63/10.4 s to `check` at
# 24/26/28/30 levels (2^levels subschemas per value), and never finished
# compiling with `unevaluatedProperties`. `check` refuses it, located, in
# well under 2 s; a recursive schema that descends into the data still
# validates.
source "$(dirname "$0")/lib.sh"

inv() { # inv DIR SCHEMA_JSON: an inventory of one host under that schema
    mkdir -p "$1/schema" "$1/group_data"
    printf 'web = ["w1"]\n' > "$1/hosts.toml"
    printf 'app_port = 80\n[layout]\nname = "a"\nchildren = [{ name = "b", children = [] }]\n' > "$1/group_data/web.toml"
    printf '%s\n' "$2" > "$1/schema/all.json"
}
chain() { # chain LEVELS EXTRA: d0..d{LEVELS-1} each `allOf` the next twice
    python3 - "$1" "$2" <<'PY'
import json, sys
n, extra = int(sys.argv[1]), json.loads(sys.argv[2])
defs = {f"d{i}": {"allOf": [{"$ref": f"#/$defs/d{i+1}"}, {"$ref": f"#/$defs/d{i+1}"}]} for i in range(n)}
defs[f"d{n}"] = {"type": "integer"}
print(json.dumps({"$defs": defs, "properties": {"app_port": {"$ref": "#/$defs/d0"}}, **extra}))
PY
}

for extra in '{}' '{"unevaluatedProperties": false}'; do
    inv "$WORK/chain" "$(chain 30 "$extra")"
    bounded 2 200 --expect-status 1 -- "$STRATA" -i "$WORK/chain" check 2> "$WORK/err" ||
        { cat "$WORK/err" >&2; fail "the 30-level schema ($extra) was not refused in time"; }
    expect_in "$WORK/err" "strata::invalid_schema"
    expect_in "$WORK/err" "costs too much to validate"
    expect_in "$WORK/err" "schema/all.json:"
done

# A reference cycle that never descends into the data: refused at its $ref.
inv "$WORK/cycle" '{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}]}}, "properties": {"app_port": {"$ref": "#/$defs/a"}}}'
bounded 2 200 --expect-status 1 -- "$STRATA" -i "$WORK/cycle" check 2> "$WORK/err" || { cat "$WORK/err" >&2; fail "the cycle was not refused"; }
expect_in "$WORK/err" "leads back to a"

# Recursion through the data (a tree) is fine, and so is a chain used once per step.
tree='{"$defs": {"node": {"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["name"]}}, "properties": {"layout": {"$ref": "#/$defs/node"}, "app_port": {"type": "integer"}}}'
inv "$WORK/tree" "$tree"
bounded 2 200 --expect-status 0 -- "$STRATA" -i "$WORK/tree" check 2> "$WORK/err" || { cat "$WORK/err" >&2; fail "a tree schema was refused"; }
