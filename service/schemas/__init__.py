"""The API's edges, typed: query parameters and bodies in, JSON out. The only pydantic models in podquery.

Inside, the library works on dataclasses (`indexer.search.hits.Hit`, `indexer.datamodel.Episode`); the routes turn
them into these models, which also give the OpenAPI schema its fields, limits and examples. One module per
group of routes (`search`, `episodes`, `ask`, `ops`), `records` for the episode record `POST /episodes` takes,
and `common` for what several share: the filters, the episode and chapter a hit or quote points at, the error
body, and the modes and kinds built from the library's own tuples.
"""
