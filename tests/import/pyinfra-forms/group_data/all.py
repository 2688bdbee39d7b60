site = "group_data"
color = "group_data"
