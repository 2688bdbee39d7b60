flavor = "ssh-group-never-applied"
