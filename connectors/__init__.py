"""The *arr apps Comradarr talks to: the Connector model, API clients and health checks."""
