# Same content as ../strata; host_data files merged into the `all` entries.
g1 = (
    [("h1", {"a": 1, "b": 1, "c": 1, "cfg": {"x": 1, "y": 1}}), "h2", "h4"],
    {"a": "g1-inline", "gkey": "g1-inline", "gtab": {"from": "g1", "keep": True}},
)
g2 = (
    [("h1", {"b": 2, "c": 2, "cfg": {"y": 2}}), ("h3", {"a": "h3-g2"}), "h4"],
    {"gkey": "g2-inline", "gtab": {"from": "g2"}},
)
g3 = [("h1", {"c": 3}), "h2"]

all = (
    [("h1", {"a": 0, "d": 4}), ("h2", {"cfg": {"from": "h2-file"}}), "h3", "h4"],
    {"a": "all-inline", "gkey": "all-inline", "z": "all-inline"},
)
