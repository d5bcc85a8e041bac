"""The shipped catalogues, loaded once for the tests, as the server and the worker load them once."""

from govgrid.catalog.bundle import load_catalogs

CATALOGS = load_catalogs()
