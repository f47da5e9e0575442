// Harness "xml": structure-aware mutation of the domain XML and the save
// cookie. An input is
//
//     u16be(L)  L program bytes  domain XML  NUL  cookie
//
// The program is a list of tree edits applied to the parsed documents
// (libFuzzer mutates the program and the XML text alike): set an element's
// text or an attribute to an extreme value (extremeValues, unitValues), add a
// child or attribute named from libvirt's vocabulary, duplicate, delete,
// nest or rename elements, move the <cpu> between the documents. The result
// is laid out as libvirt writes an image (header, XML, NUL, cookie, NUL,
// padding, a stream start) and read through the whole read path ("image"
// harness), with the invariants that the reader returns the documents
// byte for byte and that every number it accepted is in libvirt's range.
#if SAVEIMG_FUZZ
import Glibc
import SaveImage

/// Child-index paths of every element in `root` (document order, at most 256).
func elementPaths(_ root: XMLElement) -> [[Int]] {
    var paths: [[Int]] = [[]]
    func visit(_ element: XMLElement, _ path: [Int]) {
        for (index, child) in element.children.enumerated() {
            guard paths.count < 256, case .element(let e) = child else { continue }
            paths.append(path + [index])
            visit(e, path + [index])
        }
    }
    visit(root, [])
    return paths
}

/// Applies `body` to the element at `path` below `element`.
func modify(_ element: inout XMLElement, at path: ArraySlice<Int>, _ body: (inout XMLElement) -> Void) {
    guard let first = path.first else { return body(&element) }
    guard first < element.children.count, case .element(var child) = element.children[first] else { return }
    modify(&child, at: path.dropFirst(), body)
    element.children[first] = .element(child)
}

func element(_ root: XMLElement, at path: ArraySlice<Int>) -> XMLElement? {
    guard let first = path.first else { return root }
    guard first < root.children.count, case .element(let child) = root.children[first] else { return nil }
    return element(child, at: path.dropFirst())
}

/// One tree edit read from `input`, applied to `documents[0]` (domain) or `[1]` (cookie).
func applyEdit(_ input: inout FuzzInput, to documents: inout [XMLElement]) {
    let op = input.byte()
    let which = documents.count > 1 && op & 0x80 != 0 ? 1 : 0
    let paths = elementPaths(documents[which])
    guard let target = input.pick(paths) else { return }
    let value = input.pick(extremeValues) ?? ""
    switch (op & 0x7f) % 9 {
    case 0:  // set the text, keeping child elements
        modify(&documents[which], at: target[...]) { e in
            e.children = e.children.filter { if case .text = $0 { false } else { true } } + [.text(value)]
        }
    case 1:  // set an attribute (an existing one or a libvirt name)
        let existing = element(documents[which], at: target[...])?.attributes.map(\.name) ?? []
        let name = input.byte() & 1 == 0 ? (input.pick(existing) ?? "unit") : (input.pick(libvirtNames) ?? "unit")
        modify(&documents[which], at: target[...]) { $0[attribute: name] = value }
    case 2:  // set unit=
        let unit = input.pick(unitValues) ?? ""
        modify(&documents[which], at: target[...]) { $0[attribute: "unit"] = unit }
    case 3, 4:  // duplicate or delete
        guard let last = target.last, let copy = element(documents[which], at: target[...]) else { return }
        let duplicate = (op & 0x7f) % 9 == 3
        modify(&documents[which], at: target.dropLast()) { parent in
            if duplicate { parent.children.insert(.element(copy), at: last + 1) } else { parent.children.remove(at: last) }
        }
    case 5:  // nest a copy of one element inside another
        guard let source = input.pick(paths), let copy = element(documents[which], at: source[...]) else { return }
        modify(&documents[which], at: target[...]) { $0.children.append(.element(copy)) }
    case 6:  // a new child from libvirt's vocabulary
        let name = input.pick(libvirtNames) ?? "vcpu"
        modify(&documents[which], at: target[...]) { $0.children.append(.element(XMLElement(name: name, children: [.text(value)]))) }
    case 7:  // rename
        let name = input.pick(libvirtNames) ?? "cpu"
        modify(&documents[which], at: target[...]) { $0.name = name }
    default:  // copy the <cpu> of one document over the other's
        guard documents.count > 1, let cpu = documents[which].first("cpu") else { return }
        let other = 1 - which
        if let index = documents[other].children.firstIndex(where: { if case .element(let e) = $0 { e.name == "cpu" } else { false } }) {
            documents[other].children[index] = .element(cpu)
        } else {
            documents[other].children.append(.element(cpu))
        }
    }
}

/// A version-2 little-endian header for a region of `dataLength` bytes.
func header(dataLength: Int, cookieOffset: Int, wasRunning: UInt32 = 1) -> [UInt8] {
    var bytes = Array("LibvirtQemudSave".utf8)
    for word in [UInt32(2), UInt32(dataLength), wasRunning, 0, UInt32(cookieOffset)] + Array(repeating: 0, count: 14) {
        bytes += [UInt8(word & 0xff), UInt8(word >> 8 & 0xff), UInt8(word >> 16 & 0xff), UInt8(word >> 24)]
    }
    return bytes
}

/// The start of a raw QEMU stream (QEVM, version 3, configuration section).
let streamStart: [UInt8] = Array("QEVM".utf8) + [0, 0, 0, 3, 7, 0, 0, 0, 13] + Array("pc-i440fx-7.2".utf8)

/// An image laid out as libvirt writes it.
func layOut(domainXML: [UInt8], cookie: [UInt8]?, padding: Int) -> [UInt8] {
    var region = domainXML + [0]
    let cookieOffset = cookie == nil ? 0 : region.count
    if let cookie { region += cookie + [0] }
    region += [UInt8](repeating: 0, count: padding)
    return header(dataLength: region.count, cookieOffset: cookieOffset) + region + streamStart
}

/// One input of the "xml" harness.
func fuzzXML(_ bytes: [UInt8]) {
    let (program, rest) = splitProgram(bytes)
    let nul = rest.firstIndex(of: 0)
    var xml = Array(rest[..<(nul ?? rest.endIndex)])
    var cookie = nul.map { n in Array(rest[(n + 1)...].prefix { $0 != 0 }) }
    if !program.isEmpty, let domain = try? XMLParser.parse(xml, name: "domain XML") {
        var documents = [domain]
        if let cookie, let parsed = try? XMLParser.parse(cookie, name: "cookie") { documents.append(parsed) }
        var input = FuzzInput(program)
        for _ in 0..<32 where !input.isAtEnd { applyEdit(&input, to: &documents) }
        xml = Array(documents[0].formatted().utf8)
        if documents.count > 1 { cookie = Array(documents[1].formatted().utf8) }
        if xml.contains(0) || cookie?.contains(0) == true { return }  // a NUL in a value ends the document
    }
    let file = layOut(domainXML: xml, cookie: cookie, padding: Int(program.first ?? 0) % 3 * 512)
    guard let image = readImage(file) else { return }
    invariant(image.region.domainXML.bytes == xml, "domain XML read back byte for byte")
    if let cookie, !cookie.isEmpty { invariant(image.cookieDocument?.bytes == cookie, "cookie read back byte for byte") }
    if let kib = image.domain.memoryKiB { invariant(kib > 0 && kib < 1 << 53, "<memory> in libvirt's range") }
    if let kib = image.domain.currentMemoryKiB { invariant(kib < 1 << 53, "<currentMemory> in libvirt's range") }
    if let vcpus = image.domain.vcpus { invariant(vcpus > 0 && vcpus < 1 << 31, "<vcpu> in libvirt's range") }
    exercise(image)
    exerciseEdits(image, bytes: file)
}
#endif
