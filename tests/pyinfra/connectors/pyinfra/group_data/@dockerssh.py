ssh_user = "builder"
flavor = "dockerssh-group"
