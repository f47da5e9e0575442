// Harness "image" (the default): each input is a whole save image file,
// read in memory through the reader, the verify library and the edit planner.
//
// Checks that nothing traps and that these invariants hold:
// - a header that parses re-serialises to the same 92 bytes;
// - a data region that parses re-serialises to the same bytes;
// - planning "no change" is a no-op;
// - the verify library decides without trapping;
// - every planned edit, applied to the bytes in memory, reads back as the
//   plan's result (header and data region).
#if SAVEIMG_FUZZ
import Glibc
import SaveImage

/// The `<cpu>` used for the cookie-CPU edit (model taken from the domain XML).
func cpuElement(model: String?) -> XMLElement? {
    let key = model ?? ""
    if let cached = cpuCache[key] { return cached }
    let element = parseCPU(model: model)
    if cpuCache.count < 1024 { cpuCache[key] = element }
    return element
}

nonisolated(unsafe) var cpuCache: [String: XMLElement?] = [:]

func parseCPU(model: String?) -> XMLElement? {
    let text = "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>\(model ?? "qemu64")</model>"
        + "<feature policy='require' name='hypervisor'/></cpu>"
    return try? CPUXML.parse(Array(text.utf8), path: "cpu.xml")
}

/// Reads `bytes` as the reader would, in memory; nil when it is rejected.
func readImage(_ bytes: [UInt8]) -> SaveImage? {
    // The one read path: SaveImage(reading:) over InMemoryFile, exactly as a file on disk is read.
    let image: SaveImage
    do { image = try SaveImage(reading: InMemoryFile(bytes, path: "fuzz.sav")) } catch {
        note("rejected: \(error)")
        return nil
    }
    let headerSize = SaveImageHeader.size
    invariant(same(image.header.serialized(), Array(bytes[0..<headerSize])), "header round trip")
    let end = headerSize + Int(image.header.dataLength)
    note("read: \(image.domain.name ?? "?"), \(image.region.chain.count) chain document(s), \(image.findings.count) finding(s)")
    invariant(same(image.region.serialized(), Array(bytes[headerSize..<end])), "data region round trip")
    return image
}

/// Touches every derived property the CLI prints.
func exercise(_ image: SaveImage) {
    var sink = 0
    sink &+= image.findings.reduce(0) { $0 &+ $1.message.utf8.count }
    sink &+= image.cpuDifference.summary.utf8.count
    sink &+= image.streamSignature.name.utf8.count
    sink &+= image.streamPrelude?.machineType?.utf8.count ?? 0
    sink &+= image.extensions.count &+ image.region.nonZeroPaddingBytes
    sink &+= image.domain.name?.utf8.count ?? 0
    sink &+= Int(image.effectiveFormat.rawValue)
    if let cookie = image.cookieDocument {
        sink &+= (try? CPUXML.parse(cookie.bytes, path: "cookie"))?.name.utf8.count ?? 0
    }
    sink &+= verify(image)
    if sink == Int.min { print(sink) }
}

/// The verify library over the image: two libvirt generations, a target
/// host, and the image's own domain as a `restore --xml` replacement.
let verifiers = [
    RestoreVerifier(profile: .libvirt90),
    RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(3, 0, 0))),
    RestoreVerifier(profile: .current,
                    host: TargetHost(source: "fuzz-host", features: ["sse2", "hypervisor", "lahf_lm", "pclmuldq"])),
]

func verify(_ image: SaveImage) -> Int {
    var sink = 0
    let which = image.region.domainXML.bytes.count % (verifiers.count + 1)
    let verifier = which < verifiers.count
        ? verifiers[which] : RestoreVerifier(profile: .libvirt90, replacementDomain: image.domain)
    let verdict = verifier.verify(image)
    sink &+= verdict.reasons.reduce(0) { $0 &+ $1.message.utf8.count &+ ($1.hint?.utf8.count ?? 0) }
    return sink
}

/// Applies `plan` to `bytes` as the writer would and checks the result reads back as planned.
func checkPlan(_ plan: WritePlan, applyingTo bytes: [UInt8]) {
    let base = SaveImageHeader.size
    var after: [UInt8]
    switch plan.strategy {
    case .inPlace:
        after = bytes
        for write in plan.documentWrites + plan.cleanupWrites {
            after.replaceSubrange(base + write.offset..<base + write.offset + write.bytes.count, with: write.bytes)
        }
        after.replaceSubrange(0..<base, with: plan.result.header.serialized())
    case .inPlaceJournaled, .rewrite, .grow:  // journaled: the same data_len, the stream untouched
        after = plan.result.header.serialized() + plan.result.region.serialized()
            + bytes[Int(plan.original.streamOffset)...]
    }
    guard let reread = readImage(after) else { return invariant(false, "planned result does not read back") }
    invariant(reread.header == plan.result.header, "planned header")
    invariant(reread.region.serialized() == plan.result.region.serialized(), "planned region")
}

/// Plans a few edits on `image` and checks each.
func exerciseEdits(_ image: SaveImage, bytes: [UInt8]) {
    if let plan = try? WritePlan(editing: image, to: image.content, destination: image.path) {
        invariant(plan.isNoOp, "unchanged content is a no-op")
    }
    var contents: [ImageContent] = [image.settingWasRunning(image.header.wasRunning == 0)]
    if let added = try? image.addingExtension(Array("<fuzz xmlns='urn:fuzz'/>".utf8)) { contents.append(added) }
    if image.extensions.count > 0, let removed = try? image.removingExtension(at: 1) { contents.append(removed) }
    if let cpu = cpuElement(model: image.domain.cpu?.model),
       let withCPU = try? image.settingCookieCPU(cpu, force: true) { contents.append(withCPU) }
    // One edit and destination per input (chosen by its size), to keep runs fast;
    // libFuzzer's length mutations cover the others.
    let content = contents[bytes.count % contents.count]
    let destination = (bytes.count / contents.count) % 2 == 0 ? image.path : "other.sav"
    if let plan = try? WritePlan(editing: image, to: content, destination: destination) {
        checkPlan(plan, applyingTo: bytes)
    }
}


/// One input of the "image" harness.
func fuzzImage(_ bytes: [UInt8]) {
    guard let image = readImage(bytes) else { return }
    exercise(image)
    exerciseEdits(image, bytes: bytes)
}
#endif
