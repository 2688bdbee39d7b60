flavor = "chroot-group"
