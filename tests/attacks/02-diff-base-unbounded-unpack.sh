#!/usr/bin/env bash
# Issue 19, item 2: `strata diff --base` unpacked git's archive without
# bound: a 2 GiB file of zeros (about 2 MB in git) cost 24.6 s and 2.17 GB,
# and git's output, capped at 64 MiB, could inflate to about 64 GiB. Now a
# file strata reads is refused by the size git lists, before anything is
# inflated, and a file strata never reads is never fetched. Each case runs
# the release binary under 5 s and 200 MiB (git's own run included).
source "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export XDG_CACHE_HOME="$WORK/cache"
unset STRATA_INVENTORY STRATA_ALLOW_EXEC

repo="$WORK/repo"
git init -q -b main "$repo"
cd "$repo"
mkdir -p infra/prod
printf 'web = ["web1"]\n' > infra/prod/hosts.toml
git add -A
git commit -q -m "an inventory"

# The 2 GiB of zeros, hashed from a sparse file (git streams a file this big
# into a pack: a few MB on disk, some seconds of CPU).
truncate -s "${BIG_BYTES:-2147483648}" "$WORK/zeros"
big=$(git -c core.compression=1 hash-object -w "$WORK/zeros")
rm "$WORK/zeros"
size=$(git cat-file -s "$big")

blob() { printf '%s' "$1" | git hash-object -w --stdin; }
tree() { git mktree --missing; }
hosts=$(blob 'web = ["web1"]
')
branch() {
    local prod infra top commit
    prod=$(printf '%b' "$2" | tree)
    infra=$(printf '040000 tree %s\tprod\n' "$prod" | tree)
    top=$(printf '040000 tree %s\tinfra\n' "$infra" | tree)
    commit=$(git commit-tree "$top" -p HEAD -m "$1")
    git update-ref "refs/heads/$1" "$commit"
}
host_dir=$(printf '100644 blob %s\tweb1.toml\n' "$big" | tree)
src_dir=$(printf '100644 blob %s\tcmdb.toml\n' "$(blob 'file = "exports/cmdb.json"
')" | tree)
exports_dir=$(printf '100644 blob %s\tcmdb.json\n' "$big" | tree)
# Where strata reads (host_data/), where a source points, where it never reads.
branch read "100644 blob $hosts\thosts.toml\n040000 tree $host_dir\thost_data\n"
branch named "100644 blob $hosts\thosts.toml\n040000 tree $src_dir\tsources\n040000 tree $exports_dir\texports\n"
branch unread "100644 blob $hosts\thosts.toml\n100644 blob $big\tzeros.bin\n"

for b in read named; do
    bounded 5 200 --expect-status 2 -- "$STRATA" -i infra/prod diff --base "$b" 2>"$WORK/$b.err" \
        || { cat "$WORK/$b.err" >&2; fail "$b: a file over the limit was not refused in bounds"; }
done
expect_in "$WORK/read.err" "infra/prod/host_data/web1.toml is $size bytes at \`read\`, over the limit of 67108864 bytes (64 MiB)"
expect_in "$WORK/named.err" "infra/prod/exports/cmdb.json is $size bytes at \`named\`, over the limit"
bounded 5 200 --expect-status 0 -- "$STRATA" -i infra/prod diff --base unread >"$WORK/unread.out" 2>"$WORK/unread.err" \
    || { cat "$WORK/unread.err" >&2; fail "unread: a file strata never reads cost more than the bounds"; }
expect_in "$WORK/unread.out" "strata diff: no differences"
echo "bounded"
