"""Report renderers, one module per format, listed once in :mod:`outputs.formats`.

Renderers are pure functions of the stored data of a project (``outputs.data`` reads it in
batches); :mod:`outputs.files` names and writes the files of a project's ``output/`` folder.
Nothing here knows of HTTP, the queue or the services.
"""
