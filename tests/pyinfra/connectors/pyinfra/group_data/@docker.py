flavor = "docker-group"
docker_identifier = "group-loses-to-connector"
