"""The service's routers: search, episodes and podcasts, and operations (health, metrics)."""
