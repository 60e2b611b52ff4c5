"""Output renderers: one module per format, registered in ``outputs.registry``."""
