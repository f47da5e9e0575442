// saveimg-fuzz: libFuzzer targets over saveimg's read path, stream walker and
// edit planner, in memory.
//
// Build and run with scripts/fuzz.sh (it passes -sanitize=fuzzer and
// -DSAVEIMG_FUZZ). Without SAVEIMG_FUZZ this target is a stub, so a plain
// `swift build` / `swift test` still links (SwiftPM builds every executable).
//
// SAVEIMG_FUZZ_HARNESS picks the harness (a broken invariant aborts, which
// libFuzzer records as a crash):
// - image (default): a whole save image file (ImageHarness.swift);
// - xml: tree edits of the domain XML and the cookie (XMLHarness.swift);
// - stream: the migration stream through the deep check's walker (StreamHarness.swift);
// - edit: random edit sequences through the planner (EditHarness.swift);
// - sparse: sparse (mapped-ram) images through the layout reader and the raw stream (SparseHarness.swift).
import Glibc

#if SAVEIMG_FUZZ
import CFuzzDriver
import SaveImage

let harnessName = getenv("SAVEIMG_FUZZ_HARNESS").map { String(cString: $0) } ?? "image"
let harness: ([UInt8]) -> Void
switch harnessName {
case "image": harness = fuzzImage
case "xml": harness = fuzzXML
case "stream": harness = fuzzStream
case "edit": harness = fuzzEdit
case "sparse": harness = fuzzSparse
default:
    print("saveimg-fuzz: unknown SAVEIMG_FUZZ_HARNESS '\(harnessName)' (image, xml, stream, edit)")
    exit(2)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    harness(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

// Page faults on freshly mapped 1 MiB buffers were a fifth of the sparse harness's time.
saveimg_fuzz_keep_freed_buffers()

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
#else
print("saveimg-fuzz: built without fuzzing; run scripts/fuzz.sh SECONDS")
exit(2)
#endif
