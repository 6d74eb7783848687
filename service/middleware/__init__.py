"""The service's pure ASGI middleware, one concern a module: the request-body cap (`bodylimit`), the deadline for
reading a body (`readtimeout`), OPTIONS and 405s with a path's whole `Allow` (`methods`), per-client rate limits
(`ratelimit`), security headers (`security`) and Prometheus metrics (`metrics`).

`service.app.create_app` stacks them in the order its docstring gives; the catch-all 500 lives in
`service.errors` with the other error mapping.
"""
