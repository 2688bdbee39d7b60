# Same content as ../strata; host_data files merged into the `all` entries.
local = [("@local", {"flavor": "local-inline"})]
servers = ["@ssh/10.0.0.5", "plain.example.com", "@chroot/srv/root"]
containers = [
    "@docker/abc",
    "@podman/xyz",
    ("@dockerssh/build.example.com:ubuntu:22.04", {"docker_image": "inline-wins:1"}),
]
edge = ["@ssh/10.0.0.5", "@docker/abc"]

all = (
    [
        "@local",
        ("@ssh/10.0.0.5", {"ssh_port": 2222}),
        ("@docker/abc", {"tag": "docker-host-file"}),
        ("@podman/xyz", {"docker_identifier": "xyz-renamed"}),
        "plain.example.com",
        ("@chroot/srv/root", {"note": "chroot host file"}),
        ("@dockerssh/build.example.com:ubuntu:22.04", {"ssh_hostname": "10.9.9.9"}),
    ],
    {"ssh_user": "root", "flavor": "all-inline"},
)
