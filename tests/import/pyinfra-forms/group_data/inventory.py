# Data for pyinfra's group named after the inventory file: every host, after
# the file's own groups.
color = "file-group"
from_file_group = True
