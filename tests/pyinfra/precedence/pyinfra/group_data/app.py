color = "app-file"
