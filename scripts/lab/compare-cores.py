#!/usr/bin/env python3
"""Compare two ELF cores (QEMU's dump-guest-memory vs saveimg export-memory):
ELF class/machine, PT_LOAD ranges (paddr, size), the bytes of every range,
and every note (name, type, desc bytes). Prints one line per difference and
a summary line; exit 0 when they are the same.

usage: compare-cores.py QEMU.core EXPORT.core [--raw EXPORT.raw]
  --raw: also check that the raw export holds each PT_LOAD's bytes at its paddr.
"""
import struct, sys, hashlib

def parse(path):
    f = open(path, 'rb')
    ident = f.read(16)
    assert ident[:4] == b'\x7fELF', path
    cls = ident[4]
    if cls == 2:
        f.seek(16); e_type, e_machine, _, _, e_phoff, _, _, _, e_phentsize, e_phnum = struct.unpack('<HHIQQQIHHH', f.read(42))
    else:
        f.seek(16); e_type, e_machine, _, _, e_phoff, _, _, _, e_phentsize, e_phnum = struct.unpack('<HHIIIIIHHH', f.read(30))
    phdrs = []
    for i in range(e_phnum):
        f.seek(e_phoff + i * e_phentsize)
        if cls == 2:
            p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = struct.unpack('<IIQQQQQQ', f.read(56))
        else:
            p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align = struct.unpack('<IIIIIIII', f.read(32))
        phdrs.append(dict(type=p_type, offset=p_offset, vaddr=p_vaddr, paddr=p_paddr, filesz=p_filesz, memsz=p_memsz))
    notes = []
    for ph in phdrs:
        if ph['type'] != 4: continue
        f.seek(ph['offset']); data = f.read(ph['filesz']); at = 0
        while at + 12 <= len(data):
            namesz, descsz, ntype = struct.unpack('<III', data[at:at + 12]); at += 12
            name = data[at:at + namesz].rstrip(b'\0').decode(errors='replace'); at += (namesz + 3) // 4 * 4
            desc = data[at:at + descsz]; at += (descsz + 3) // 4 * 4
            notes.append((name, ntype, desc))
    return f, cls, e_machine, phdrs, notes

def digest(f, offset, size):
    h = hashlib.sha256(); f.seek(offset); left = size
    while left:
        chunk = f.read(min(left, 1 << 20))
        if not chunk: break
        h.update(chunk); left -= len(chunk)
    return h.hexdigest()

def main():
    a, b = sys.argv[1], sys.argv[2]
    raw = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == '--raw' else None
    fa, ca, ma, pa, na = parse(a)
    fb, cb, mb, pb, nb = parse(b)
    diffs = []
    if (ca, ma) != (cb, mb): diffs.append(f'class/machine {ca}/{ma} vs {cb}/{mb}')
    la = [(p['paddr'], p['memsz']) for p in pa if p['type'] == 1]
    lb = [(p['paddr'], p['memsz']) for p in pb if p['type'] == 1]
    if la != lb:
        diffs.append('PT_LOAD ranges differ:\n    qemu:   ' + ' '.join(f'{x:#x}+{y:#x}' for x, y in la)
                     + '\n    export: ' + ' '.join(f'{x:#x}+{y:#x}' for x, y in lb))
    va = [(p['paddr'], p['vaddr']) for p in pa if p['type'] == 1]
    vb = [(p['paddr'], p['vaddr']) for p in pb if p['type'] == 1]
    if va != vb and la == lb: diffs.append('p_vaddr differ')
    same_bytes = 0
    loads_b = {p['paddr']: p for p in pb if p['type'] == 1}
    for p in pa:
        if p['type'] != 1: continue
        q = loads_b.get(p['paddr'])
        if not q: continue
        size = min(p['filesz'], q['filesz'])
        if digest(fa, p['offset'], size) != digest(fb, q['offset'], size):
            # find the first differing page
            fa.seek(p['offset']); fb.seek(q['offset']); off = 0
            while off < size:
                x = fa.read(4096); y = fb.read(4096)
                if x != y: break
                off += 4096
            diffs.append(f'bytes differ in range {p["paddr"]:#x}+{size:#x}, first at paddr {p["paddr"] + off:#x}')
        else:
            same_bytes += size
    if raw:
        fr = open(raw, 'rb')
        for p in pa:
            if p['type'] != 1: continue
            if digest(fa, p['offset'], p['filesz']) != digest(fr, p['paddr'], p['filesz']):
                diffs.append(f'raw export differs in range {p["paddr"]:#x}+{p["filesz"]:#x}')
    if [(n, t) for n, t, _ in na] != [(n, t) for n, t, _ in nb]:
        diffs.append(f'note list differs: {[(n, t, len(d)) for n, t, d in na]} vs {[(n, t, len(d)) for n, t, d in nb]}')
    else:
        for i, ((n, t, da), (_, _, db)) in enumerate(zip(na, nb)):
            if da != db:
                first = next((k for k in range(min(len(da), len(db))) if da[k] != db[k]), min(len(da), len(db)))
                diffs.append(f'note {i} ({n} type {t}) differs: {len(da)} vs {len(db)} bytes, first at desc byte {first}')
    for d in diffs: print('  DIFF ' + d)
    print(f'  {"SAME" if not diffs else "DIFFERENT"}: {len(la)} PT_LOADs, {same_bytes} bytes compared equal, {len(na)} notes'
          + (f', raw checked' if raw else ''))
    sys.exit(0 if not diffs else 1)

main()
