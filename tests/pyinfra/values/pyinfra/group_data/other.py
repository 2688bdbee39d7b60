int = "now a string"
deep = 0
