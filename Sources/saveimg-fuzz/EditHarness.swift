// Harness "edit": random edit sequences through the edit planner. An input is
//
//     u16be(L)  L program bytes  a save image
//
// Each program step is an edit (was_running, add or remove an extension at
// an index, put a CPU into the cookie, the 2017 repair, replace the domain
// XML with a grown or shrunk one, force or not) planned for the current
// image with WritePlan, applied to the bytes in memory as the writer would
// (in place, rewrite or grow), and read back. Invariants: the result is
// always readable, and equals the model (the ImageContent the edit
// returned): same domain XML, chain and was_running, the same stream bytes;
// an in-place plan keeps the file size; a refused edit changes nothing.
#if SAVEIMG_FUZZ
import Glibc
import SaveImage

/// The bytes `plan` produces from `bytes` (what ImageWriter writes).
func applyPlan(_ plan: WritePlan, to bytes: [UInt8]) -> [UInt8] {
    let base = SaveImageHeader.size
    switch plan.strategy {
    case .inPlace:
        var after = bytes
        for write in plan.documentWrites + plan.cleanupWrites {
            after.replaceSubrange(base + write.offset..<base + write.offset + write.bytes.count, with: write.bytes)
        }
        after.replaceSubrange(0..<base, with: plan.result.header.serialized())
        return after
    case .inPlaceJournaled, .rewrite, .grow:  // journaled: the same data_len, the stream untouched
        return plan.result.header.serialized() + plan.result.region.serialized()
            + bytes[Int(plan.original.streamOffset)...]
    }
}

let cpuModels = ["qemu64", "Westmere", "Skylake-Client", "", "x"]

/// One edit read from `input`; nil when it is refused (as it may be).
func nextEdit(_ input: inout FuzzInput, _ image: SaveImage) -> ImageContent? {
    let op = input.byte()
    let force = op & 0x80 != 0
    switch op % 7 {
    case 0: return image.settingWasRunning(input.byte() & 1 == 1)
    case 1:
        let document = input.pick(extensionDocuments) ?? []
        let index = input.byte() % 4 == 0 ? nil : Int(input.byte() % 5)
        return try? image.addingExtension(document, at: index)
    case 2: return try? image.removingExtension(at: Int(input.byte() % 5))
    case 3:
        let model = input.pick(cpuModels).flatMap { $0.isEmpty ? image.domain.cpu?.model : $0 }
        guard let cpu = cpuElement(model: model) else { return nil }
        return try? image.settingCookieCPU(cpu, force: force)
    case 4:
        guard let cpu = cpuElement(model: input.pick(cpuModels)) else { return nil }
        return try? image.movingDomainCPUToCookie(originalCPU: cpu, force: force)
    case 5:
        // The domain XML with a description of 0...~80 KB (shrinks or grows the region).
        var domain = image.domain.element
        domain.children.removeAll { if case .element(let e) = $0 { e.name == "description" } else { false } }
        let size = Int(input.byte()) * 320
        // Made from bytes: String(repeating: "d", count:) appends the string `size` times (a fifth of the harness's time).
        let text = String(decoding: [UInt8](repeating: UInt8(ascii: "d"), count: size), as: UTF8.self)
        if size > 0 { domain.children.append(.element(XMLElement(name: "description", children: [.text(text)]))) }
        return try? image.replacingDomainXML(Array(domain.formatted().utf8), force: force)
    default:
        // A changed <memory>: refused (ABI) unless forced.
        var domain = image.domain.element
        if let index = domain.children.firstIndex(where: { if case .element(let e) = $0 { e.name == "memory" } else { false } }) {
            domain.children[index] = .element(XMLElement(name: "memory", attributes: [("unit", "KiB")],
                                                         children: [.text(input.pick(extremeValues) ?? "1")]))
        }
        return try? image.replacingDomainXML(Array(domain.formatted().utf8), force: force)
    }
}

/// Byte equality with one memcmp: Swift's element-wise `==` on arrays is
/// instrumented per byte by -sanitize=fuzzer and made 70 KB documents time out.
func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in
        b.withUnsafeBytes { y in
            guard let p = x.baseAddress, let q = y.baseAddress else { return false }
            return memcmp(p, q, a.count) == 0
        }
    }
}

func same(_ a: ImageContent, _ b: ImageContent) -> Bool {
    a.wasRunning == b.wasRunning && same(a.domainXML, b.domainXML) && a.chain.count == b.chain.count
        && zip(a.chain, b.chain).allSatisfy { same($0, $1) }
}

/// One input of the "edit" harness.
func fuzzEdit(_ bytes: [UInt8]) {
    let (program, rest) = splitProgram(bytes)
    var file = Array(rest)
    guard var image = readImage(file) else { return }
    var input = FuzzInput(program)
    for _ in 0..<12 where !input.isAtEnd {
        let destination = input.byte() & 1 == 0 ? image.path : "other.sav"
        guard let model = nextEdit(&input, image) else { note("edit refused"); continue }
        guard let plan = try? WritePlan(editing: image, to: model, destination: destination) else { note("plan refused"); continue }
        note("plan: \(plan.strategy.rawValue), \(plan.reason)")
        if plan.isNoOp { invariant(same(model, image.content), "a no-op plan for changed content"); continue }
        let after = applyPlan(plan, to: file)
        if plan.strategy == .inPlace { invariant(after.count == file.count, "in place keeps the size") }
        guard let reread = readImage(after) else { return invariant(false, "edited image does not read back") }
        invariant(same(reread.content, model), "edited image equals the model")
        invariant(reread.header == plan.result.header, "planned header")
        invariant(same(Array(after[Int(reread.streamOffset)...]), Array(file[Int(image.streamOffset)...])), "stream kept")
        file = after
        image = reread
    }
}
#endif
