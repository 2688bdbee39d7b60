order = "alpha"
alpha_only = 1
