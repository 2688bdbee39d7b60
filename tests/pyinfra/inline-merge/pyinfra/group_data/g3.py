gkey = "g3-file"
gtab = {"from": "g3-file"}
