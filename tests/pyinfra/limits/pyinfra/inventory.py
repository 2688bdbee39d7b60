# Same content as ../strata.
web = ["web1", "web2", "web10"]
db = ["db1.example.com", "db2.example.com", "db10.example.com", "dbx.example.com"]
misc = ["api-web1", "Web3.Example.com", "10.0.0.1", "@ssh/10.0.0.7"]
