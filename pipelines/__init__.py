"""Built-in pipelines: one module per pipeline, the module name is the pipeline name."""
