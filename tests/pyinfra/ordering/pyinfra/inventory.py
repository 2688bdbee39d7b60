# Same content as ../strata, ranges written out as comprehensions.
# strata: web[02:03] -> web02, web03; db[1:2]; node[a:c]; n[0:10:5] (end inclusive).
zeta = [f"web{i:02d}" for i in range(2, 4)] + ["db1"]
alpha = [f"db{i}" for i in range(1, 3)] + ["web01", ("web02", {"first_seen": True})]

mid = (
    [f"node{c}" for c in "abc"] + [("web03", {"dup": 1, "first": True}), ("web03", {"dup": 2, "second": True})],
    {"order": "mid-inline", "mid_only": "yes"},
)

step = [f"n{i}" for i in range(0, 11, 5)] + ["db2"]
