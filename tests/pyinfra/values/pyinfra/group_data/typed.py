int = 1
servers = [{"name": "alpha", "ports": [80, 443]}, {"name": "beta"}]
deep = {"a": {"b": {"c": "deep"}}}
