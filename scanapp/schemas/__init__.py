"""Response shapes, as marshmallow schemas: the API, webhook payloads and JSON headers use them.

Each schema dumps a stored row (or a view of one, see ``scanapp.services.views``) into the
JSON that ScanCode.io clients read, and documents it in ``/api/openapi.json`` with every
field's type, list items included. They know nothing of Flask.
"""
