"""Business logic: called by the API, the CLI and jobs; owns the commits."""
