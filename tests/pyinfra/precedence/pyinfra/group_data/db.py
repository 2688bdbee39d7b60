db_engine = "postgres"
limits = {"cpu": 8}
