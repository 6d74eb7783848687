"""podquery's indexer: read episodes, cut passages, embed and index them, and search the index."""

__version__ = "0.1.0"
