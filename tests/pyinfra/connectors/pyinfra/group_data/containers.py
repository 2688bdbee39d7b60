flavor = "containers"
runtime = "generic"
