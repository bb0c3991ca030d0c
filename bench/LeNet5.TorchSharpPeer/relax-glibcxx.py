#!/usr/bin/env python3
"""Let TorchSharp's native glue load on an older libstdc++ (Debian 12's stops at GLIBCXX_3.4.30).

libLibTorchSharp.so in TorchSharp-cpu 0.107.0 was linked with GCC 13, whose <iostream> leaves an
undefined reference to std::ios_base_library_init() versioned GLIBCXX_3.4.32. Nothing relocates
against that symbol (no code calls or binds it), but the loader still refuses the library because
the version is listed as needed. This marks that one version need VER_FLG_WEAK in the library's
.gnu.version_r, so the loader only notes its absence; no instruction changes.

It reads the ELF through its dynamic segment (DT_VERNEED, DT_VERSYM, DT_RELA, DT_JMPREL), and it
refuses to patch if any dynamic relocation names a symbol of that version, i.e. if the version were
really needed. Running it again on a patched file does nothing.

usage: relax-glibcxx.py LIB.so [VERSION]   (VERSION defaults to GLIBCXX_3.4.32)
"""
import struct
import sys

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_STRTAB, DT_RELA, DT_RELASZ, DT_JMPREL, DT_PLTRELSZ = 0, 5, 7, 8, 23, 2
DT_VERSYM, DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFF0, 0x6FFFFFFE, 0x6FFFFFFF
VER_FLG_WEAK = 0x2


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path, version = argv[1], (argv[2] if len(argv) > 2 else "GLIBCXX_3.4.32")
    with open(path, "rb") as f:
        elf = bytearray(f.read())
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        print(f"{path}: not a 64-bit little-endian ELF file", file=sys.stderr)
        return 1

    # program headers: the loadable segments (to turn addresses into file offsets) and the dynamic one
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    loads, dynamic = [], None
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from("<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        print(f"{path}: no dynamic segment", file=sys.stderr)
        return 1

    def offset(vaddr):
        for start, off, size in loads:
            if start <= vaddr < start + size:
                return off + vaddr - start
        raise ValueError(f"address {vaddr:#x} is in no loaded segment")

    tags = {}
    for k in range(dynamic[1] // 16):
        tag, value = struct.unpack_from("<qQ", elf, dynamic[0] + 16 * k)
        if tag == DT_NULL:
            break
        tags[tag] = value
    if DT_VERNEED not in tags or DT_VERSYM not in tags:
        print(f"{path}: no symbol versions; nothing to do")
        return 0
    strtab = offset(tags[DT_STRTAB])

    def name(at):
        return elf[strtab + at:elf.index(b"\0", strtab + at)].decode()

    # Elf64_Verneed entries, each with its Elf64_Vernaux list: find the need for `version`
    found = None
    need = offset(tags[DT_VERNEED])
    for _ in range(tags.get(DT_VERNEEDNUM, 0)):
        _, count, file_name, aux, next_need = struct.unpack_from("<HHIII", elf, need)
        entry = need + aux
        for _ in range(count):
            _, flags, index, aux_name, next_aux = struct.unpack_from("<IHHII", elf, entry)
            if name(aux_name) == version:
                found = (entry, flags, index, name(file_name))
            entry += next_aux
        need += next_need
    if found is None:
        print(f"{path}: needs no {version}; nothing to do")
        return 0
    entry, flags, index, library = found
    if flags & VER_FLG_WEAK:
        print(f"{path}: {version} of {library} is already weak")
        return 0

    # no dynamic relocation may name a symbol of that version (r_info's high half is the symbol index)
    versym = offset(tags[DT_VERSYM])
    for table, size in ((DT_RELA, DT_RELASZ), (DT_JMPREL, DT_PLTRELSZ)):
        if table not in tags:
            continue
        start = offset(tags[table])
        for k in range(tags[size] // 24):
            r_info, = struct.unpack_from("<Q", elf, start + 24 * k + 8)
            symbol = r_info >> 32
            if symbol and struct.unpack_from("<H", elf, versym + 2 * symbol)[0] & 0x7FFF == index:
                print(f"{path}: a relocation uses symbol {symbol} of {version}; refusing to weaken it", file=sys.stderr)
                return 1

    struct.pack_into("<H", elf, entry + 4, flags | VER_FLG_WEAK)
    with open(path, "r+b") as f:
        f.write(elf)
    print(f"{path}: {version} of {library} marked weak (no relocation uses it)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
