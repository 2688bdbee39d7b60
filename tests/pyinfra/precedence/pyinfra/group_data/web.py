color = "web-file"
tier = "web-file"
limits = {"cpu": 1, "mem": "1G", "disk": "10G"}
