# A typo: no group `webb`, so this reaches no host.
color = "never"
