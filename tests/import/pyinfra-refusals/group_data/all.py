maybe = None
deep = {"a": {"b": [None]}}
