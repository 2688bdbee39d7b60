order = "zeta"
zeta_only = 1
