maybe = None
deep = {"a": {"b": [None]}}
special = {"__float": "nan"}
