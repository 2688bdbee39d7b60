a = "g1-file"
b = "g1-file"
