#!/usr/bin/env bash
# Issue 19, item 1: `strata diff --base` unpacked git's archive through links
# the archive itself made: a tree holding a name twice (a link to an outside
# file, then a file) overwrote that file, and a link `link` followed by
# `link/pwned.toml` created a file anywhere. Such trees cannot be made with
# `git add`, but git plumbing makes them and an ordinary clone delivers them
# (no fsck on transfer by default). Here each hostile tree is a branch of a
# repository that a user clones, then runs `strata diff --base` on; nothing
# outside the export may appear or change.
source "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export XDG_CACHE_HOME="$WORK/cache"
unset STRATA_INVENTORY STRATA_ALLOW_EXEC

outside="$WORK/outside"
mkdir -p "$outside"
printf 'untouched\n' > "$outside/victim.toml"

origin="$WORK/origin"
git init -q -b main "$origin"
cd "$origin"
mkdir -p infra/prod
printf 'web = ["web1"]\n' > infra/prod/hosts.toml
git add -A
git commit -q -m "an inventory"

blob() { printf '%s' "$1" | git hash-object -w --stdin; }
tree() { git mktree --missing; }
hosts=$(blob 'web = ["web1"]
')
pwned=$(blob 'pwned = true
')
to_victim=$(blob "$outside/victim.toml")
to_outside=$(blob "$outside")
pwned_dir=$(printf '100644 blob %s\tpwned.toml\n' "$pwned" | tree)

# branch NAME TREE-LINES: a commit whose infra/prod is the tree of TREE-LINES.
branch() {
    local prod infra top commit
    prod=$(printf '%b' "$2" | tree)
    infra=$(printf '040000 tree %s\tprod\n' "$prod" | tree)
    top=$(printf '040000 tree %s\tinfra\n' "$infra" | tree)
    commit=$(git commit-tree "$top" -p HEAD -m "$1")
    git update-ref "refs/heads/$1" "$commit"
}
dup_dir=$(printf '120000 blob %s\tx.toml\n100644 blob %s\tx.toml\n' "$to_victim" "$pwned" | tree)
# A name twice at the root, then inside host_data/ (which strata reads).
branch twice "100644 blob $hosts\thosts.toml\n120000 blob $to_victim\tx.toml\n100644 blob $pwned\tx.toml\n"
branch twice-read "100644 blob $hosts\thosts.toml\n040000 tree $dup_dir\thost_data\n"
# A link, then a file under it: at the root, and as host_data/ itself.
branch link-child "100644 blob $hosts\thosts.toml\n120000 blob $to_outside\tlink\n040000 tree $pwned_dir\tlink\n"
branch link-read "100644 blob $hosts\thosts.toml\n120000 blob $to_outside\thost_data\n040000 tree $pwned_dir\thost_data\n"
# A source naming a file under a link to the outside folder.
src=$(blob 'file = "exports/pwned.toml"
')
src_dir=$(printf '100644 blob %s\tcmdb.toml\n' "$src" | tree)
branch link-named "100644 blob $hosts\thosts.toml\n040000 tree $src_dir\tsources\n120000 blob $to_outside\texports\n040000 tree $pwned_dir\texports\n"

# The user's clone: every branch arrives as origin/<name>.
git clone -q "file://$origin" "$WORK/clone"
cd "$WORK/clone"
for b in twice twice-read link-child link-read link-named; do
    set +e
    bounded 30 200 -- "$STRATA" -i infra/prod diff --base "origin/$b" >"$WORK/$b.out" 2>"$WORK/$b.err"
    status=$?
    set -e
    [ "$(cat "$outside/victim.toml")" = untouched ] || fail "$b: the file outside was overwritten"
    [ "$(ls -A "$outside")" = victim.toml ] || fail "$b: a file appeared outside: $(ls -A "$outside" | tr '\n' ' ')"
    [ "$status" = 0 ] || { cat "$WORK/$b.err" >&2; fail "$b: strata diff broke a bound (status $status)"; }
done
# Where strata reads, the duplicate is refused, located by its path.
expect_in "$WORK/twice-read.err" "the archive holds infra/prod/host_data/x.toml twice"
echo "no write outside the export"
