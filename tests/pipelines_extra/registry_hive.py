"""Write small Windows registry hives (REGF) for tests, with regipy's own structures.

A hive is a 4096-byte header then hive bins of cells; every offset counts from the end of
the header. Each key is an ``nk`` cell, its subkeys an ``lf`` list, its values a list of
offsets to ``vk`` cells, each with its data in a cell of its own. regipy's construct
structures (the ones it parses hives with) build every record, so what is written is what
a real parser reads.
"""

from __future__ import annotations

import struct

from regipy.structs import CM_KEY_NODE, HBIN_HEADER, REGF_HEADER, VALUE_KEY

HEADER_SIZE = 4096
HBIN_SIZE = 4096
REG_SZ = "REG_SZ"
#: The key of the unnamed (padding) fields of regipy's compiled structures.
UNNAMED = None


def _with_unnamed(value, fields: dict) -> dict:
    """Give the unnamed padding fields of a compiled structure their value."""
    return {**fields, UNNAMED: value}


class _Cells:
    """Cells laid one after the other after a hive bin header, offsets from the data start."""

    def __init__(self):
        self.data = bytearray(HBIN_HEADER.sizeof())

    def add(self, payload: bytes) -> int:
        offset = len(self.data)
        size = (len(payload) + 4 + 7) // 8 * 8
        self.data += struct.pack("<i", -size) + payload + bytes(size - 4 - len(payload))
        return offset

    def reserve(self, length: int) -> int:
        return self.add(bytes(length))

    def put(self, offset: int, payload: bytes) -> None:
        self.data[offset + 4 : offset + 4 + len(payload)] = payload


def _key_node(name: str, parent: int, subkeys: int, subkeys_list: int, values: int,
              values_list: int, root: bool = False) -> bytes:
    encoded = name.encode("ascii")
    flags = {"KEY_COMP_NAME": True, "KEY_HIVE_ENTRY": root}
    return b"nk" + CM_KEY_NODE.build(_with_unnamed(bytes(4), dict(
        flags=flags, last_modified=132_000_000_000_000_000, access_bits=bytes(4),
        parent_key_offset=parent, subkey_count=subkeys, volatile_subkey_count=0,
        subkeys_list_offset=subkeys_list, volatile_subkeys_list_offset=0xFFFFFFFF,
        values_count=values, values_list_offset=values_list, security_key_offset=0xFFFFFFFF,
        class_name_offset=0xFFFFFFFF, largest_sk_name=0, largest_sk_class_name=0,
        largest_value_name=0, largest_value_data=0, key_name_size=len(encoded),
        class_name_size=0, key_name_string=encoded,
    )))


def _value(cells: _Cells, name: str, text: str) -> int:
    data = (text + "\0").encode("utf-16-le")
    data_offset = cells.add(data)
    encoded = name.encode("ascii")
    return cells.add(VALUE_KEY.build(_with_unnamed(0, dict(
        name_size=len(encoded), data_size=len(data), data_offset=data_offset,
        data_type=REG_SZ, flags={"VALUE_COMP_NAME": True}, name=encoded,
    ))))


def _write_key(cells: _Cells, name: str, tree: dict, parent: int, root: bool = False) -> int:
    """Write a key: ``tree`` maps subkey names to dicts and value names to strings."""
    subkeys = {key: value for key, value in tree.items() if isinstance(value, dict)}
    values = {key: value for key, value in tree.items() if isinstance(value, str)}
    node = cells.reserve(len(_key_node(name, 0, 0, 0, 0, 0)))
    children = [_write_key(cells, child, subtree, node) for child, subtree in subkeys.items()]
    list_offset = 0xFFFFFFFF
    if children:
        hints = b"".join(
            struct.pack("<I4s", child, key[:4].encode("ascii").ljust(4, b"\0"))
            for child, key in zip(children, subkeys, strict=True)
        )
        list_offset = cells.add(b"lf" + struct.pack("<H", len(children)) + hints)
    values_offset = 0xFFFFFFFF
    if values:
        offsets = [_value(cells, key, text) for key, text in values.items()]
        values_offset = cells.add(struct.pack(f"<{len(offsets)}I", *offsets))
    cells.put(node, _key_node(name, parent, len(children), list_offset, len(values),
                              values_offset, root))
    return node


def build_hive(tree: dict, name: str = "SOFTWARE") -> bytes:
    """Return the bytes of a hive whose root key holds ``tree``."""
    cells = _Cells()
    root = _write_key(cells, "ROOT", tree, 0xFFFFFFFF, root=True)
    size = (len(cells.data) + HBIN_SIZE - 1) // HBIN_SIZE * HBIN_SIZE
    free = size - len(cells.data)
    if free:
        cells.data += struct.pack("<i", free) + bytes(free - 4)
    cells.data[: HBIN_HEADER.sizeof()] = HBIN_HEADER.build(
        {"offset": 0, "size": size, "timestamp": 0, UNNAMED: 0}
    )
    header = bytearray(REGF_HEADER.build(_with_unnamed(bytes(396), dict(
        primary_sequence_num=1, secondary_sequence_num=1, last_modification_time=0,
        major_version=1, minor_version=5, file_type=0, file_format=1, root_key_offset=root,
        hive_bins_data_size=size, clustering_factor=1, file_name=name, checksum=0,
    ))).ljust(HEADER_SIZE, b"\0"))
    checksum = 0
    for (word,) in struct.iter_unpack("<I", header[:508]):
        checksum ^= word
    header[508:512] = struct.pack("<I", checksum)
    return bytes(header) + bytes(cells.data)
