# Forms the pyinfra reader carries over: tuples become arrays, NaN and
# infinities, a group named after the file with data, a print() that must not
# reach strata's JSON, a neighbour import, --group-data over group_data/.
import helpers

print("inventory.py says hello on stdout")

web = (
    [("web1", {"pair": (1, "two"), "port": helpers.PORT}), "web2"],
    {"ratio": float("nan"), "ceiling": float("inf"), "floor": float("-inf"), "nested": ((1, 2), [3])},
)
db = (["db1"], {"meta": {"__meta": 1}})
_private = ["ignored"]

# Floats that a careless parser reads one unit in the last place off, and -0.0.
all = (
    ["web1", "web2", "db1"],
    {"floats": [1e23, 0.30000000000000004, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0]},
)
