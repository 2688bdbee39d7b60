# Same content as ../strata (see ../../README.md). host_data/*.toml is merged
# over the host's entry in `all`.
web = [
    "web1.example.com",
    ("web2.example.com", {"port": 8001, "role": "web-inline", "tags": ["w"], "extra": "from-web"}),
]

app = (
    [
        ("web2.example.com", {"port": 8002, "extra": "from-app"}),
        "app1.example.com",
    ],
    {"tier": "app-inline", "color": "app-inline", "limits": {"cpu": 2, "mem": "2G"}, "only_app": True},
)

db = (
    ["db2.example.com", "web1.example.com", "db1.example.com"],
    {"tier": "db-inline", "port": 5432},
)

all = (
    [
        "db2.example.com",
        # all entry {owner} + host_data file {port, tier, limits}
        ("web1.example.com", {"owner": "web1-all-entry", "port": 7001, "tier": "host-file", "limits": {"mem": "16G"}}),
        # all entry {port} + host_data file {extra}
        ("web2.example.com", {"port": 9002, "extra": "host-file"}),
        "app1.example.com",
        "db1.example.com",
        ("lonely.example.com", {"env": "lonely-file"}),
    ],
    {"env": "inline-all", "ssh_user": "deploy", "ssh_port": 22, "owner": "inline-all", "ntp": ["a", "b"]},
)
