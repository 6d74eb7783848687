"""The service's routers, one per group of endpoints: search, episodes and podcasts, writes, answers (ask), and
operations (health, metrics, config)."""
