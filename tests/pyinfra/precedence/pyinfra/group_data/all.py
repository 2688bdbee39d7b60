env = "file-all"
tier = "global"
color = "global"
ntp = ["file"]
