order = "step"
