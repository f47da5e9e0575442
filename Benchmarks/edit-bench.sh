#!/bin/bash
# In-place add-cpu-ext on a 1 MB image vs a 16 GiB sparse image (same cost
# expected: only the header and the data region are touched), and one grow
# (define past 64 KiB) on a sparse 16 GiB and a non-sparse 1 GiB image.
#   Benchmarks/edit-bench.sh [path/to/saveimg]     (uses hyperfine if installed)
set -eu
cd "$(dirname "$0")/.."
S=$(realpath "${1:-.build-edit/release/saveimg}")
W=$(mktemp -d /var/tmp/saveimg-edit-bench.XXXXXX); trap 'rm -rf "$W"' EXIT
F=testdata/libvirt-9.0/westmere-raw.sav
cp $F $W/small.sav
cp $F $W/big.sav; truncate -s 16G $W/big.sav
$S dumpxml --cookie $F | sed -n '/<cpu/,/<\/cpu>/p' > $W/a.xml
sed 's#</cpu>#  <feature policy="require" name="x2apic"/>\n</cpu>#' $W/a.xml > $W/b.xml
# Alternate two CPUs so every run really writes.
cat > $W/flip.sh <<EOS
#!/bin/bash
if [ -e \$1.a ]; then rm \$1.a; exec $S add-cpu-ext \$1 --cpu $W/b.xml >/dev/null; else touch \$1.a; exec $S add-cpu-ext \$1 --cpu $W/a.xml >/dev/null; fi
EOS
chmod +x $W/flip.sh
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 3 -r 30 "$W/flip.sh $W/small.sav" "$W/flip.sh $W/big.sav"
else
  for f in small big; do
    t0=$(date +%s%N); for i in $(seq 30); do $W/flip.sh $W/$f.sav; done; t1=$(date +%s%N)
    echo "add-cpu-ext in place, $f: $(( (t1-t0)/30000 )) us/run (30 runs)"
  done
fi
$S dumpxml $F | python3 -c "import sys; s=sys.stdin.read(); print(s.replace('</name>','</name>\n  <description>'+'g'*70000+'</description>',1), end='')" > $W/grow.xml
for f in big; do t0=$(date +%s%N); $S define $W/$f.sav $W/grow.xml | tail -1; t1=$(date +%s%N); echo "grow, 16 GiB sparse: $(( (t1-t0)/1000000 )) ms"; done
cp $F $W/dense.sav; head -c 1G /dev/urandom >> $W/dense.sav; sync
t0=$(date +%s%N); $S define $W/dense.sav $W/grow.xml | tail -1; t1=$(date +%s%N); echo "grow, 1 GiB non-sparse: $(( (t1-t0)/1000000 )) ms"
# fallocate(FALLOC_FL_INSERT_RANGE): insert 64 KiB at a block boundary before the stream.
cp $F $W/ins.sav; head -c 1G /dev/zero | tr '\0' 'x' >> $W/ins.sav; sync
t0=$(date +%s%N); fallocate --insert-range -o 65536 -l 65536 $W/ins.sav && r=ok || r=failed; t1=$(date +%s%N)
echo "fallocate --insert-range 64 KiB into a 1 GiB file: $r, $(( (t1-t0)/1000000 )) ms; size now $(stat -c %s $W/ins.sav)"
