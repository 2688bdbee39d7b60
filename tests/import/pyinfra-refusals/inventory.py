# Every kind of value strata cannot take; `strata import pyinfra` names each
# one (group or host, and key) in one run. The tuples are fine: arrays.
web = (
    ["web1", ("web2", {"tags": {"a", "b"}, "ports": (80, 443), "inner": {"x": [1, {"y": None}]}})],
    {"owner": None, "pair": ("left", None), "ok": "fine"},
)

db = [("db1", {1: "an int key", "blob": b"\x00"})]
