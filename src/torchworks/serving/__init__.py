"""The platform server: services, batching, registry, metrics, auth, load tests; knows no recipe."""
