flavor = "servers"
ssh_hostname = "servers-group"
