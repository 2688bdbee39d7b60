# A neighbour module inventory.py imports (pyinfra's CLI has its working
# directory on sys.path).
PORT = 8080
