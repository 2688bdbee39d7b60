runtime = "podman"
