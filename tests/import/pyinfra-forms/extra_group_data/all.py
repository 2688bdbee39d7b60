site = "extra"
