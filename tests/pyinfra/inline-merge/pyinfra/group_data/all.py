z = "all-file"
gkey = "all-file"
