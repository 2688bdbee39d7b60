flavor = "edge"
