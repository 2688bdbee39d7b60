# Same content as ../strata. Python literals for the TOML values.
typed = (
    [
        (
            "t1",
            {"odd key": "spaces", "a.b": "quoted dot", "ünï": "ⓤ", "x": {"y": {"z": 1}}, "empty_t": {}, "empty_a": []},
        ),
        "t2",
    ],
    {"shape": {"kind": "table", "n": 1}, "mixed": [1, "two", 3.5, True, [4], {"five": 5}]},
)

other = (["t2", "t3"], {"shape": "scalar-now"})

all = (
    [
        "t1",
        "t2",
        ("t3", {"shape": {"kind": "host", "list": [{"k": 1}, {"k": 2}]}, "float": 1.0}),
    ],
    {"dash-key": "d", "1numeric": 1, "shape": ["global", "array"]},
)
