"""gtm-warehouse: generate, load, build, check and report a go-to-market warehouse."""

__version__ = "0.1.0"
