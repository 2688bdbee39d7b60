flavor = "local-group"
python = "/usr/bin/python3"
